package io.camelsmtp.smtp.common;

import java.util.Arrays;
import java.util.List;

import org.apache.camel.CamelContext;
import org.apache.camel.Message;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultMessage;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EnvelopeBindingTest {

    private final CamelContext context = new DefaultCamelContext();

    private Message message() {
        return new DefaultMessage(context);
    }

    @Test
    void writesAndReadsTheSameEnvelope() {
        Envelope e = new Envelope("alice@example.org",
                List.of(new Envelope.Recipient("bob@example.net", "SUCCESS,FAILURE", "rfc822;bob@example.net"),
                        Envelope.Recipient.of("carol@example.net")),
                "8BITMIME", true, "HDRS", "env-1", "4A3F0C2B9D1E7A6B5C");
        Message m = message();
        EnvelopeBinding.write(e, m);
        assertEquals(e, EnvelopeBinding.read(m));
        assertEquals(List.of("bob@example.net", "carol@example.net"), m.getHeader(SmtpEnvelopeHeaders.ENVELOPE_TO));
        assertEquals(Arrays.asList("SUCCESS,FAILURE", null), m.getHeader(SmtpEnvelopeHeaders.DSN_NOTIFY));
    }

    @Test
    void requireTlsOptionTravelsAndSurvivesNarrowing() {
        Envelope e = Envelope.of("alice@example.org", List.of("bob@example.net", "carol@example.net"))
                .withRequireTlsOption(true);
        Message m = message();
        EnvelopeBinding.write(e, m);
        assertEquals(Boolean.TRUE, m.getHeader(SmtpEnvelopeHeaders.REQUIRE_TLS_OPTION));
        assertTrue(EnvelopeBinding.read(m).requireTlsOption());
        assertTrue(e.without(List.of("bob@example.net")).requireTlsOption(), "pending recipients keep the flag");
        assertTrue(e.withSender("").withQueueId("X").withUtf8(true).withBodyType("8BITMIME").requireTlsOption());

        EnvelopeBinding.write(e.withRequireTlsOption(false), m);
        assertNull(m.getHeader(SmtpEnvelopeHeaders.REQUIRE_TLS_OPTION), "absent when not set");
        assertFalse(EnvelopeBinding.read(m).requireTlsOption());
    }

    @Test
    void requireTlsOptionSetByARouteFailsClosed() {
        Message m = message();
        m.setHeader(SmtpEnvelopeHeaders.ENVELOPE_TO, "a@example.org");
        for (Object on : List.of(true, "true", "TRUE", "yes", "1", " on ")) {
            m.setHeader(SmtpEnvelopeHeaders.REQUIRE_TLS_OPTION, on);
            assertTrue(EnvelopeBinding.read(m).requireTlsOption(), "a value that is not false keeps the flag: " + on);
        }
        for (Object off : List.of(false, "false", " False ")) {
            m.setHeader(SmtpEnvelopeHeaders.REQUIRE_TLS_OPTION, off);
            assertFalse(EnvelopeBinding.read(m).requireTlsOption(), String.valueOf(off));
        }
    }

    @Test
    void dropsHeadersThatTheEnvelopeDoesNotHave() {
        Message m = message();
        m.setHeader(SmtpEnvelopeHeaders.DSN_NOTIFY, List.of("NEVER"));
        m.setHeader(SmtpEnvelopeHeaders.DSN_RET, "FULL");
        EnvelopeBinding.write(Envelope.of("", List.of("postmaster")), m);
        assertNull(m.getHeader(SmtpEnvelopeHeaders.DSN_NOTIFY), "no recipient has NOTIFY: the list would be misaligned");
        assertNull(m.getHeader(SmtpEnvelopeHeaders.DSN_RET));
        assertEquals("", m.getHeader(SmtpEnvelopeHeaders.ENVELOPE_FROM), "the null sender stays the empty string");
        assertEquals(Boolean.FALSE, m.getHeader(SmtpEnvelopeHeaders.UTF8));
    }

    @Test
    void readsRecipientsFromAStringAndShortDsnLists() {
        Message m = message();
        m.setHeader(SmtpEnvelopeHeaders.ENVELOPE_TO, " a@example.org, b@example.org ,,");
        m.setHeader(SmtpEnvelopeHeaders.DSN_NOTIFY, List.of("NEVER"));
        Envelope e = EnvelopeBinding.read(m);
        assertEquals(List.of(new Envelope.Recipient("a@example.org", "NEVER", null), Envelope.Recipient.of("b@example.org")),
                e.recipients());
        assertNull(e.sender(), "no CamelSmtpEnvelopeFrom: unknown, not the null sender");
        assertTrue(EnvelopeBinding.hasRecipients(m));
        assertFalse(EnvelopeBinding.hasRecipients(message()));
    }

    @Test
    void recipientsAskForNotificationsAsRfc3461Says() {
        assertTrue(Envelope.Recipient.of("a@x").wants("FAILURE"));
        assertTrue(Envelope.Recipient.of("a@x").wants("DELAY"));
        assertFalse(Envelope.Recipient.of("a@x").wants("SUCCESS"));
        assertFalse(new Envelope.Recipient("a@x", "NEVER", null).wants("FAILURE"));
        assertTrue(new Envelope.Recipient("a@x", "success, delay", null).wants("SUCCESS"));
    }

    @Test
    void narrowsToSomeRecipients() {
        Envelope e = Envelope.of("a@x", List.of("b@x", "c@x", "d@x"));
        assertEquals(List.of("b@x", "d@x"), e.without(List.of("c@x")).addresses());
        assertEquals("a@x", e.without(List.of("c@x")).sender());
        assertEquals(e, e.without(List.of()));
    }
}

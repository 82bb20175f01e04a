package io.camelsmtp.smtp.relay;

import java.util.List;

import io.camelsmtp.smtp.common.RecipientResult;
import io.camelsmtp.smtp.common.RecipientResult.Status;
import io.camelsmtp.smtp.relay.testbed.PeerTestSupport;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.spi.Registry;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * STARTTLS policies against aiosmtpd on 127.0.0.17 (STARTTLS required, self-signed certificate for mx.tls.test) and
 * against smtp-sink, which offers no STARTTLS.
 */
class RelayTlsTest extends PeerTestSupport {

    private static final String SENDER = "sender@origin.test";

    @Override
    protected void bindToRegistry(Registry registry) {
        registry.bind("trustTestCertificate", trustTestCertificate());
    }

    @Override
    protected void routes(RouteBuilder b) {
        b.from("direct:tls-required").to(MX + "&tls=required&sslContextParameters=#trustTestCertificate");
        b.from("direct:tls-required-jvm-trust").to(MX + "&tls=required");
        b.from("direct:tls-none").to(MX + "&tls=none");
    }

    @Test
    void opportunisticTlsTakesTheSelfSignedCertificate() {
        String to = rcpt("tls.test");
        RecipientResult r = delivered(send("direct:relay", SENDER, to), to);
        assertEquals("mx.tls.test", r.getHost());
        assertEquals("127.0.0.17", r.getAddress());
        assertTrue(r.getTlsProtocol() != null && r.getTlsProtocol().startsWith("TLSv1."), r::toString);
        assertEquals(1, testbed.tlsReceived(to).size(), "aiosmtpd stored it");
    }

    @Test
    void requiredTlsWithTrustedCertificateDelivers() {
        String to = rcpt("tls.test");
        RecipientResult r = delivered(send("direct:tls-required", SENDER, to), to);
        assertEquals("mx.tls.test", r.getHost());
        assertTrue(r.getTlsProtocol() != null && r.getTlsProtocol().startsWith("TLSv1."), r::toString);
        assertEquals(1, testbed.tlsReceived(to).size(), "aiosmtpd stored it");
    }

    @Test
    void requiredTlsWithUntrustedCertificateDefers() {
        String to = rcpt("tls.test");
        Exchange e = send("direct:tls-required-jvm-trust", SENDER, to);
        failure(e, true);
        RecipientResult r = assertResult(report(e), to, Status.DEFERRED, 451, "4.7.5");
        assertEquals("mx.tls.test", r.getHost());
        assertNull(r.getTlsProtocol(), r::toString);
        assertTrue(testbed.tlsReceived(to).isEmpty());
    }

    @Test
    void requiredTlsWithoutStartTlsDefers() {
        String to = rcpt("multi.test");
        Exchange e = send("direct:tls-required", SENDER, to);
        assertEquals(List.of(to), failure(e, true).getPendingRecipients());
        RecipientResult r = assertResult(report(e), to, Status.DEFERRED, 451, "4.7.4");
        assertTrue(r.getText().contains("does not offer STARTTLS"), r::toString);
        for (String sink : List.of("mx1", "mx2", "mx3")) {
            assertTrue(testbed.dumped(sink, to).isEmpty(), "nothing sent in plaintext to " + sink);
        }
    }

    /** aiosmtpd insists on STARTTLS: with tls=none it refuses MAIL with a 530, which is final. */
    @Test
    void noTlsToAHostThatRequiresItFails() {
        String to = rcpt("tls.test");
        Exchange e = send("direct:tls-none", SENDER, to);
        failure(e, false);
        RecipientResult r = assertResult(report(e), to, Status.FAILED, 530, null);
        assertEquals("Must issue a STARTTLS command first", r.getText());
        assertNull(r.getTlsProtocol(), r::toString);
        assertTrue(testbed.tlsReceived(to).isEmpty());
    }
}

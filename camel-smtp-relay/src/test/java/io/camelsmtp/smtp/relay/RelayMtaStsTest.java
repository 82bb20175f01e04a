package io.camelsmtp.smtp.relay;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import io.camelsmtp.smtp.common.RecipientResult;
import io.camelsmtp.smtp.common.RecipientResult.Status;
import io.camelsmtp.smtp.relay.support.MtaStsPeers;
import io.camelsmtp.smtp.relay.support.MtaStsTestSupport;
import io.camelsmtp.smtp.relay.tls.TlsOutcome;
import io.camelsmtp.smtp.relay.tls.TlsResultType;
import io.camelsmtp.smtp.server.SmtpServerConstants;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * MTA-STS policies applied to real receivers ({@link MtaStsPeers}): in mode enforce only listed mail exchangers, over
 * TLS verified for their names, and never plaintext; in mode testing delivered and reported; in mode none, or with no
 * policy, as before.
 */
class RelayMtaStsTest extends MtaStsTestSupport {

    @BeforeAll
    static void zone() throws Exception {
        if (peers == null) {
            return;
        }
        String txt = "v=STSv1; id=1;";
        domain("enforce.test", "mx.enforce.test", MtaStsPeers.GOOD, txt);
        peers.policy("enforce.test", enforce("mx.enforce.test"));
        domain("aio.test", "mx.aio.test", MtaStsPeers.AIOSMTPD, txt);
        peers.policy("aio.test", enforce("*.aio.test"));
        domain("nomatch.test", "mx.nomatch.test", MtaStsPeers.GOOD, txt);
        peers.policy("nomatch.test", enforce("mx.enforce.test", "*.other.test"));
        domain("mismatch.test", "mx.mismatch.test", MtaStsPeers.MISMATCH, txt);
        peers.policy("mismatch.test", enforce("mx.mismatch.test"));
        domain("expired.test", "mx.expired.test", MtaStsPeers.EXPIRED, txt);
        peers.policy("expired.test", enforce("mx.expired.test"));
        domain("selfsigned.test", "mx.selfsigned.test", MtaStsPeers.SELF_SIGNED, txt);
        peers.policy("selfsigned.test", enforce("mx.selfsigned.test"));
        domain("nostarttls.test", "mx.nostarttls.test", MtaStsPeers.PLAIN, txt);
        peers.policy("nostarttls.test", enforce("mx.nostarttls.test"));
        domain("testing.test", "mx.testing.test", MtaStsPeers.MISMATCH, txt);
        peers.policy("testing.test", policy("testing", "mx.testing.test"));
        domain("none.test", "mx.none.test", MtaStsPeers.PLAIN, txt);
        peers.policy("none.test", policy("none"));
        domain("nopolicy.test", "mx.nopolicy.test", MtaStsPeers.PLAIN, null);
        domain("shared.test", "mx.enforce.test", MtaStsPeers.GOOD, null); // enforce.test's MX, without a policy
        domain("required.test", "mx.required.test", MtaStsPeers.GOOD, txt);
        peers.policy("required.test", enforce("mx.required.test"));
    }

    @Override
    protected void routes(RouteBuilder b) {
        b.from("direct:required").to(relay("&mtaStsRequired=true"));
        b.from("direct:tls-none").to(relay("&tls=none"));
        b.from("direct:sts-off").to(relay("&mtaSts=false"));
        b.from("direct:reuse").to(relay("&idleConnectionTime=30s").replace("&connectionReuse=false", ""));
    }

    @Test
    void enforceDeliversToAListedMxOverVerifiedTls() {
        Exchange e = send("direct:relay", "a@enforce.test");
        assertNull(e.getException());
        RecipientResult r = result(e, "a@enforce.test");
        assertEquals("mx.enforce.test", r.getHost());
        assertTrue(r.getTlsProtocol() != null && r.getTlsProtocol().startsWith("TLSv1."), r::toString);
        assertEquals(1, getMockEndpoint("mock:good").getReceivedCounter());
        TlsOutcome o = outcome("enforce.test", "mx.enforce.test");
        assertEquals("sts", o.policy());
        assertTrue(o.negotiated() && o.verified() && o.successful(), o::toString);
        assertTrue(o.policyStrings().contains("mode: enforce"), o::toString);
    }

    /** The policy overrides tls=none: a domain that demands TLS gets it. */
    @Test
    void enforceOverridesTlsNone() {
        Exchange e = send("direct:tls-none", "b@enforce.test");
        assertNull(e.getException());
        assertNotNull(result(e, "b@enforce.test").getTlsProtocol());
    }

    @Test
    void enforceDeliversToAiosmtpdMatchedByAWildcard() throws Exception {
        assumeTrue(peers.hasAiosmtpd(), "aiosmtpd not installed for /usr/bin/python3");
        Exchange e = send("direct:relay", "c@aio.test");
        assertNull(e.getException());
        assertNotNull(result(e, "c@aio.test").getTlsProtocol());
        try (Stream<Path> files = Files.list(peers.maildir.resolve("new"))) {
            assertTrue(files.anyMatch(f -> read(f).contains("c@aio.test")), "aiosmtpd stored it");
        }
        assertTrue(outcome("aio.test", "mx.aio.test").verified());
    }

    private static String read(Path f) {
        try {
            return Files.readString(f);
        } catch (java.io.IOException x) {
            return "";
        }
    }

    /**
     * A session kept from an opportunistic delivery to mx.enforce.test (for shared.test, which has no policy) does not
     * carry enforce.test's mail, whose policy demands verified TLS: that gets a verified session of its own, which is
     * then kept for enforce.test's next message.
     */
    @Test
    void aSessionOpenedOpportunisticallyDoesNotServeADeliveryThatDemandsVerifiedTls() {
        assertNull(send("direct:reuse", "a@shared.test").getException());
        assertNull(send("direct:reuse", "b@enforce.test").getException());
        assertNull(send("direct:reuse", "c@enforce.test").getException());
        var good = getMockEndpoint("mock:good").getExchanges();
        assertEquals(3, good.size());
        Object first = good.get(0).getMessage().getHeader(SmtpServerConstants.SESSION_ID);
        Object second = good.get(1).getMessage().getHeader(SmtpServerConstants.SESSION_ID);
        assertNotEquals(first, second, "not the opportunistic session");
        assertEquals(second, good.get(2).getMessage().getHeader(SmtpServerConstants.SESSION_ID), "the verified one is kept");
        TlsOutcome o = outcome("enforce.test", "mx.enforce.test");
        assertTrue(o.verified() && "sts".equals(o.policy()), o::toString);
    }

    @Test
    void enforceSkipsAnMxThePolicyDoesNotList() {
        Exchange e = send("direct:relay", "d@nomatch.test");
        RecipientResult r = deferred(e, "d@nomatch.test", "4.7.5");
        assertTrue(r.getText().contains("does not list it"), r::toString);
        assertNull(r.getAddress(), "no connection was made");
        assertEquals(0, getMockEndpoint("mock:good").getReceivedCounter());
        assertEquals(TlsResultType.VALIDATION_FAILURE, failureOf("nomatch.test", "mx.nomatch.test"));
    }

    @Test
    void enforceWithACertificateForAnotherNameDefers() {
        deferred(send("direct:relay", "e@mismatch.test"), "e@mismatch.test", "4.7.5");
        assertEquals(0, getMockEndpoint("mock:mismatch").getReceivedCounter(), "no DATA in plaintext or otherwise");
        assertEquals(TlsResultType.CERTIFICATE_HOST_MISMATCH, failureOf("mismatch.test", "mx.mismatch.test"));
    }

    @Test
    void enforceWithAnExpiredCertificateDefers() {
        deferred(send("direct:relay", "f@expired.test"), "f@expired.test", "4.7.5");
        assertEquals(0, getMockEndpoint("mock:expired").getReceivedCounter());
        assertEquals(TlsResultType.CERTIFICATE_EXPIRED, failureOf("expired.test", "mx.expired.test"));
    }

    @Test
    void enforceWithASelfSignedCertificateDefers() {
        deferred(send("direct:relay", "g@selfsigned.test"), "g@selfsigned.test", "4.7.5");
        assertEquals(0, getMockEndpoint("mock:selfsigned").getReceivedCounter());
        assertEquals(TlsResultType.CERTIFICATE_NOT_TRUSTED, failureOf("selfsigned.test", "mx.selfsigned.test"));
    }

    @Test
    void enforceWithoutStartTlsDefersAndSendsNothingInPlaintext() {
        RecipientResult r = deferred(send("direct:relay", "h@nostarttls.test"), "h@nostarttls.test", "4.7.4");
        assertTrue(r.getText().contains("MTA-STS policy of nostarttls.test") && r.getText().contains("does not offer STARTTLS"),
                r::toString);
        assertEquals(0, getMockEndpoint("mock:plain").getReceivedCounter(), "no plaintext DATA");
        assertEquals(TlsResultType.STARTTLS_NOT_SUPPORTED, failureOf("nostarttls.test", "mx.nostarttls.test"));
    }

    @Test
    void testingDeliversAndReportsWhatWouldHaveFailed() {
        Exchange e = send("direct:relay", "i@testing.test");
        assertNull(e.getException());
        assertNotNull(result(e, "i@testing.test").getTlsProtocol(), "opportunistic TLS as before");
        assertEquals(1, getMockEndpoint("mock:mismatch").getReceivedCounter());
        TlsOutcome o = outcome("testing.test", "mx.testing.test");
        assertTrue(o.testing() && o.negotiated() && !o.verified(), o::toString);
        assertEquals(TlsResultType.CERTIFICATE_HOST_MISMATCH, o.failure());
    }

    @Test
    void modeNoneDeliversAsBefore() {
        Exchange e = send("direct:relay", "j@none.test");
        assertNull(e.getException());
        assertNull(result(e, "j@none.test").getTlsProtocol(), "plaintext: the receiver offers no STARTTLS");
        assertEquals(1, getMockEndpoint("mock:plain").getReceivedCounter());
        assertEquals("config", outcome("none.test", "mx.none.test").policy());
    }

    @Test
    void noPolicyDeliversAsBeforeWithoutAFetch() throws Exception {
        Exchange e = send("direct:relay", "k@nopolicy.test");
        assertNull(e.getException());
        assertEquals(1, getMockEndpoint("mock:plain").getReceivedCounter());
        assertEquals(0, peers.fetches("nopolicy.test"));
        assertEquals("config", outcome("nopolicy.test", "mx.nopolicy.test").policy());
    }

    @Test
    void mtaStsRequiredDefersADomainWithoutAPolicy() {
        RecipientResult r = deferred(send("direct:required", "l@nopolicy.test"), "l@nopolicy.test", "4.7.5");
        assertTrue(r.getText().contains("mtaStsRequired"), r::toString);
        assertEquals(0, getMockEndpoint("mock:plain").getReceivedCounter());
        assertNull(send("direct:required", "m@required.test").getException(), "an enforced policy passes");
    }

    @Test
    void mtaStsOffIgnoresThePolicy() {
        Exchange e = send("direct:sts-off", "n@nostarttls.test");
        assertNull(e.getException());
        assertEquals(1, getMockEndpoint("mock:plain").getReceivedCounter());
    }

    private static RecipientResult deferred(Exchange e, String to, String status) {
        SmtpDeliveryException x = (SmtpDeliveryException) e.getException();
        assertNotNull(x, "expected a deferral");
        assertTrue(x.isTransient(), x::getMessage);
        RecipientResult r = result(e, to);
        assertEquals(Status.DEFERRED, r.getStatus(), r::toString);
        assertEquals(451, r.getCode(), r::toString);
        assertEquals(status, r.getEnhancedStatus(), r::toString);
        assertFalse(r.getText().isBlank());
        return r;
    }
}

package io.camelsmtp.smtp.relay;

import java.util.List;

import io.camelsmtp.smtp.common.RecipientResult;
import io.camelsmtp.smtp.common.RecipientResult.Status;
import io.camelsmtp.smtp.relay.testbed.PeerTestSupport;
import io.camelsmtp.smtp.server.SmtpServerConstants;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.mock.MockEndpoint;
import org.apache.camel.spi.Registry;
import org.apache.camel.test.AvailablePortFinder;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * REQUIRETLS (RFC 8689) on the way out. A chain of two of ours: the relay sends to this project's smtp-server on
 * 127.0.0.17 (the test certificate's address) over verified TLS, with REQUIRETLS on MAIL FROM, and the receiving
 * server records it. The same message is not sent at all to a host without REQUIRETLS (the testbed's aiosmtpd, or our
 * server with {@code advertiseRequireTls=false}), in plaintext, or over TLS whose certificate was not verified: its
 * recipients fail for good with 5.7.30 or 5.7.10.
 */
class RelayRequireTlsTest extends PeerTestSupport {

    private static final String SENDER = "sender@origin.test";
    private static final int PORT = AvailablePortFinder.getNextAvailable();
    private static final int OFF_PORT = AvailablePortFinder.getNextAvailable();
    private static final String SMART_HOST = "smtp-relay:127.0.0.17:%d?tls=%s&sslContextParameters=#trustTestCertificate"
                                             + "&connectTimeout=1s&commandTimeout=2s&dataTimeout=2s&heloName=relay.test";
    private static final String RECEIVER = "?hostName=mx.tls.test&acceptedDomains=tls.test&sslContextParameters=#serverTls"
                                           + "&maxConnectionsPerIp=0&shutdownGracePeriod=1s";

    @Override
    protected void bindToRegistry(Registry registry) {
        registry.bind("serverTls", serverTls());
        registry.bind("trustTestCertificate", trustTestCertificate());
    }

    @Override
    protected void routes(RouteBuilder b) {
        b.from("smtp-server:127.0.0.17:" + PORT + RECEIVER).convertBodyTo(String.class).to("mock:ours");
        b.from("smtp-server:127.0.0.17:" + OFF_PORT + RECEIVER + "&advertiseRequireTls=false")
                .convertBodyTo(String.class).to("mock:off");
        b.from("direct:ours").setHeader(SmtpRelayConstants.REQUIRE_TLS_OPTION, b.constant(true))
                .to(SMART_HOST.formatted(PORT, "required"));
        b.from("direct:ours-plain").setHeader(SmtpRelayConstants.REQUIRE_TLS_OPTION, b.constant(true))
                .to(SMART_HOST.formatted(PORT, "none"));
        b.from("direct:ours-unverified").setHeader(SmtpRelayConstants.REQUIRE_TLS_OPTION, b.constant(true))
                .to(SMART_HOST.formatted(PORT, "opportunistic"));
        b.from("direct:ours-untrusted").setHeader(SmtpRelayConstants.REQUIRE_TLS_OPTION, b.constant(true))
                .to("smtp-relay:127.0.0.17:" + PORT + "?tls=opportunistic&connectTimeout=1s&commandTimeout=2s"
                    + "&dataTimeout=2s&heloName=relay.test"); // the JVM's trust: the test certificate is not in it
        b.from("direct:off").setHeader(SmtpRelayConstants.REQUIRE_TLS_OPTION, b.constant(true))
                .to(SMART_HOST.formatted(OFF_PORT, "required"));
        b.from("direct:aiosmtpd").setHeader(SmtpRelayConstants.REQUIRE_TLS_OPTION, b.constant(true))
                .to(MX + "&tls=required&sslContextParameters=#trustTestCertificate");
    }

    @Test
    void aChainOfTwoOfOursCarriesRequireTls() throws Exception {
        MockEndpoint ours = getMockEndpoint("mock:ours");
        ours.expectedMessageCount(1);
        String to = rcpt("tls.test");
        RecipientResult r = delivered(send("direct:ours", SENDER, to), to);
        assertTrue(r.getTlsProtocol() != null && r.getTlsProtocol().startsWith("TLSv1."), r::toString);
        ours.assertIsSatisfied();
        Exchange received = ours.getExchanges().get(0);
        assertEquals(Boolean.TRUE, received.getIn().getHeader(SmtpServerConstants.REQUIRE_TLS_OPTION),
                "the next hop recorded REQUIRETLS");
        assertTrue(received.getIn().getBody(String.class).contains(" with ESMTPS id "));
    }

    @Test
    void aioSmtpdWithoutRequireTlsGetsNothing() {
        String to = rcpt("tls.test");
        Exchange e = send("direct:aiosmtpd", SENDER, to);
        assertEquals(List.of(), failure(e, false).getPendingRecipients());
        RecipientResult r = assertResult(report(e), to, Status.FAILED, 550, "5.7.30");
        assertTrue(r.getText().contains("REQUIRETLS support required"), r::toString);
        assertEquals("mx.tls.test", r.getHost());
        assertTrue(testbed.tlsReceived(to).isEmpty(), "nothing delivered to aiosmtpd");
    }

    @Test
    void ourServerWithRequireTlsOffGetsNothing() throws Exception {
        getMockEndpoint("mock:off").expectedMessageCount(0);
        String to = rcpt("tls.test");
        Exchange e = send("direct:off", SENDER, to);
        assertResult(report(e), to, Status.FAILED, 550, "5.7.30");
        getMockEndpoint("mock:off").assertIsSatisfied(200);
    }

    /**
     * REQUIRETLS raises tls=none and tls=opportunistic to STARTTLS with a verified certificate for the host (RFC 8689
     * §4.2.1): with the test CA trusted it is delivered over verified TLS, never in plaintext.
     */
    @Test
    void requireTlsRaisesTlsNoneAndOpportunisticToVerifiedTls() throws Exception {
        getMockEndpoint("mock:ours").expectedMessageCount(2);
        String to = rcpt("tls.test");
        assertNotNull(delivered(send("direct:ours-plain", SENDER, to), to).getTlsProtocol());
        assertNotNull(delivered(send("direct:ours-unverified", SENDER, to), to).getTlsProtocol());
        getMockEndpoint("mock:ours").assertIsSatisfied();
    }

    /** A certificate the relay cannot verify: not sent, and with no other host to try, failed for good with 5.7.10. */
    @Test
    void notSentOverUnverifiedTls() throws Exception {
        getMockEndpoint("mock:ours").expectedMessageCount(0);
        String to = rcpt("tls.test");
        RecipientResult unverified = assertResult(report(send("direct:ours-untrusted", SENDER, to)), to, Status.FAILED,
                550, "5.7.10");
        assertTrue(unverified.getText().contains("no verified TLS"), unverified::toString);
        getMockEndpoint("mock:ours").assertIsSatisfied(200);
    }
}

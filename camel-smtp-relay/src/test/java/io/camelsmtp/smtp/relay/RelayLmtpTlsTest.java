package io.camelsmtp.smtp.relay;

import java.util.List;
import java.util.Map;

import io.camelsmtp.smtp.common.DeliveryReport;
import io.camelsmtp.smtp.common.RecipientResult;
import io.camelsmtp.smtp.common.RecipientResult.Status;
import io.camelsmtp.smtp.relay.testbed.PeerTestSupport;
import io.camelsmtp.smtp.server.SmtpServerConstants;
import io.camelsmtp.smtp.server.auth.MapAuthenticator;
import org.apache.camel.Exchange;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.mock.MockEndpoint;
import org.apache.camel.spi.Registry;
import org.apache.camel.test.AvailablePortFinder;
import org.apache.camel.test.junit5.CamelTestSupport;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code smtp-relay:lmtp:host:port} over TCP with STARTTLS and AUTH, the way an LMTP server on another host is
 * reached (the test certificate names 127.0.0.17), against this project's LMTP listener ({@code smtp-server?lmtp=true}) requiring both: LHLO again after
 * TLS (RFC 3207 §4.2 discards what was learnt before), AUTH only over the verified session, the content as BDAT (the
 * listener offers CHUNKING), and the per-recipient replies the receiving route chose.
 */
class RelayLmtpTlsTest extends CamelTestSupport {

    private final int port = AvailablePortFinder.getNextAvailable();

    @Override
    protected void bindToRegistry(Registry registry) {
        registry.bind("serverTls", PeerTestSupport.serverTls());
        registry.bind("trustTestCertificate", PeerTestSupport.trustTestCertificate());
        registry.bind("users", new MapAuthenticator(Map.of("relay", "secret")));
    }

    @Override
    protected RoutesBuilder createRouteBuilder() {
        return new RouteBuilder() {
            @Override
            public void configure() {
                from("smtp-server:127.0.0.17:" + port + "?lmtp=true&hostName=mx.tls.test&sslContextParameters=#serverTls"
                     + "&requireTls=true&authenticator=#users&requireAuth=true&authFailureDelay=0"
                     + "&acceptedDomains=example.org&maxConnectionsPerIp=0&shutdownGracePeriod=1s")
                        .process(e -> e.getMessage().setHeader(SmtpServerConstants.RECIPIENT_REPLIES,
                                Map.of("full@example.org", "452 4.2.2 Mailbox full")))
                        .convertBodyTo(String.class)
                        .to("mock:mailbox");
            }
        };
    }

    private Exchange send(String options) {
        return template.send("smtp-relay:lmtp:127.0.0.17:" + port + "?heloName=relay.test&tls=required"
                             + "&sslContextParameters=#trustTestCertificate&connectTimeout=2s&commandTimeout=5s"
                             + "&dataTimeout=5s" + options, e -> {
                                 e.getMessage().setHeader(SmtpRelayConstants.ENVELOPE_FROM, "sender@origin.test");
                                 e.getMessage().setHeader(SmtpRelayConstants.ENVELOPE_TO,
                                         List.of("alice@example.org", "full@example.org"));
                                 e.getMessage().setBody("Subject: over tls\r\n\r\n.dot line\r\nbody\r\n");
                             });
    }

    private static RecipientResult result(Exchange e, String rcpt) {
        return e.getMessage().getHeader(SmtpRelayConstants.DELIVERY_REPORT, DeliveryReport.class).get(rcpt);
    }

    @Test
    void startTlsThenAuthThenPerRecipientRepliesAfterBdat() throws Exception {
        MockEndpoint mailbox = getMockEndpoint("mock:mailbox");
        mailbox.expectedMessageCount(1);
        Exchange e = send("&username=relay&password=secret");
        RecipientResult alice = result(e, "alice@example.org");
        RecipientResult full = result(e, "full@example.org");
        assertEquals(Status.DELIVERED, alice.getStatus(), alice::toString);
        mailbox.assertIsSatisfied();
        assertTrue(alice.getTlsProtocol() != null && alice.getTlsProtocol().startsWith("TLS"), alice::toString);
        assertEquals(Status.DEFERRED, full.getStatus(), full::toString);
        assertEquals(452, full.getCode(), full::toString);
        assertEquals("4.2.2", full.getEnhancedStatus(), full::toString);
        Exchange received = mailbox.getReceivedExchanges().get(0);
        assertEquals("relay", received.getMessage().getHeader(SmtpServerConstants.AUTHENTICATED_USER));
        assertTrue(received.getMessage().getBody(String.class).contains("\r\n.dot line\r\n"));
    }

    @Test
    void aWrongPasswordDefersBothRecipientsAndSendsNoContent() throws Exception {
        MockEndpoint mailbox = getMockEndpoint("mock:mailbox");
        mailbox.expectedMessageCount(0);
        Exchange e = send("&username=relay&password=wrong");
        for (String r : List.of("alice@example.org", "full@example.org")) {
            assertEquals(Status.DEFERRED, result(e, r).getStatus(), () -> result(e, r).toString());
        }
        mailbox.assertIsSatisfied();
    }
}

package io.camelsmtp.smtp.relay;

import java.io.IOException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import io.camelsmtp.smtp.common.DeliveryCancellation;
import io.camelsmtp.smtp.common.DeliveryReport;
import io.camelsmtp.smtp.common.RecipientResult;
import io.camelsmtp.smtp.common.RecipientResult.Status;
import io.camelsmtp.smtp.relay.support.InJvmDns;
import io.camelsmtp.smtp.relay.support.ScriptedPeer;
import org.apache.camel.Exchange;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.mock.MockEndpoint;
import org.apache.camel.test.AvailablePortFinder;
import org.apache.camel.test.junit5.CamelTestSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A delivery withdrawn while it runs ({@link DeliveryCancellation}, as the queue does when an operator holds or
 * deletes the message): the relay asks before each connection and before DATA, and stops; what was not delivered is
 * reported deferred with {@code 451 4.3.2}. The check is flipped by the receiving server itself when it sees RCPT,
 * the latest moment before the content.
 */
class RelayWithdrawalTest extends CamelTestSupport {

    private static final String FROM = "sender@origin.test";
    private static final String MESSAGE = "From: <sender@origin.test>\r\nTo: <a@dest.test>\r\nSubject: held\r\n\r\nhello\r\n";

    private final int serverPort = AvailablePortFinder.getNextAvailable();
    private final AtomicBoolean withdrawn = new AtomicBoolean();
    private final List<ScriptedPeer> peers = new ArrayList<>();

    @AfterEach
    void stopPeers() {
        peers.forEach(ScriptedPeer::close);
    }

    @Override
    protected RoutesBuilder createRouteBuilder() {
        return new RouteBuilder() {
            @Override
            public void configure() {
                // this project's smtp-server (offers PIPELINING): the operator holds the message as the RCPT comes in
                // (for any recipient but later@)
                from("smtp-server:127.0.0.1:" + serverPort + "?acceptedDomains=*&rcptPolicy=direct:rcpt&maxConnectionsPerIp=0")
                        .to("mock:received");
                from("direct:rcpt").process(e -> {
                    if (!e.getMessage().getHeader("CamelSmtpRecipient", String.class).startsWith("later@")) {
                        withdrawn.set(true);
                    }
                });
            }
        };
    }

    private Exchange send(String uri, String... to) {
        return template.send(uri, e -> {
            e.getMessage().setHeader(SmtpRelayConstants.ENVELOPE_FROM, FROM);
            e.getMessage().setHeader(SmtpRelayConstants.ENVELOPE_TO, List.of(to));
            e.getMessage().setBody(MESSAGE);
            DeliveryCancellation.set(e, withdrawn::get);
        });
    }

    private static DeliveryReport withdrawnReport(Exchange e) {
        SmtpDeliveryException x = assertInstanceOf(SmtpDeliveryException.class, e.getException(),
                () -> "expected a deferral, got " + e.getException());
        assertTrue(x.isTransient(), x::getMessage);
        DeliveryReport report = x.getReport();
        for (RecipientResult r : report.getResults()) {
            assertEquals(Status.DEFERRED, r.getStatus(), r::toString);
            assertEquals(DeliveryCancellation.REPLY, r.getReply(), r::toString);
        }
        return report;
    }

    @Test
    void withdrawnAtRcptUnderPipeliningNothingReachesData() throws Exception {
        MockEndpoint received = getMockEndpoint("mock:received");
        received.expectedMessageCount(0);
        Exchange e = send("smtp-relay:127.0.0.1:" + serverPort + "?tls=none&heloName=relay.test", "a@dest.test",
                "b@dest.test");
        DeliveryReport report = withdrawnReport(e);
        assertEquals(2, report.getResults().size());
        assertEquals("127.0.0.1", report.get("a@dest.test").getHost(), "decided at that host");
        received.assertIsSatisfied(500);
        assertEquals(List.of("a@dest.test", "b@dest.test"), e.getMessage().getHeader(SmtpRelayConstants.ENVELOPE_TO),
                "both left for a later attempt");

        withdrawn.set(false);
        received.reset();
        received.expectedMessageCount(1);
        Exchange again = send("smtp-relay:127.0.0.1:" + serverPort + "?tls=none&heloName=relay.test", "later@dest.test");
        assertNull(again.getException(), "the server is fine and takes the next message");
        received.assertIsSatisfied();
    }

    /** Without PIPELINING DATA is not even sent: RSET ends the transaction, as for a failed one. */
    @Test
    void withdrawnAtRcptWithoutPipeliningSendsNoData() throws Exception {
        ScriptedPeer p = ScriptedPeer.start(s -> {
            s.send("220 plain.test ESMTP\r\n");
            s.serveMail("250 plain.test\r\n", rcpt -> {
                withdrawn.set(true);
                return null;
            });
        });
        peers.add(p);
        Exchange e = send("smtp-relay:127.0.0.1:" + p.port() + "?tls=none&heloName=relay.test", "a@dest.test");
        withdrawnReport(e);
        assertTrue(p.lines().stream().anyMatch(l -> l.startsWith("RCPT TO:<a@dest.test>")), p.lines()::toString);
        assertFalse(p.lines().contains("DATA"), "no DATA: " + p.lines());
        assertTrue(p.lines().contains("RSET"), "RSET ended the transaction: " + p.lines());
    }

    /** A pipelining peer that reports what it read: the 354 comes back, and then the relay hangs up, no content. */
    @Test
    void withdrawnAtRcptUnderPipeliningTheConnectionIsClosedInsteadOfTheContent() throws Exception {
        ScriptedPeer p = ScriptedPeer.start(s -> {
            s.send("220 piped.test ESMTP\r\n");
            s.serveMail("250-piped.test\r\n250 PIPELINING\r\n", rcpt -> {
                withdrawn.set(true);
                return null;
            });
        });
        peers.add(p);
        Exchange e = send("smtp-relay:127.0.0.1:" + p.port() + "?tls=none&heloName=relay.test", "a@dest.test");
        withdrawnReport(e);
        List<String> lines = p.lines();
        int data = lines.indexOf("DATA");
        assertTrue(data > 0, lines::toString);
        assertEquals(List.of(), lines.subList(data + 1, lines.size()), "nothing after DATA, not even the dot");
    }

    @Test
    void withdrawnBeforeTheFirstConnectionConnectsNowhere() throws Exception {
        ScriptedPeer p = ScriptedPeer.start(s -> {
            s.send("220 plain.test ESMTP\r\n");
            s.serveMail();
        });
        peers.add(p);
        withdrawn.set(true);
        Exchange e = send("smtp-relay:127.0.0.1:" + p.port() + "?tls=none&heloName=relay.test", "a@dest.test");
        RecipientResult r = withdrawnReport(e).get("a@dest.test");
        assertNull(r.getHost(), r::toString);
        TimeUnit.MILLISECONDS.sleep(100);
        assertEquals(0, p.connections());
    }

    /**
     * Two mail exchangers: the first defers the recipient (451 at RCPT) and, as it does, the delivery is withdrawn;
     * the second is never contacted.
     */
    @Test
    void withdrawnBetweenMailExchangersTriesNoFurtherHost() throws Exception {
        ScriptedPeer first = null;
        ScriptedPeer second = null;
        for (int i = 0; i < 10 && second == null; i++) {
            first = ScriptedPeer.start(s -> {
                s.send("220 first.test ESMTP\r\n");
                s.serveMail("250 first.test\r\n", rcpt -> {
                    withdrawn.set(true);
                    return "451 4.7.1 Greylisted";
                });
            });
            peers.add(first);
            try {
                second = ScriptedPeer.start(InetAddress.getByName("127.0.0.2"), first.port(), s -> {
                    s.send("220 second.test ESMTP\r\n");
                    s.serveMail();
                });
                peers.add(second);
            } catch (IOException taken) {
                first.close();
            }
        }
        try (InJvmDns dns = new InJvmDns()
                .add("dest.test. 0 IN MX 10 mx1.dest.test.")
                .add("dest.test. 0 IN MX 20 mx2.dest.test.")
                .add("mx1.dest.test. 0 IN A 127.0.0.1")
                .add("mx2.dest.test. 0 IN A 127.0.0.2")) {
            Exchange e = send("smtp-relay:mx?port=" + first.port() + "&dnsServers=" + dns.server()
                              + "&allowPrivateAddresses=true&tls=none&heloName=relay.test", "a@dest.test");
            withdrawnReport(e);
            assertEquals(1, first.connections());
            assertEquals(0, second.connections(), "the second MX was not tried");
            assertEquals(0, dns.queries("mx2.dest.test."), "nor even looked up");
        }
    }
}

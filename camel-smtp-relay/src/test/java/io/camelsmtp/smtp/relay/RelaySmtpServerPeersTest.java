package io.camelsmtp.smtp.relay;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import io.camelsmtp.smtp.common.DeliveryReport;
import io.camelsmtp.smtp.common.RecipientResult;
import io.camelsmtp.smtp.common.RecipientResult.Status;
import io.camelsmtp.smtp.relay.testbed.PeerTestSupport;
import io.camelsmtp.smtp.relay.testbed.Swaks;
import io.camelsmtp.smtp.server.SmtpRejectException;
import io.camelsmtp.smtp.server.SmtpServerConstants;
import io.camelsmtp.smtp.server.auth.MapAuthenticator;
import org.apache.camel.Exchange;
import org.apache.camel.LoggingLevel;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.mock.MockEndpoint;
import org.apache.camel.spi.Registry;
import org.apache.camel.test.AvailablePortFinder;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Receivers that decide per recipient, limit the size or require AUTH, played by this project's own smtp-server
 * routes in the test's CamelContext, bound on port 25 of the addresses dnsmasq gives their MX hosts:
 * <ul>
 * <li>mx.partial.test, 127.0.0.21: refuses recipients whose local part starts with {@code nobody} (550 5.1.1);</li>
 * <li>mx.greylist.test, 127.0.0.22: answers 451 4.7.1 the first time it sees a recipient starting with {@code later-},
 * accepts it the next time;</li>
 * <li>mx.small.test, 127.0.0.23: SIZE 2000;</li>
 * <li>smart host 127.0.0.17:587: STARTTLS with the test certificate, AUTH required (alice / secret).</li>
 * </ul>
 */
class RelaySmtpServerPeersTest extends PeerTestSupport {

    private static final String SENDER = "sender@origin.test";
    private static final String RECEIVER_OPTIONS = "maxConnectionsPerIp=0&shutdownGracePeriod=1s";
    private static final String SMART_HOST = "smtp-relay:127.0.0.17:587?tls=required&sslContextParameters=#trustTestCertificate"
                                             + "&connectTimeout=1s&commandTimeout=2s&dataTimeout=2s&heloName=relay.test";

    private final Set<String> greylisted = ConcurrentHashMap.newKeySet();
    private final int frontPort = AvailablePortFinder.getNextAvailable();

    @Override
    protected void bindToRegistry(Registry registry) {
        registry.bind("serverTls", serverTls());
        registry.bind("trustTestCertificate", trustTestCertificate());
        registry.bind("users", new MapAuthenticator(Map.of("alice", "secret")));
    }

    @Override
    protected void routes(RouteBuilder b) {
        b.from("smtp-server:127.0.0.21:25?hostName=mx.partial.test&acceptedDomains=partial.test&rcptPolicy=direct:partial-rcpt&"
               + RECEIVER_OPTIONS)
                .convertBodyTo(String.class).to("mock:partial");
        b.from("direct:partial-rcpt").process(e -> {
            if (e.getMessage().getHeader(SmtpServerConstants.RECIPIENT, String.class).startsWith("nobody")) {
                throw new SmtpRejectException(550, "5.1.1", "No such user here");
            }
        });

        b.from("smtp-server:127.0.0.22:25?hostName=mx.greylist.test&acceptedDomains=greylist.test"
               + "&rcptPolicy=direct:greylist-rcpt&" + RECEIVER_OPTIONS)
                .convertBodyTo(String.class).to("mock:greylist");
        b.from("direct:greylist-rcpt").process(e -> {
            String rcpt = e.getMessage().getHeader(SmtpServerConstants.RECIPIENT, String.class);
            if (rcpt.startsWith("later-") && greylisted.add(rcpt)) {
                throw new SmtpRejectException(451, "4.7.1", "Greylisted, try again later");
            }
        });

        b.from("smtp-server:127.0.0.23:25?hostName=mx.small.test&acceptedDomains=small.test&maxMessageSize=2000"
               + "&mailPolicy=direct:small-mail&" + RECEIVER_OPTIONS)
                .convertBodyTo(String.class).to("mock:small");
        b.from("direct:small-mail").to("mock:small-mail");

        b.from("smtp-server:127.0.0.17:587?hostName=mx.tls.test&sslContextParameters=#serverTls&requireTls=true"
               + "&authenticator=#users&requireAuth=true&authFailureDelay=0&" + RECEIVER_OPTIONS)
                .convertBodyTo(String.class).to("mock:submission");

        // idles out kept connections after 300 ms; reached by address literal, any recipient accepted
        b.from("smtp-server:127.0.0.26:25?hostName=idle.test&idleTimeout=300ms&rcptPolicy=direct:accept-all&"
               + RECEIVER_OPTIONS)
                .convertBodyTo(String.class).to("mock:idle");
        b.from("direct:accept-all").log(LoggingLevel.DEBUG, "accepting ${header.CamelSmtpRecipient}");

        // a listener that relays without a queue: its client hears the relay's outcome
        b.from("smtp-server:127.0.0.1:" + frontPort + "?hostName=front.test&acceptedDomains=*&" + RECEIVER_OPTIONS).to(MX);

        b.from("direct:relay-no-reuse").to(MX + "&connectionReuse=false");
        // a transient failure is redelivered by Camel; the producer has shrunk the envelope to what is still pending
        b.from("direct:relay-retry")
                .onException(SmtpDeliveryException.class)
                    .onWhen(e -> e.getException(SmtpDeliveryException.class).isTransient())
                    .maximumRedeliveries(2).redeliveryDelay(50)
                .end()
                .to(MX);
        b.from("direct:smart-host").to(SMART_HOST + "&username=alice&password=secret");
        b.from("direct:smart-host-wrong-password").to(SMART_HOST + "&username=alice&password=wrong");
        b.from("direct:smart-host-no-tls").to(SMART_HOST.replace("tls=required", "tls=none") + "&username=alice&password=secret");
    }

    @Test
    void oneOfThreeRecipientsRefused() throws Exception {
        MockEndpoint partial = getMockEndpoint("mock:partial");
        partial.expectedMessageCount(1);
        String a = rcpt("partial.test");
        String nobody = "nobody-" + a;
        String c = rcpt("partial.test");
        Exchange e = send("direct:relay", SENDER, a, nobody, c);
        SmtpDeliveryException x = failure(e, false);
        assertTrue(x.getPendingRecipients().isEmpty());
        DeliveryReport report = report(e);
        assertResult(report, a, Status.DELIVERED, 250, "2.0.0");
        RecipientResult refused = assertResult(report, nobody, Status.FAILED, 550, "5.1.1");
        assertEquals("No such user here", refused.getText());
        assertEquals("mx.partial.test", refused.getHost());
        assertResult(report, c, Status.DELIVERED, 250, "2.0.0");
        assertEquals(List.of(), e.getMessage().getHeader(SmtpRelayConstants.ENVELOPE_TO, List.class));
        partial.assertIsSatisfied();
        assertEquals(List.of(a, c), partial.getExchanges().get(0).getMessage().getHeader(SmtpServerConstants.ENVELOPE_TO),
                "one transaction for the two accepted recipients");
    }

    @Test
    void listenerWithoutQueueAnswersTheClientWithTheRelaysClassOfFailure() throws Exception {
        String nobody = "nobody-front@partial.test"; // short: a generated local part would pass 64 octets
        String refused = swaks(nobody);
        assertTrue(refused.contains("<** 550 5.1.1 <" + nobody + ">: No such user here"), refused);
        String grey = "later-front@greylist.test";
        String deferred = swaks(grey);
        assertTrue(deferred.contains("<** 451 4.7.1 <" + grey + ">: Greylisted, try again later"), deferred);
        String delivered = swaks(grey);
        assertTrue(delivered.contains("<-  250 2.0.0"), delivered);
    }

    private String swaks(String to) throws Exception {
        return Swaks.send(frontPort, SENDER, to);
    }

    @Test
    void greylistedRecipientIsRetriedAloneByCamelRedelivery() throws Exception {
        MockEndpoint greylist = getMockEndpoint("mock:greylist");
        greylist.expectedMessageCount(2);
        String a = rcpt("greylist.test");
        String grey = "later-" + a;
        String c = rcpt("greylist.test");
        Exchange e = send("direct:relay-retry", SENDER, a, grey, c);
        if (e.getException() != null) {
            throw e.getException();
        }
        greylist.assertIsSatisfied();
        assertEquals(List.of(a, c), greylist.getExchanges().get(0).getMessage().getHeader(SmtpServerConstants.ENVELOPE_TO));
        assertEquals(List.of(grey), greylist.getExchanges().get(1).getMessage().getHeader(SmtpServerConstants.ENVELOPE_TO),
                "the redelivery sends only to the recipient that was deferred");
        DeliveryReport last = report(e);
        assertEquals(3, last.getResults().size(), "the last report covers every recipient: " + last);
        assertResult(last, grey, Status.DELIVERED, 250, "2.0.0");
        assertResult(last, a, Status.DELIVERED, 250, "2.0.0");
        assertEquals(1, e.getMessage().getHeader(Exchange.REDELIVERY_COUNTER, Integer.class), "one redelivery");
    }

    @Test
    void deferredRecipientIsAllThatIsLeftForALaterAttempt() throws Exception {
        MockEndpoint greylist = getMockEndpoint("mock:greylist");
        greylist.expectedMessageCount(2);
        String a = rcpt("greylist.test");
        String grey = "later-" + a;
        Exchange first = send("direct:relay", SENDER, a, grey);
        SmtpDeliveryException x = failure(first, true);
        assertEquals(List.of(grey), x.getPendingRecipients());
        assertResult(report(first), a, Status.DELIVERED, 250, "2.0.0");
        RecipientResult deferred = assertResult(report(first), grey, Status.DEFERRED, 451, "4.7.1");
        assertEquals("Greylisted, try again later", deferred.getText());
        assertEquals(List.of(grey), first.getMessage().getHeader(SmtpRelayConstants.ENVELOPE_TO, List.class));

        // what a queue would do later: send the failed Exchange's message again, headers included
        Exchange second = template.send("direct:relay", r -> {
            r.getMessage().setHeaders(first.getMessage().getHeaders());
            r.getMessage().setBody(first.getMessage().getBody());
        });
        assertResult(report(second), grey, Status.DELIVERED, 250, "2.0.0");
        assertNull(second.getException());
        greylist.assertIsSatisfied();
        assertEquals(List.of(a), greylist.getExchanges().get(0).getMessage().getHeader(SmtpServerConstants.ENVELOPE_TO));
        assertEquals(List.of(grey), greylist.getExchanges().get(1).getMessage().getHeader(SmtpServerConstants.ENVELOPE_TO));
    }

    @Test
    void messageLargerThanThePeersSizeFailsWithoutBeingSent() throws Exception {
        MockEndpoint mail = getMockEndpoint("mock:small-mail");
        MockEndpoint small = getMockEndpoint("mock:small");
        mail.expectedMessageCount(1);
        small.expectedMessageCount(1);
        String fits = rcpt("small.test");
        delivered(send("direct:relay", SENDER, fits), fits);

        String tooBig = rcpt("small.test");
        Exchange e = sendPadded("direct:relay", ("z".repeat(76) + "\r\n").repeat(40), SENDER, tooBig);
        failure(e, false);
        RecipientResult r = assertResult(report(e), tooBig, Status.FAILED, 552, "5.3.4");
        assertEquals("mx.small.test", r.getHost());
        assertTrue(r.getText().contains("limit of 2000 octets"), r::toString);
        mail.assertIsSatisfied();
        small.assertIsSatisfied();
        assertEquals(List.of(fits), small.getExchanges().get(0).getMessage().getHeader(SmtpServerConstants.ENVELOPE_TO));
    }

    @Test
    void keptConnectionCarriesTheNextMessages() throws Exception {
        MockEndpoint partial = getMockEndpoint("mock:partial");
        partial.expectedMessageCount(6);
        for (int i = 0; i < 3; i++) {
            String to = rcpt("partial.test");
            delivered(send("direct:relay", SENDER, to), to);
        }
        for (int i = 0; i < 3; i++) {
            String to = rcpt("partial.test");
            delivered(send("direct:relay-no-reuse", SENDER, to), to);
        }
        partial.assertIsSatisfied();
        List<Object> sessions = partial.getExchanges().stream()
                .map(x -> x.getMessage().getHeader(SmtpServerConstants.SESSION_ID)).toList();
        assertEquals(1, sessions.subList(0, 3).stream().distinct().count(), "connectionReuse=true: one session " + sessions);
        assertEquals(3, sessions.subList(3, 6).stream().distinct().count(), "connectionReuse=false: three sessions " + sessions);
        assertNotEquals(sessions.get(0), sessions.get(3));
    }

    /** The peer closed the kept connection (421 idle timeout): the next message notices at RSET and opens a new one. */
    @Test
    void keptConnectionClosedByThePeerIsReplaced() throws Exception {
        MockEndpoint idle = getMockEndpoint("mock:idle");
        idle.expectedMessageCount(2);
        String first = "first-" + rcpt("x").replace("@x", "@[127.0.0.26]");
        delivered(send("direct:relay", SENDER, first), first);
        Thread.sleep(900);
        String second = "second-" + rcpt("x").replace("@x", "@[127.0.0.26]");
        delivered(send("direct:relay", SENDER, second), second);
        idle.assertIsSatisfied();
        assertNotEquals(idle.getExchanges().get(0).getMessage().getHeader(SmtpServerConstants.SESSION_ID),
                idle.getExchanges().get(1).getMessage().getHeader(SmtpServerConstants.SESSION_ID));
    }

    @Test
    void smartHostWithStartTlsAndAuth() throws Exception {
        MockEndpoint submission = getMockEndpoint("mock:submission");
        submission.expectedMessageCount(1);
        String one = rcpt("elsewhere.example");
        String two = rcpt("another.example");
        Exchange e = send("direct:smart-host", SENDER, one, two);
        if (e.getException() != null) {
            throw e.getException();
        }
        for (String to : List.of(one, two)) {
            RecipientResult r = assertResult(report(e), to, Status.DELIVERED, 250, "2.0.0");
            assertEquals("127.0.0.17", r.getHost());
            assertTrue(r.getTlsProtocol() != null && r.getTlsProtocol().startsWith("TLSv1."), r::toString);
        }
        submission.assertIsSatisfied();
        Exchange got = submission.getExchanges().get(0);
        assertEquals("alice", got.getMessage().getHeader(SmtpServerConstants.AUTHENTICATED_USER));
        assertEquals(List.of(one, two), got.getMessage().getHeader(SmtpServerConstants.ENVELOPE_TO),
                "all recipients, whatever their domain, in one transaction with the smart host");
        assertTrue(got.getMessage().getBody(String.class).contains(" with ESMTPSA id "));
    }

    @Test
    void smartHostRefusingThePasswordDefers() throws Exception {
        MockEndpoint submission = getMockEndpoint("mock:submission");
        submission.expectedMessageCount(0);
        String to = rcpt("elsewhere.example");
        Exchange e = send("direct:smart-host-wrong-password", SENDER, to);
        failure(e, true);
        RecipientResult r = assertResult(report(e), to, Status.DEFERRED, 451, "4.4.0");
        assertTrue(r.getText().contains("535 5.7.8"), r::toString);
        assertEquals("127.0.0.17", r.getHost());
        submission.assertIsSatisfied();
    }

    /**
     * The smart host offers AUTH only inside TLS; with tls=none the relay never sees AUTH offered. It then sends MAIL
     * without authenticating, gets {@code 530 5.7.0 Must issue a STARTTLS command first} and fails the recipient for
     * good, although credentials are configured and DeliveryAgent's contract says a host whose AUTH fails is skipped
     * and its recipients deferred.
     */
    @Test
    void smartHostNotOfferingAuthDefers() throws Exception {
        MockEndpoint submission = getMockEndpoint("mock:submission");
        submission.expectedMessageCount(0);
        String to = rcpt("elsewhere.example");
        Exchange e = send("direct:smart-host-no-tls", SENDER, to);
        failure(e, true);
        RecipientResult r = report(e).get(to);
        assertEquals(Status.DEFERRED, r.getStatus(), r::toString);
        assertTrue(r.getCode() >= 400 && r.getCode() < 500, r::toString);
        submission.assertIsSatisfied();
    }
}

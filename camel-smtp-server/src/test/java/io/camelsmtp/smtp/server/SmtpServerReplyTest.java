package io.camelsmtp.smtp.server;

import java.io.InputStream;
import java.util.List;

import io.camelsmtp.smtp.server.support.Messages;
import io.camelsmtp.smtp.server.support.SmtpDialogue;
import jakarta.mail.internet.MimeMessage;
import org.apache.camel.Exchange;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.StreamCache;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.mock.MockEndpoint;
import org.apache.camel.test.AvailablePortFinder;
import org.apache.camel.test.junit5.CamelTestSupport;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The reply after DATA is the route's outcome. */
class SmtpServerReplyTest extends CamelTestSupport {

    private final int port = AvailablePortFinder.getNextAvailable();

    @Override
    protected RoutesBuilder createRouteBuilder() {
        return new RouteBuilder() {
            @Override
            public void configure() {
                from("smtp-server:127.0.0.1:" + port + "?acceptedDomains=example.org&hostName=mx.example.org"
                     + "&mapMailHeaders=true&replyTimeout=1s")
                        .choice()
                            .when(header("CamelSmtpEnvelopeFrom").isEqualTo("reject@client.test"))
                                .throwException(new SmtpRejectException(550, "5.7.1", "Not from you"))
                            .when(header("CamelSmtpEnvelopeFrom").isEqualTo("yaml@client.test"))
                                .throwException(SmtpRejectException.class, "554 5.7.0 Refused by rule")
                            .when(header("CamelSmtpEnvelopeFrom").isEqualTo("fail@client.test"))
                                .throwException(new IllegalStateException("database down"))
                            .when(header("CamelSmtpEnvelopeFrom").isEqualTo("text@client.test"))
                                .setHeader("CamelSmtpReply", constant("Thanks, filed as ticket 42"))
                            .when(header("CamelSmtpEnvelopeFrom").isEqualTo("refuse@client.test"))
                                .setHeader("CamelSmtpReply", constant("452 4.2.2 Mailbox full"))
                            .when(header("CamelSmtpEnvelopeFrom").isEqualTo("async@client.test"))
                                .to("seda:slow?waitForTaskToComplete=Always")
                            .when(header("CamelSmtpEnvelopeFrom").isEqualTo("stuck@client.test"))
                                .to("direct:stuck")
                        .end()
                        .to("mock:inbox");
                from("seda:slow").delay(300).to("mock:slow");
                from("direct:stuck").delay(3000).asyncDelayed();
            }
        };
    }

    @Test
    void acceptsOnlyAfterTheRouteCompletedAndSetsHeaders() throws Exception {
        MockEndpoint inbox = getMockEndpoint("mock:inbox");
        inbox.expectedMessageCount(1);
        try (SmtpDialogue s = SmtpDialogue.open(port)) {
            assertTrue(s.greeting().startsWith("220 mx.example.org ESMTP"), s.greeting());
            s.ehlo("client.test");
            String reply = s.send("alice@client.test", "bob@example.org", Messages.simple("hello"));
            assertTrue(reply.matches("250 2\\.0\\.0 Ok: queued as [0-9A-F]{18}"), reply);
            inbox.assertIsSatisfied();
            Exchange e = inbox.getExchanges().get(0);
            String queueId = reply.substring(reply.lastIndexOf(' ') + 1);
            assertEquals(queueId, e.getMessage().getHeader(SmtpServerConstants.MESSAGE_ID));
            assertEquals("alice@client.test", e.getMessage().getHeader(SmtpServerConstants.ENVELOPE_FROM));
            assertEquals(List.of("bob@example.org"), e.getMessage().getHeader(SmtpServerConstants.ENVELOPE_TO));
            assertEquals("client.test", e.getMessage().getHeader(SmtpServerConstants.HELO));
            assertEquals("127.0.0.1", e.getMessage().getHeader(SmtpServerConstants.REMOTE_ADDRESS));
            assertEquals(port, e.getMessage().getHeader(SmtpServerConstants.LOCAL_PORT));
            assertEquals("7BIT", e.getMessage().getHeader(SmtpServerConstants.BODY_TYPE));
            assertEquals(Boolean.FALSE, e.getMessage().getHeader(SmtpServerConstants.UTF8));
            assertNull(e.getMessage().getHeader(SmtpServerConstants.TLS_PROTOCOL));
            assertNull(e.getMessage().getHeader(SmtpServerConstants.AUTHENTICATED_USER));
            assertEquals("hello", e.getMessage().getHeader("Subject"), e.getMessage().getHeaders().toString());
            assertInstanceOf(StreamCache.class, e.getMessage().getBody());
            String body = e.getMessage().getBody(String.class);
            assertTrue(body.startsWith("Received: from client.test ([127.0.0.1])\r\n\tby mx.example.org (camel-smtp) with ESMTP id "
                                       + queueId + "\r\n\tfor <bob@example.org>; "), body);
            assertTrue(body.endsWith("\r\n\r\nHello hello\r\n"), body);
            MimeMessage mime = e.getMessage().getBody(MimeMessage.class);
            assertEquals("hello", mime.getSubject());
            assertEquals(body, e.getMessage().getBody(String.class), "converting left the body readable from its start");
            assertEquals(queueId, e.getMessage().getHeader(SmtpServerConstants.MESSAGE_ID));
        }
    }

    @Test
    void secondMessageOnTheSameSessionGetsItsOwnExchange() throws Exception {
        MockEndpoint inbox = getMockEndpoint("mock:inbox");
        inbox.expectedMessageCount(2);
        try (SmtpDialogue s = SmtpDialogue.open(port).ehlo("client.test")) {
            String first = s.send("alice@client.test", "bob@example.org", Messages.simple("one"));
            String second = s.send("alice@client.test", "carol@example.org", Messages.simple("two"));
            assertTrue(first.startsWith("250 2.0.0"), first);
            assertTrue(second.startsWith("250 2.0.0"), second);
            assertTrue(!first.equals(second));
        }
        inbox.assertIsSatisfied();
        assertEquals(List.of("carol@example.org"),
                inbox.getExchanges().get(1).getMessage().getHeader(SmtpServerConstants.ENVELOPE_TO));
    }

    @Test
    void smtpRejectExceptionGivesExactlyThatReply() throws Exception {
        getMockEndpoint("mock:inbox").expectedMessageCount(0);
        try (SmtpDialogue s = SmtpDialogue.open(port).ehlo("client.test")) {
            assertEquals("550 5.7.1 Not from you", s.send("reject@client.test", "bob@example.org", Messages.simple("x")));
            assertEquals("554 5.7.0 Refused by rule", s.send("yaml@client.test", "bob@example.org", Messages.simple("y")));
            assertEquals("250 2.0.0 Ok", s.cmd("NOOP"), "session still usable");
        }
        getMockEndpoint("mock:inbox").assertIsSatisfied();
    }

    @Test
    void anyOtherFailureIsTemporarySoNothingIsLost() throws Exception {
        try (SmtpDialogue s = SmtpDialogue.open(port).ehlo("client.test")) {
            assertEquals("451 4.3.0 Temporary failure, try again later",
                    s.send("fail@client.test", "bob@example.org", Messages.simple("x")));
            assertTrue(s.send("alice@client.test", "bob@example.org", Messages.simple("y")).startsWith("250 "));
        }
    }

    @Test
    void replyHeaderChoosesTheText() throws Exception {
        try (SmtpDialogue s = SmtpDialogue.open(port).ehlo("client.test")) {
            assertEquals("250 2.0.0 Thanks, filed as ticket 42",
                    s.send("text@client.test", "bob@example.org", Messages.simple("x")));
            assertEquals("452 4.2.2 Mailbox full", s.send("refuse@client.test", "bob@example.org", Messages.simple("y")));
        }
    }

    @Test
    void asynchronousRouteIsAwaited() throws Exception {
        MockEndpoint slow = getMockEndpoint("mock:slow");
        slow.expectedMessageCount(1);
        try (SmtpDialogue s = SmtpDialogue.open(port).ehlo("client.test")) {
            String reply = s.send("async@client.test", "bob@example.org", Messages.simple("x"));
            assertTrue(reply.startsWith("250 2.0.0"), reply);
            slow.assertIsSatisfied(0);
        }
    }

    @Test
    void routeSlowerThanReplyTimeoutGets451() throws Exception {
        try (SmtpDialogue s = SmtpDialogue.open(port).ehlo("client.test")) {
            long t0 = System.nanoTime();
            assertEquals("451 4.4.7 Delivery time expired, try again later",
                    s.send("stuck@client.test", "bob@example.org", Messages.simple("x")));
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(ms >= 900 && ms < 2900, "waited " + ms + " ms");
        }
    }

    @Test
    void creatingAProducerFailsClearly() {
        Exception e = org.junit.jupiter.api.Assertions.assertThrows(Exception.class,
                () -> template.sendBody("smtp-server:127.0.0.1:" + port, "x"));
        Throwable root = e;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        assertTrue(root.getMessage().contains("smtp-relay"), root.getMessage());
    }

    @Test
    void bodyStreamIsReadableTwice() throws Exception {
        MockEndpoint inbox = getMockEndpoint("mock:inbox");
        inbox.expectedMessageCount(1);
        try (SmtpDialogue s = SmtpDialogue.open(port).ehlo("client.test")) {
            s.send("alice@client.test", "bob@example.org", Messages.simple("twice"));
        }
        inbox.assertIsSatisfied();
        StreamCache body = inbox.getExchanges().get(0).getMessage().getBody(StreamCache.class);
        String a = new String(((InputStream) body).readAllBytes());
        body.reset();
        String b = new String(((InputStream) body).readAllBytes());
        assertEquals(a, b);
    }
}

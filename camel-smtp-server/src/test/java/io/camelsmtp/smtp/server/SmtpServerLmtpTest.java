package io.camelsmtp.smtp.server;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.camelsmtp.smtp.server.support.SmtpDialogue;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.test.AvailablePortFinder;
import org.apache.camel.test.junit5.CamelTestSupport;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The LMTP listener (lmtp=true, RFC 2033) at the protocol level, with misuse: HELO/EHLO refused, MAIL before LHLO,
 * one reply per accepted recipient after DATA and after BDAT LAST taken from CamelSmtpRecipientReplies, recipients the
 * map does not name getting the route's reply, keys naming no recipient ignored, malformed replies failing closed to
 * 451 4.3.0, a header that is no Map, a failing route answered alike for every recipient, and LHLO unknown in SMTP mode.
 * Real peers (Postfix, Python smtplib.LMTP) are in peers.PeerPostfixLmtpTest.
 */
class SmtpServerLmtpTest extends CamelTestSupport {

    private static final int LMTP = AvailablePortFinder.getNextAvailable();
    private static final int SMTP = AvailablePortFinder.getNextAvailable();

    @Override
    protected RoutesBuilder createRouteBuilder() {
        return new RouteBuilder() {
            @Override
            public void configure() {
                from("smtp-server:127.0.0.1:" + LMTP + "?lmtp=true&acceptedDomains=*&hostName=mailbox.test")
                        .routeId("lmtp")
                        .process(e -> {
                            Map<String, Object> replies = new LinkedHashMap<>();
                            List<?> to = e.getMessage().getHeader(SmtpServerConstants.ENVELOPE_TO, List.class);
                            for (Object r : to) {
                                String rcpt = r.toString();
                                if (rcpt.startsWith("full@")) {
                                    replies.put(rcpt.toUpperCase(), "452 4.2.2 Mailbox full");
                                } else if (rcpt.startsWith("gone@")) {
                                    replies.put(rcpt, "550 5.1.1 No such user");
                                } else if (rcpt.startsWith("typo@")) {
                                    replies.put(rcpt, "25O 2.0.0 delivered");
                                } else if (rcpt.startsWith("multi@")) {
                                    replies.put(rcpt, "250 ok\r\n250 injected");
                                } else if (rcpt.startsWith("boom@")) {
                                    throw new IllegalStateException("route failed");
                                } else if (rcpt.startsWith("nomap@")) {
                                    e.getMessage().setHeader(SmtpServerConstants.RECIPIENT_REPLIES, "550 not a map");
                                    return;
                                }
                            }
                            replies.put("stranger@example.org", "550 5.1.1 not in this message");
                            e.getMessage().setHeader(SmtpServerConstants.RECIPIENT_REPLIES, replies);
                        });
                from("smtp-server:127.0.0.1:" + SMTP + "?acceptedDomains=*").routeId("smtp")
                        .setHeader(SmtpServerConstants.RECIPIENT_REPLIES,
                                constant(Map.of("gone@example.org", "550 5.1.1 No such user")));
            }
        };
    }

    private static List<String> deliver(SmtpDialogue d, String... rcpts) throws Exception {
        assertTrue(d.cmd("MAIL FROM:<a@client.test>").startsWith("250"));
        for (String r : rcpts) {
            assertTrue(d.cmd("RCPT TO:<" + r + ">").startsWith("250"));
        }
        assertTrue(d.cmd("DATA").startsWith("354"));
        String first = d.data("Subject: t\r\n\r\nbody\r\n");
        List<String> replies = new java.util.ArrayList<>(List.of(first));
        for (int i = 1; i < rcpts.length; i++) {
            replies.add(d.reply());
        }
        return replies;
    }

    @Test
    void heloAndEhloAreRefusedAndMailNeedsLhlo() throws Exception {
        try (SmtpDialogue d = SmtpDialogue.open(LMTP)) {
            assertTrue(d.cmd("EHLO client.test").startsWith("500 5.5.1 "), "EHLO");
            assertTrue(d.cmd("HELO client.test").startsWith("500 5.5.1 "), "HELO");
            assertEquals("503 5.5.1 Error: send LHLO first", d.cmd("MAIL FROM:<a@client.test>"));
            String lhlo = d.cmd("LHLO client.test");
            assertTrue(lhlo.startsWith("250-mailbox.test"), lhlo);
            for (String ext : List.of("PIPELINING", "ENHANCEDSTATUSCODES", "8BITMIME", "SMTPUTF8", "CHUNKING")) {
                assertTrue(lhlo.contains(ext), ext + " in " + lhlo);
            }
            assertTrue(d.cmd("MAIL FROM:<a@client.test>").startsWith("250"));
        }
    }

    @Test
    void oneReplyPerRecipientInRcptOrder() throws Exception {
        try (SmtpDialogue d = SmtpDialogue.open(LMTP)) {
            d.cmd("LHLO client.test");
            List<String> replies = deliver(d, "ok@example.org", "full@example.org", "gone@example.org",
                    "ok2@example.org");
            assertTrue(replies.get(0).startsWith("250 2.0.0 Ok: queued as "), replies.toString());
            assertEquals("452 4.2.2 Mailbox full", replies.get(1), "matched ignoring case");
            assertEquals("550 5.1.1 No such user", replies.get(2));
            assertEquals(replies.get(0), replies.get(3), "no reply of its own: the route's");
            // the session goes on: no extra reply is pending
            assertTrue(d.cmd("NOOP").startsWith("250"));
        }
    }

    @Test
    void malformedRepliesFailClosed() throws Exception {
        try (SmtpDialogue d = SmtpDialogue.open(LMTP)) {
            d.cmd("LHLO client.test");
            List<String> replies = deliver(d, "typo@example.org", "multi@example.org", "ok@example.org");
            assertEquals("451 4.3.0 Temporary failure, try again later", replies.get(0));
            assertEquals("451 4.3.0 Temporary failure, try again later", replies.get(1));
            assertTrue(replies.get(2).startsWith("250 2.0.0 "), replies.toString());
            assertTrue(d.cmd("NOOP").startsWith("250"));
        }
    }

    @Test
    void aHeaderThatIsNoMapAndAFailingRouteGiveEveryRecipientTheSame4xx() throws Exception {
        try (SmtpDialogue d = SmtpDialogue.open(LMTP)) {
            d.cmd("LHLO client.test");
            assertEquals(List.of("451 4.3.0 Temporary failure, try again later",
                    "451 4.3.0 Temporary failure, try again later"), deliver(d, "ok@example.org", "nomap@example.org"));
            assertEquals(List.of("451 4.3.0 Temporary failure, try again later",
                    "451 4.3.0 Temporary failure, try again later"), deliver(d, "boom@example.org", "ok@example.org"));
            assertTrue(d.cmd("NOOP").startsWith("250"));
        }
    }

    @Test
    void bdatLastGetsOneReplyPerRecipient() throws Exception {
        try (SmtpDialogue d = SmtpDialogue.open(LMTP)) {
            d.cmd("LHLO client.test");
            assertTrue(d.cmd("MAIL FROM:<a@client.test>").startsWith("250"));
            assertTrue(d.cmd("RCPT TO:<gone@example.org>").startsWith("250"));
            assertTrue(d.cmd("RCPT TO:<ok@example.org>").startsWith("250"));
            String content = "Subject: t\r\n\r\nbody\r\n";
            d.write("BDAT " + content.length() + " LAST\r\n" + content);
            assertEquals("550 5.1.1 No such user", d.reply());
            assertTrue(d.reply().startsWith("250 2.0.0 "));
            assertTrue(d.cmd("NOOP").startsWith("250"));
        }
    }

    @Test
    void aRefusedChunkBeforeLastGetsOneReply() throws Exception {
        try (SmtpDialogue d = SmtpDialogue.open(LMTP)) {
            d.cmd("LHLO client.test");
            assertTrue(d.cmd("MAIL FROM:<a@client.test>").startsWith("250"));
            assertTrue(d.cmd("RCPT TO:<ok@example.org>").startsWith("250"));
            assertTrue(d.cmd("RCPT TO:<ok2@example.org>").startsWith("250"));
            String bareLf = "Subject: t\n\nbody\n";
            d.write("BDAT " + bareLf.length() + "\r\n" + bareLf);
            String refusal = d.reply();
            assertTrue(refusal.startsWith("5"), refusal);
            assertTrue(d.cmd("NOOP").startsWith("250"), "one reply only: nothing else pending");
        }
    }

    @Test
    void smtpModeIsUnchanged() throws Exception {
        try (SmtpDialogue d = SmtpDialogue.open(SMTP)) {
            assertTrue(d.cmd("LHLO client.test").startsWith("500 5.5.2 "));
            d.ehlo("client.test");
            assertTrue(d.cmd("MAIL FROM:<a@client.test>").startsWith("250"));
            assertTrue(d.cmd("RCPT TO:<gone@example.org>").startsWith("250"));
            assertTrue(d.cmd("RCPT TO:<ok@example.org>").startsWith("250"));
            assertTrue(d.cmd("DATA").startsWith("354"));
            assertTrue(d.data("Subject: t\r\n\r\nbody\r\n").startsWith("250 2.0.0 Ok: queued as "));
            assertTrue(d.cmd("NOOP").startsWith("250"), "one reply only after DATA in SMTP mode");
        }
    }
}

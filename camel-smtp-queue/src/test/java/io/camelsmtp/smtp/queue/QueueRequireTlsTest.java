package io.camelsmtp.smtp.queue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;

import io.camelsmtp.smtp.common.SmtpReply;
import io.camelsmtp.smtp.common.SmtpReplyException;
import jakarta.mail.BodyPart;
import jakarta.mail.Multipart;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * REQUIRETLS (RFC 8689) in the queue: the flag is stored with the message, survives a restart both in a segment (never
 * tried) and in a deferred file (tried, deferred), is set on every delivery attempt, and the bounce of such a message
 * returns only its header section and is itself sent without REQUIRETLS.
 */
class QueueRequireTlsTest {

    private static final String SECRET = "the secret body";

    @TempDir
    Path spool;

    private final List<Exchange> attempts = new CopyOnWriteArrayList<>();
    private final List<CamelContext> contexts = new ArrayList<>();

    @AfterEach
    void stopAll() {
        contexts.forEach(CamelContext::stop);
    }

    /** A context with the queue's producer and, when {@code deliverLocal} is not null, a delivery route. */
    private CamelContext start(String deliverOptions, boolean withDelivery) throws Exception {
        CamelContext c = new DefaultCamelContext();
        contexts.add(c);
        c.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:in").to("smtp-queue:q?spoolDirectory=" + spool);
                if (withDelivery) {
                    from("smtp-queue:q?spoolDirectory=" + spool + "&reportingMta=mta.example.org&" + deliverOptions)
                            .process(QueueRequireTlsTest.this::deliver);
                }
            }
        });
        c.start();
        return c;
    }

    private void deliver(Exchange e) throws Exception {
        Exchange copy = e.copy();
        copy.getMessage().setBody(e.getMessage().getBody(byte[].class));
        attempts.add(copy);
        String to = (String) e.getMessage().getHeader(SmtpQueueConstants.ENVELOPE_TO, List.class).get(0);
        if (to.startsWith("temp")) {
            throw new SmtpReplyException(SmtpReply.of(451, "4.4.1", "Connection timed out"));
        }
        if (to.startsWith("perm")) {
            throw new SmtpReplyException(SmtpReply.of(550, "5.7.30", "REQUIRETLS support required"));
        }
    }

    private static void enqueue(CamelContext c, String to, boolean requireTls, String ret) {
        Exchange ex = c.createProducerTemplate().send("direct:in", e -> {
            e.getMessage().setHeader(SmtpQueueConstants.ENVELOPE_FROM, "alice@example.org");
            e.getMessage().setHeader(SmtpQueueConstants.ENVELOPE_TO, new ArrayList<>(List.of(to)));
            if (requireTls) {
                e.getMessage().setHeader(SmtpQueueConstants.REQUIRE_TLS_OPTION, true);
            }
            if (ret != null) {
                e.getMessage().setHeader(SmtpQueueConstants.DSN_RET, ret);
            }
            e.getMessage().setBody("From: <alice@example.org>\r\nTo: <" + to + ">\r\nSubject: confidential\r\n\r\n"
                                   + SECRET + "\r\n");
        });
        assertFalse(ex.isFailed(), () -> "enqueue failed: " + ex.getException());
    }

    private List<Exchange> attemptsFor(String recipient) {
        return attempts.stream().filter(e -> e.getMessage().getHeader(SmtpQueueConstants.ENVELOPE_TO, List.class)
                .contains(recipient)).toList();
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long end = System.currentTimeMillis() + 10_000;
        while (!condition.getAsBoolean()) {
            if (System.currentTimeMillis() > end) {
                fail("timed out waiting for: " + what);
            }
            Thread.sleep(20);
        }
    }

    @Test
    void aNeverTriedMessageKeepsTheFlagAcrossARestart() throws Exception {
        CamelContext first = start(null, false);
        enqueue(first, "ok@example.net", true, null);
        enqueue(first, "plain@example.net", false, null);
        first.stop();

        start("minBackoff=150", true);
        await("both delivered after the restart", () -> attempts.size() == 2);
        assertEquals(Boolean.TRUE, attemptsFor("ok@example.net").get(0).getMessage().getHeader(SmtpQueueConstants.REQUIRE_TLS_OPTION));
        assertNull(attemptsFor("plain@example.net").get(0).getMessage().getHeader(SmtpQueueConstants.REQUIRE_TLS_OPTION));
    }

    @Test
    void aDeferredMessageKeepsTheFlagAcrossARestart() throws Exception {
        CamelContext first = start("minBackoff=60000&maxBackoff=60000", true);
        enqueue(first, "temp@example.net", true, null);
        await("first attempt", () -> attempts.size() == 1);
        assertEquals(Boolean.TRUE, attempts.get(0).getMessage().getHeader(SmtpQueueConstants.REQUIRE_TLS_OPTION));
        Thread.sleep(200); // the deferral is written after the route returns
        first.stop();
        attempts.clear();

        CamelContext second = start("minBackoff=60000&maxBackoff=60000", true);
        SmtpQueueConsumer consumer = (SmtpQueueConsumer) second.getRoutes().stream()
                .filter(r -> r.getConsumer() instanceof SmtpQueueConsumer).findFirst().orElseThrow().getConsumer();
        consumer.flush();
        await("tried again after the restart", () -> attempts.size() == 1);
        assertEquals(Boolean.TRUE, attempts.get(0).getMessage().getHeader(SmtpQueueConstants.REQUIRE_TLS_OPTION),
                "read back from the deferred file");
    }

    @Test
    void theBounceOfARequireTlsMessageReturnsHeadersOnlyAndIsSentWithoutIt() throws Exception {
        CamelContext c = start("minBackoff=150", true);
        enqueue(c, "perm@example.net", true, "FULL");
        await("the bounce delivered to the sender", () -> attemptsFor("alice@example.org").size() == 1);
        Exchange dsn = attemptsFor("alice@example.org").get(0);
        assertEquals("dsn", dsn.getMessage().getHeader(SmtpQueueConstants.KIND));
        assertNull(dsn.getMessage().getHeader(SmtpQueueConstants.REQUIRE_TLS_OPTION), "a bounce goes without REQUIRETLS");
        MimeMessage m = new MimeMessage(Session.getInstance(new Properties()),
                new ByteArrayInputStream(dsn.getMessage().getBody(byte[].class)));
        String status = part(m, 1);
        assertTrue(status.contains("Status: 5.7.30"), status);
        BodyPart returned = ((Multipart) m.getContent()).getBodyPart(2);
        assertTrue(returned.getContentType().startsWith("text/rfc822-headers"), returned.getContentType());
        String all = new String(dsn.getMessage().getBody(byte[].class), StandardCharsets.UTF_8);
        assertTrue(all.contains("Subject: confidential"), "the header section is returned");
        assertFalse(all.contains(SECRET), "RET=FULL is not honoured for a REQUIRETLS message: " + all);
    }

    @Test
    void withoutTheFlagRetFullStillReturnsTheBody() throws Exception {
        CamelContext c = start("minBackoff=150", true);
        enqueue(c, "perm@example.net", false, "FULL");
        await("the bounce delivered to the sender", () -> attemptsFor("alice@example.org").size() == 1);
        String all = new String(attemptsFor("alice@example.org").get(0).getMessage().getBody(byte[].class), StandardCharsets.UTF_8);
        assertTrue(all.contains(SECRET), all);
    }

    private static String part(MimeMessage m, int i) throws Exception {
        BodyPart p = ((Multipart) m.getContent()).getBodyPart(i);
        try (var in = p.getInputStream()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}

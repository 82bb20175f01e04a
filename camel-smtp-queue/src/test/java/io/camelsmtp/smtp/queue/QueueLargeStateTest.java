package io.camelsmtp.smtp.queue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

import io.camelsmtp.smtp.common.DeliveryReport;
import io.camelsmtp.smtp.common.RecipientResult;
import io.camelsmtp.smtp.common.SmtpEnvelopeHeaders;
import io.camelsmtp.smtp.common.SmtpReply;
import io.camelsmtp.smtp.common.SmtpReplyException;
import io.camelsmtp.smtp.queue.spool.RetryState;
import io.camelsmtp.smtp.queue.spool.Spool;
import io.camelsmtp.smtp.queue.spool.SpoolEntry;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.test.junit5.CamelTestSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * What a next hop says is kept with a deferred message, and the next start must read it back: a huge multi-line
 * reply, or a thousand recipients each with a long one, must neither make the envelope file unreadable (moved to
 * corrupt/, the mail never delivered nor bounced) nor grow without bound.
 */
class QueueLargeStateTest extends CamelTestSupport {

    private static final int LIMIT = RetryState.MAX_REPLY_OCTETS;

    @TempDir
    Path spool;

    private final List<String> deferred = new java.util.concurrent.CopyOnWriteArrayList<>();

    private void start(org.apache.camel.Processor deliver) throws Exception {
        context.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:in").to("smtp-queue:big?spoolDirectory=" + spool);
                from("direct:events").filter(simple("${header.CamelSmtpEventType} == 'deferred'"))
                        .process(e -> deferred.add(e.getMessage().getHeader("CamelSmtpEventRecipient", String.class)));
                from("smtp-queue:big?spoolDirectory=" + spool + "&minBackoff=1h&eventsUri=direct:events").process(deliver);
            }
        });
    }

    private void send(List<String> to) {
        Exchange ex = template.send("direct:in", e -> {
            e.getMessage().setHeader(SmtpQueueConstants.ENVELOPE_FROM, "alice@example.org");
            e.getMessage().setHeader(SmtpQueueConstants.ENVELOPE_TO, new ArrayList<>(to));
            e.getMessage().setBody("From: <alice@example.org>\r\nSubject: many\r\n\r\nhello\r\n");
        });
        assertFalse(ex.isFailed(), () -> "enqueue failed: " + ex.getException());
    }

    /** Stops the queue and opens its spool as the next start would. */
    private SpoolEntry restart() throws Exception {
        context.stop();
        Spool again = new Spool(spool, 1 << 20);
        try {
            List<SpoolEntry> back = again.open();
            try (Stream<Path> c = Files.list(spool.resolve("corrupt"))) {
                assertEquals(List.of(), c.toList(), "nothing moved aside");
            }
            assertEquals(1, back.size(), "the message is still waiting");
            return back.get(0);
        } finally {
            again.close();
        }
    }

    private static String text(int octets, String line) {
        StringBuilder sb = new StringBuilder();
        while (sb.length() < octets) {
            sb.append(line).append('\n');
        }
        return sb.toString();
    }

    @Test
    void aThousandDeferredRecipientsWithLongRepliesSurviveARestartAllPending() throws Exception {
        start(e -> {
            List<?> to = e.getMessage().getHeader(SmtpQueueConstants.ENVELOPE_TO, List.class);
            List<RecipientResult> results = new ArrayList<>();
            for (Object r : to) {
                SmtpReply reply = SmtpReply.of(450, "4.2.0", text(4096, r + " mailbox busy, \u00e9t\u00e9 try later"));
                results.add(RecipientResult.of((String) r, reply, "mx.example.net", "192.0.2.1", null));
            }
            e.getMessage().setHeader(SmtpEnvelopeHeaders.DELIVERY_REPORT, new DeliveryReport(results));
        });
        List<String> to = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            to.add("user" + i + "@example.net");
        }
        send(to);
        await("1000 deferred", () -> deferred.size() == 1000);
        SpoolEntry back = restart();
        assertEquals(to, back.pending().stream().map(SpoolEntry.Recipient::address).toList(), "every one still pending");
        for (int i = 0; i < 1000; i++) {
            String reply = back.retry().lastReply(i);
            assertTrue(reply.startsWith("450-4.2.0 user" + i + "@example.net mailbox busy"), reply);
            assertTrue(reply.getBytes(StandardCharsets.UTF_8).length <= LIMIT, "bounded: " + reply.length());
        }
        assertTrue(Files.size(spool.resolve("deferred/" + back.id() + ".env")) < 4 << 20, "the file stays bounded");
    }

    @Test
    void aMegabyteLongMultiLineReplyIsTruncatedAndTheMessageKept() throws Exception {
        String huge = text(1_200_000, "this next hop talks far too much");
        start(e -> {
            throw new SmtpReplyException(SmtpReply.of(450, "4.7.1", huge));
        });
        send(List.of("bob@example.net"));
        await("deferred", () -> deferred.size() == 1);
        SpoolEntry back = restart();
        assertEquals(1, back.pending().size());
        String error = back.retry().lastError();
        assertTrue(error.startsWith("450-4.7.1 this next hop talks far too much"), error);
        assertTrue(error.getBytes(StandardCharsets.UTF_8).length <= LIMIT, "bounded: " + error.length());
        assertTrue(back.retry().lastReply(0).getBytes(StandardCharsets.UTF_8).length <= LIMIT);
        assertTrue(Files.size(spool.resolve("deferred/" + back.id() + ".env")) < 16 << 10, "the file stays small");
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long end = System.currentTimeMillis() + 20_000;
        while (!condition.getAsBoolean()) {
            if (System.currentTimeMillis() > end) {
                fail("timed out waiting for: " + what);
            }
            Thread.sleep(20);
        }
    }
}

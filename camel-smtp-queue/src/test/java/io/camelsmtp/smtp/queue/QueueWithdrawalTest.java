package io.camelsmtp.smtp.queue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

import io.camelsmtp.smtp.common.DeliveryCancellation;
import io.camelsmtp.smtp.common.DeliveryReport;
import io.camelsmtp.smtp.common.RecipientResult;
import io.camelsmtp.smtp.common.SmtpEnvelopeHeaders;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.test.junit5.CamelTestSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * An operator holds or deletes a message while an attempt to deliver it runs. The delivery route here stands for
 * smtp-relay: it blocks (as a slow MX would) until the test has held or deleted the message, then asks
 * {@link DeliveryCancellation} as the relay does before DATA and, when withdrawn, reports its recipients deferred with
 * {@link DeliveryCancellation#REPLY}. The queue must count no attempt and report no deferral for that.
 */
class QueueWithdrawalTest extends CamelTestSupport {

    @TempDir
    Path spool;

    private final List<DeliveryEvent> events = new CopyOnWriteArrayList<>();
    /** Per attempt the route saw: the recipients, the attempt header, and whether it was withdrawn by then. */
    private final List<String> seen = new CopyOnWriteArrayList<>();
    private volatile CountDownLatch entered = new CountDownLatch(1);
    private volatile CountDownLatch proceed = new CountDownLatch(1);

    private void start(String options) throws Exception {
        context.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:events").process(e -> events.add(e.getMessage().getBody(DeliveryEvent.class)));
                from("direct:in").to("smtp-queue:w?spoolDirectory=" + spool);
                from("smtp-queue:w?spoolDirectory=" + spool + "&minBackoff=100&maxBackoff=200&eventsUri=direct:events"
                     + "&delayWarningTime=1&postmaster=postmaster@example.org" + options)
                        .process(QueueWithdrawalTest.this::deliver);
            }
        });
    }

    /** Blocks on the first attempt until released; then behaves like the relay asked to withdraw before DATA. */
    private void deliver(Exchange e) throws Exception {
        @SuppressWarnings("unchecked")
        List<String> to = e.getMessage().getHeader(SmtpQueueConstants.ENVELOPE_TO, List.class);
        if (to.get(0).endsWith("@block.example")) {
            entered.countDown();
            assertTrue(proceed.await(10, TimeUnit.SECONDS), "the test never released the route");
        }
        boolean withdrawn = DeliveryCancellation.isCancelled(e);
        seen.add(to + " attempt=" + e.getMessage().getHeader(SmtpQueueConstants.ATTEMPT) + " withdrawn=" + withdrawn);
        if (withdrawn) {
            List<RecipientResult> results = new ArrayList<>();
            for (String r : to) {
                results.add(new RecipientResult(r, RecipientResult.Status.DEFERRED, DeliveryCancellation.REPLY, null,
                        null, null, null));
            }
            e.getMessage().setHeader(SmtpEnvelopeHeaders.DELIVERY_REPORT, new DeliveryReport(results));
        }
    }

    private String send(String... to) {
        Exchange ex = template.send("direct:in", e -> {
            e.getMessage().setHeader(SmtpQueueConstants.ENVELOPE_FROM, "alice@example.org");
            e.getMessage().setHeader(SmtpQueueConstants.ENVELOPE_TO, new ArrayList<>(List.of(to)));
            e.getMessage().setBody("From: <alice@example.org>\r\nSubject: withdraw\r\n\r\nhello\r\n");
        });
        assertFalse(ex.isFailed(), () -> "enqueue failed: " + ex.getException());
        return ex.getMessage().getHeader(SmtpQueueConstants.QUEUE_ID, String.class);
    }

    private MailQueue queue() {
        return context.getComponent("smtp-queue", SmtpQueueComponent.class).getQueue("w");
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

    private List<String> eventTypes() {
        return events.stream().map(DeliveryEvent::type).toList();
    }

    @Test
    void aMessageHeldDuringItsAttemptIsWithdrawnStaysHeldAndCountsNoAttempt() throws Exception {
        start("");
        String id = send("bob@block.example");
        assertTrue(entered.await(10, TimeUnit.SECONDS), "the attempt never started");
        assertEquals("active", queue().get(id).status());
        assertTrue(queue().hold(id));
        proceed.countDown();
        await("the attempt settled", () -> !"active".equals(queue().get(id).status()));
        assertEquals(List.of("[bob@block.example] attempt=1 withdrawn=true"), seen, "the route saw the withdrawal");
        QueueItem held = queue().get(id);
        assertEquals("held", held.status());
        assertEquals(0, held.attempts(), "a withdrawn attempt is not an attempt");
        assertNull(held.lastError(), "nor a deferral");
        Thread.sleep(300);
        assertEquals(List.of(DeliveryEvent.QUEUED), eventTypes(), "no deferral event, no delay notification");
        assertEquals(1, seen.size(), "held: not tried again");

        entered = new CountDownLatch(1);
        assertTrue(queue().release(id));
        await("delivered after the release", () -> eventTypes().contains(DeliveryEvent.DELIVERED));
        assertEquals("[bob@block.example] attempt=1 withdrawn=false", seen.get(1), "still its first attempt");
        await("gone", () -> queue().get(id) == null);
    }

    @Test
    void aMessageDeletedDuringItsAttemptIsRemovedWithoutAnyNotification() throws Exception {
        start("");
        String id = send("bob@block.example");
        assertTrue(entered.await(10, TimeUnit.SECONDS), "the attempt never started");
        assertTrue(queue().delete(id));
        proceed.countDown();
        await("removed", () -> queue().get(id) == null);
        assertEquals(List.of("[bob@block.example] attempt=1 withdrawn=true"), seen);
        Thread.sleep(300);
        assertEquals(List.of(DeliveryEvent.QUEUED), eventTypes(), "no deferral, no bounce");
        assertEquals(1, seen.size(), "nothing sent afterwards (no notification either)");
        try (Stream<Path> f = Files.list(spool.resolve("deferred"))) {
            assertEquals(0, f.count(), "nothing left in deferred/");
        }
    }

    @Test
    void aJobNotYetStartedWhenItsMessageIsHeldIsNeverSentIntoTheRoute() throws Exception {
        start("&concurrency=1");
        String id = send("bob@block.example", "carol@other.example");
        assertTrue(entered.await(10, TimeUnit.SECONDS), "the attempt never started");
        assertTrue(queue().hold(id));
        proceed.countDown();
        await("the attempt settled", () -> !"active".equals(queue().get(id).status()));
        Thread.sleep(200);
        assertEquals(List.of("[bob@block.example] attempt=1 withdrawn=true"), seen,
                "the other domain's job was withdrawn before the route");
        assertEquals("held", queue().get(id).status());
        assertEquals(0, queue().get(id).attempts());
        assertEquals(List.of("bob@block.example", "carol@other.example"), queue().get(id).recipients());
        assertEquals(List.of(DeliveryEvent.QUEUED, DeliveryEvent.QUEUED), eventTypes());
    }
}

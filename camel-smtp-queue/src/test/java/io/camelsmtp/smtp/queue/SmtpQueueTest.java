package io.camelsmtp.smtp.queue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

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
import org.apache.camel.test.junit5.CamelTestSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The queue's behaviour in one JVM: the delivery route is a processor whose answer depends on the recipient's local
 * part ({@code ok}, {@code temp}: 451, {@code perm}: 550, {@code flaky}: 451 once, {@code slow}: 100 ms), so retries,
 * bounces, expiry and notifications can be watched without a network. Tests through real SMTP peers are in
 * {@code QueuePeerTest}.
 */
class SmtpQueueTest extends CamelTestSupport {

    @TempDir
    Path spool;

    /** Every delivery attempt the route saw: recipient -> attempt headers, in order. */
    private final List<Exchange> attempts = new CopyOnWriteArrayList<>();
    private final List<DeliveryEvent> events = new CopyOnWriteArrayList<>();
    private final Map<String, AtomicInteger> flakyCount = new ConcurrentHashMap<>();

    private String queueUri(String options) {
        String defaults = options.contains("minBackoff") ? "" : "&minBackoff=150&maxBackoff=300";
        return "smtp-queue:q?spoolDirectory=" + spool + defaults + "&reportingMta=mta.example.org"
               + "&eventsUri=direct:events" + (options.isEmpty() ? "" : "&" + options);
    }

    private void start(String options) throws Exception {
        context.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:events").process(e -> events.add(e.getMessage().getBody(DeliveryEvent.class)));
                from("direct:in").to("smtp-queue:q?spoolDirectory=" + spool);
                from(queueUri(options)).routeId("deliver").process(SmtpQueueTest.this::deliver);
            }
        });
    }

    private void deliver(Exchange e) throws Exception {
        Exchange copy = e.copy();
        copy.getMessage().setBody(e.getMessage().getBody(byte[].class));
        attempts.add(copy);
        @SuppressWarnings("unchecked")
        List<String> to = e.getMessage().getHeader(SmtpQueueConstants.ENVELOPE_TO, List.class);
        String local = to.get(0).contains("@") ? to.get(0).substring(0, to.get(0).indexOf('@')) : to.get(0);
        if (local.startsWith("slow")) {
            Thread.sleep(100);
        }
        if (local.startsWith("temp")) {
            throw new SmtpReplyException(SmtpReply.of(451, "4.4.1", "Connection timed out"));
        }
        if (local.startsWith("perm")) {
            throw new SmtpReplyException(SmtpReply.of(550, "5.1.1", "No such user " + to.get(0)));
        }
        if (local.startsWith("flaky") && flakyCount.computeIfAbsent(to.get(0), k -> new AtomicInteger()).incrementAndGet() == 1) {
            throw new SmtpReplyException(SmtpReply.of(421, "4.7.0", "Try again later"));
        }
    }

    private String send(String from, String... to) {
        return send(from, null, to);
    }

    private String send(String from, List<String> notify, String... to) {
        Exchange ex = template.send("direct:in", e -> {
            e.getMessage().setHeader(SmtpQueueConstants.ENVELOPE_FROM, from);
            e.getMessage().setHeader(SmtpQueueConstants.ENVELOPE_TO, new ArrayList<>(List.of(to)));
            if (notify != null) {
                e.getMessage().setHeader(SmtpQueueConstants.DSN_NOTIFY, notify);
            }
            e.getMessage().setBody("From: <" + from + ">\r\nTo: <" + to[0] + ">\r\nSubject: test\r\n"
                                   + "Message-ID: <m" + System.nanoTime() + "@example.org>\r\n\r\nhello\r\n");
        });
        assertFalse(ex.isFailed(), () -> "enqueue failed: " + ex.getException());
        return ex.getMessage().getHeader(SmtpQueueConstants.QUEUE_ID, String.class);
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

    private List<DeliveryEvent> events(String type) {
        return events.stream().filter(e -> e.type().equals(type)).toList();
    }

    private List<Exchange> attemptsFor(String recipient) {
        return attempts.stream().filter(e -> e.getMessage().getHeader(SmtpQueueConstants.ENVELOPE_TO, List.class)
                .contains(recipient)).toList();
    }

    private MailQueue queue() {
        return context.getComponent("smtp-queue", SmtpQueueComponent.class).getQueue("q");
    }

    private static MimeMessage parse(Exchange e) throws Exception {
        return new MimeMessage(Session.getInstance(new Properties()),
                new ByteArrayInputStream(e.getMessage().getBody(byte[].class)));
    }

    private static String part(MimeMessage m, int i) throws Exception {
        BodyPart p = ((Multipart) m.getContent()).getBodyPart(i);
        try (var in = p.getInputStream()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void deliversThroughTheRouteWithTheEnvelopeAndReportsEvents() throws Exception {
        start("");
        String id = send("alice@example.org", "ok1@example.net", "ok2@example.com");
        await("two deliveries", () -> events(DeliveryEvent.DELIVERED).size() == 2);
        assertEquals(2, attempts.size(), "one attempt per recipient domain");
        Exchange first = attempts.get(0);
        assertEquals("alice@example.org", first.getMessage().getHeader(SmtpQueueConstants.ENVELOPE_FROM));
        assertEquals(id, first.getMessage().getHeader(SmtpQueueConstants.QUEUE_ID));
        assertEquals(1, first.getMessage().getHeader(SmtpQueueConstants.ATTEMPT));
        assertEquals("mail", first.getMessage().getHeader(SmtpQueueConstants.KIND));
        assertTrue(first.getMessage().getBody(String.class).contains("Subject: test"));
        assertEquals(2, events(DeliveryEvent.QUEUED).size());
        DeliveryEvent d = events(DeliveryEvent.DELIVERED).get(0);
        assertEquals(id, d.queueId());
        assertEquals(250, d.code());
        assertEquals(1, d.attempt());
        assertTrue(d.toJson().startsWith("{\"type\":\"delivered\",\"queueId\":\"" + id + "\""), d.toJson());
        await("empty queue", () -> queue().size() == 0);
        try (Stream<Path> f = Files.list(spool.resolve("deferred"))) {
            assertEquals(0, f.count());
        }
    }

    @Test
    void theBarePostmasterIsQueuedWithTheOtherRecipientsAndDeliveredThroughTheRoute() throws Exception {
        start("");
        String id = send("a@example.org", "ok@example.net", "postmaster");
        await("both delivered", () -> events(DeliveryEvent.DELIVERED).size() == 2);
        List<Object> delivered = new ArrayList<>();
        for (Exchange attempt : attempts) {
            delivered.addAll(attempt.getMessage().getHeader(SmtpQueueConstants.ENVELOPE_TO, List.class));
            assertEquals(id, attempt.getMessage().getHeader(SmtpQueueConstants.QUEUE_ID));
        }
        assertEquals(2, attempts.size(), "one job per domain, the bare postmaster its own");
        assertTrue(delivered.containsAll(List.of("ok@example.net", "postmaster")), delivered.toString());
    }

    @Test
    void transientFailuresAreRetriedWithBackoff() throws Exception {
        start("");
        send("alice@example.org", "flaky@example.net");
        await("delivered on the second attempt", () -> events(DeliveryEvent.DELIVERED).size() == 1);
        List<DeliveryEvent> deferred = events(DeliveryEvent.DEFERRED);
        assertEquals(1, deferred.size());
        assertEquals(421, deferred.get(0).code());
        assertNotNull(deferred.get(0).nextAttempt());
        List<Exchange> tries = attemptsFor("flaky@example.net");
        assertEquals(List.of(1, 2), tries.stream().map(e -> e.getMessage().getHeader(SmtpQueueConstants.ATTEMPT, Integer.class)).toList());
        assertEquals(2, events(DeliveryEvent.DELIVERED).get(0).attempt());
    }

    @Test
    void aPermanentFailureBouncesAtOnceWithAnRfc3464Report() throws Exception {
        start("");
        String id = send("alice@example.org", "perm@example.net", "ok@example.com");
        await("the bounce delivered to the sender", () -> attemptsFor("alice@example.org").size() == 1);
        assertEquals(1, attemptsFor("perm@example.net").size(), "a 5xx is not retried");
        DeliveryEvent bounced = events(DeliveryEvent.BOUNCED).get(0);
        assertEquals("perm@example.net", bounced.recipient());
        assertEquals("5.1.1", bounced.enhancedStatus());
        Exchange dsn = attemptsFor("alice@example.org").get(0);
        assertEquals("", dsn.getMessage().getHeader(SmtpQueueConstants.ENVELOPE_FROM), "bounces come from <>");
        assertEquals("dsn", dsn.getMessage().getHeader(SmtpQueueConstants.KIND));
        MimeMessage m = parse(dsn);
        assertTrue(m.getContentType().startsWith("multipart/report"), m.getContentType());
        assertTrue(m.getContentType().contains("report-type=delivery-status"), m.getContentType());
        String status = part(m, 1);
        assertTrue(status.contains("Reporting-MTA: dns; mta.example.org"), status);
        assertTrue(status.contains("Final-Recipient: rfc822; perm@example.net"), status);
        assertTrue(status.contains("Action: failed"), status);
        assertTrue(status.contains("Status: 5.1.1"), status);
        assertTrue(status.contains("Diagnostic-Code: smtp; 550 5.1.1 No such user perm@example.net"), status);
        assertFalse(status.contains("ok@example.com"), "only the failed recipient is reported");
        assertTrue(part(m, 2).contains("Subject: test"), "the original's headers are returned");
        await("all done", () -> queue().size() == 0);
        assertTrue(events.stream().anyMatch(e -> e.type().equals(DeliveryEvent.QUEUED) && !e.queueId().equals(id)),
                "the bounce is queued like any message");
    }

    @Test
    void whatIsStillDeferredAfterTheLifetimeExpiresAndBounces() throws Exception {
        start("maxQueueLifetime=500");
        send("alice@example.org", "temp@example.net");
        await("expiry bounce delivered", () -> attemptsFor("alice@example.org").size() == 1);
        assertTrue(attemptsFor("temp@example.net").size() >= 2, "retried before it expired");
        assertEquals(1, events(DeliveryEvent.EXPIRED).size());
        String status = part(parse(attemptsFor("alice@example.org").get(0)), 1);
        assertTrue(status.contains("Action: failed"), status);
        assertTrue(status.contains("Status: 4.4.1"), status);
        assertTrue(status.contains("Diagnostic-Code: smtp; 451 4.4.1 Connection timed out"), status);
    }

    @Test
    void mailFromTheNullSenderNeverBouncesButThePostmasterIsTold() throws Exception {
        start("postmaster=postmaster@example.org");
        send("", "perm@example.net");
        await("notice to the postmaster", () -> attemptsFor("postmaster@example.org").size() == 1);
        assertEquals("postmaster", attemptsFor("postmaster@example.org").get(0).getMessage().getHeader(SmtpQueueConstants.KIND));
        Thread.sleep(300);
        assertEquals(2, attempts.size(), "the failed message and the notice, nothing else");
    }

    @Test
    void aFailingNoticeToThePostmasterIsOnlyLogged() throws Exception {
        start("postmaster=perm-postmaster@example.org");
        send("", "perm@example.net");
        await("notice tried", () -> attemptsFor("perm-postmaster@example.org").size() == 1);
        await("queue empty", () -> queue().size() == 0);
        Thread.sleep(300);
        assertEquals(2, attempts.size(), "no loop: " + attempts.size());
    }

    @Test
    void dsnNotifyDecidesWhichNotificationsAreSent() throws Exception {
        start("");
        send("alice@example.org", java.util.Arrays.asList("SUCCESS", "NEVER"), "ok@example.net", "perm@example.com");
        await("success notification", () -> attemptsFor("alice@example.org").size() == 1);
        Thread.sleep(300);
        assertEquals(1, attemptsFor("alice@example.org").size(), "no failure report for NOTIFY=NEVER");
        MimeMessage m = parse(attemptsFor("alice@example.org").get(0));
        assertEquals("Successful Mail Delivery Report", m.getSubject());
        String status = part(m, 1);
        assertTrue(status.contains("Final-Recipient: rfc822; ok@example.net"), status);
        assertTrue(status.contains("Action: relayed"), status);
    }

    @Test
    void aDelayWarningIsSentOnceWhenAsked() throws Exception {
        start("delayWarningTime=100&maxQueueLifetime=1500");
        send("alice@example.org", "temp@example.net");
        await("delay warning", () -> attemptsFor("alice@example.org").size() == 1);
        MimeMessage m = parse(attemptsFor("alice@example.org").get(0));
        assertEquals("Delayed Mail (still being retried)", m.getSubject());
        String status = part(m, 1);
        assertTrue(status.contains("Action: delayed"), status);
        assertTrue(status.contains("Will-Retry-Until:"), status);
        await("expiry", () -> events(DeliveryEvent.EXPIRED).size() == 1);
        await("expiry bounce", () -> attemptsFor("alice@example.org").size() == 2);
        assertEquals(1, events(DeliveryEvent.DELAYED).size(), "warned once");
    }

    @Test
    void concurrencyIsLimitedOverallAndPerDomain() throws Exception {
        AtomicInteger now = new AtomicInteger();
        AtomicInteger max = new AtomicInteger();
        Map<String, AtomicInteger> perDomain = new ConcurrentHashMap<>();
        Map<String, Integer> maxPerDomain = new ConcurrentHashMap<>();
        context.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:events").process(e -> events.add(e.getMessage().getBody(DeliveryEvent.class)));
                from("direct:in").to("smtp-queue:q?spoolDirectory=" + spool);
                from(queueUri("concurrency=4&maxPerDomain=2")).process(e -> {
                    String to = (String) e.getMessage().getHeader(SmtpQueueConstants.ENVELOPE_TO, List.class).get(0);
                    String domain = to.substring(to.indexOf('@') + 1);
                    int n = now.incrementAndGet();
                    max.accumulateAndGet(n, Math::max);
                    int d = perDomain.computeIfAbsent(domain, k -> new AtomicInteger()).incrementAndGet();
                    maxPerDomain.merge(domain, d, Math::max);
                    Thread.sleep(60);
                    perDomain.get(domain).decrementAndGet();
                    now.decrementAndGet();
                    attempts.add(e);
                });
            }
        });
        for (int i = 0; i < 8; i++) {
            send("alice@example.org", "slow" + i + "@a.example", "slow" + i + "@b.example", "slow" + i + "@c.example");
        }
        await("24 deliveries", () -> attempts.size() == 24);
        assertEquals(4, max.get(), "overall concurrency");
        assertEquals(Map.of("a.example", 2, "b.example", 2, "c.example", 2), maxPerDomain);
    }

    @Test
    void deliveredRecipientsAreNotSentAgainAfterARestart() throws Exception {
        start("");
        send("alice@example.org", "ok@example.net", "temp@example.com");
        await("first attempt done", () -> events(DeliveryEvent.DEFERRED).size() == 1);
        context.stop();
        attempts.clear();
        CamelContext second = new DefaultCamelContext();
        List<String> delivered = Collections.synchronizedList(new ArrayList<>());
        second.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("smtp-queue:q?spoolDirectory=" + spool + "&minBackoff=150")
                        .process(e -> delivered.addAll(e.getMessage().getHeader(SmtpQueueConstants.ENVELOPE_TO, List.class)));
            }
        });
        second.start();
        try {
            await("the pending recipient delivered", () -> delivered.contains("temp@example.com"));
            Thread.sleep(200);
            assertEquals(List.of("temp@example.com"), delivered);
        } finally {
            second.stop();
        }
    }

    @Test
    void aRestartedDeliveryRouteTakesOverWhatWasWaiting() throws Exception {
        start("minBackoff=60000&maxBackoff=60000");
        send("alice@example.org", "flaky@example.net");
        await("first attempt deferred", () -> events(DeliveryEvent.DEFERRED).size() == 1);
        context.getRouteController().stopRoute("deliver");
        assertEquals(1, queue().size(), "the producer keeps the queue open");
        context.getRouteController().startRoute("deliver");
        SmtpQueueConsumer consumer = (SmtpQueueConsumer) context.getRoute("deliver").getConsumer();
        assertEquals(1, consumer.flush(), "the message waits in the new consumer's schedule");
        await("delivered after the route restart", () -> events(DeliveryEvent.DELIVERED).size() == 1);
    }

    @Test
    void operatorsListHoldReleaseFlushAndDelete() throws Exception {
        start("minBackoff=60000&maxBackoff=60000");
        String a = send("alice@example.org", "temp@example.net");
        String b = send("bob@example.org", "temp2@example.net");
        await("both deferred", () -> events(DeliveryEvent.DEFERRED).size() == 2);
        SmtpQueueConsumer consumer = (SmtpQueueConsumer) context.getRoute("deliver").getConsumer();
        assertEquals(2, consumer.getQueueSize());
        String mailq = consumer.mailq();
        assertTrue(mailq.contains(a) && mailq.contains("temp@example.net") && mailq.contains("451 4.4.1"), mailq);
        assertTrue(mailq.contains("-- 0 Kbytes in 2 Requests."), mailq);
        List<Map<String, Object>> list = consumer.list();
        assertEquals(1, list.get(0).get("attempts"));
        assertEquals("waiting", list.get(0).get("status"));

        assertTrue(consumer.hold(a));
        assertEquals("held", queue().get(a).status());
        assertTrue(consumer.mailq().contains(a + "!"), consumer.mailq());
        assertEquals(1, consumer.getHeldCount());
        assertEquals(1, consumer.flush(), "flush retries the waiting one, not the held one");
        await("b retried", () -> attemptsFor("temp2@example.net").size() == 2);
        assertEquals(1, attemptsFor("temp@example.net").size());

        assertTrue(consumer.release(a));
        await("a retried after release", () -> attemptsFor("temp@example.net").size() == 2);
        assertTrue(consumer.delete(b));
        assertFalse(consumer.delete("NOSUCHID"));
        await("b gone", () -> queue().get(b) == null);
        assertTrue(consumer.getOldestAgeSeconds() >= 0);
        assertTrue(consumer.getDeferredTotal() >= 3);
        assertEquals(0, events(DeliveryEvent.BOUNCED).size(), "delete sends no notification");
    }

    @Test
    void anErrorThrownByTheRouteDefersTheAttemptAndTheMessageIsRetried() throws Exception {
        AtomicInteger tries = new AtomicInteger();
        context.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:events").process(e -> events.add(e.getMessage().getBody(DeliveryEvent.class)));
                from("direct:in").to("smtp-queue:q?spoolDirectory=" + spool);
                from(queueUri("")).routeId("deliver").process(e -> {
                    if (tries.incrementAndGet() == 1) {
                        throw new StackOverflowError("a route step recursed without end");
                    }
                });
            }
        });
        String id = send("alice@example.org", "bob@example.net");
        await("delivered on the second attempt", () -> events(DeliveryEvent.DELIVERED).size() == 1);
        assertEquals(2, tries.get());
        DeliveryEvent deferred = events(DeliveryEvent.DEFERRED).get(0);
        assertEquals(451, deferred.code(), deferred.toJson());
        assertEquals(id, deferred.queueId());
        await("empty queue", () -> queue().size() == 0);
    }

    @Test
    void anUnwritableSpoolDirectoryStopsTheRouteFromStarting() throws Exception {
        Path file = spool.resolve("not-a-directory");
        Files.writeString(file, "x");
        Exception e = assertThrows(Exception.class, () -> context.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("smtp-queue:bad?spoolDirectory=" + file.resolve("spool")).to("log:x");
            }
        }));
        Throwable root = e;
        StringBuilder messages = new StringBuilder();
        while (root != null) {
            messages.append(root.getMessage()).append('\n');
            root = root.getCause();
        }
        assertTrue(messages.toString().contains("Spool directory " + file.resolve("spool") + " is not usable"), messages.toString());
    }
}

package io.camelsmtp.smtp.queue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;

import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.test.junit5.CamelTestSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Traffic shaping end to end: the queue delivers through smtp-relay to aiosmtpd receivers that behave like providers
 * under pressure ({@link PressuredMx}); rates, concurrency and suspensions are measured from the receivers' logs.
 */
class QueueShapingTest extends CamelTestSupport {

    @TempDir
    Path dir;

    private final List<DeliveryEvent> events = new CopyOnWriteArrayList<>();
    private final List<PressuredMx> receivers = new ArrayList<>();

    @Override
    public boolean isUseRouteBuilder() {
        return false;
    }

    @AfterEach
    void stopReceivers() {
        receivers.forEach(PressuredMx::close);
    }

    private PressuredMx receiver(String name, String... mode) throws Exception {
        PressuredMx mx = PressuredMx.start(dir, name, mode);
        receivers.add(mx);
        return mx;
    }

    /** The queue with these rules; each domain NAME.example goes to its receiver (a smart host per domain). */
    private void queue(String rules, String options, PressuredMx... mxs) throws Exception {
        Path file = dir.resolve("shaping.yaml");
        Files.writeString(file, rules);
        String spool = dir.resolve("spool").toString();
        context.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:in").to("smtp-queue:shape?spoolDirectory=" + spool);
                from("direct:events").process(e -> events.add(e.getMessage().getBody(DeliveryEvent.class)));
                var choice = from("smtp-queue:shape?spoolDirectory=" + spool + "&shapingRules=" + file
                                  + "&shapingReload=200&minBackoff=300&maxBackoff=1s&eventsUri=direct:events&stopTimeout=2s"
                                  + options)
                        .errorHandler(noErrorHandler()).choice();
                for (PressuredMx mx : mxs) {
                    choice = choice.when(simple("${header.CamelSmtpEnvelopeTo[0]} ends with '@" + name(mx) + ".example'"))
                            .to("smtp-relay:127.0.0.1:" + mx.port + "?tls=none&allowPrivateAddresses=true"); // a rule's smart host on loopback
                }
                choice.end();
            }
        });
        context.start();
    }

    private final java.util.Map<PressuredMx, String> names = new java.util.IdentityHashMap<>();

    private String name(PressuredMx mx) {
        return names.get(mx);
    }

    private PressuredMx named(String name, String... mode) throws Exception {
        PressuredMx mx = receiver(name, mode);
        names.put(mx, name);
        return mx;
    }

    private void send(String domain, int n) {
        for (int i = 0; i < n; i++) {
            String to = "user" + i + "@" + domain;
            String id = "<" + i + "." + domain + "@test>";
            var ex = template.send("direct:in", e -> {
                e.getMessage().setHeader(SmtpQueueConstants.ENVELOPE_FROM, "alice@example.org");
                e.getMessage().setHeader(SmtpQueueConstants.ENVELOPE_TO, new ArrayList<>(List.of(to)));
                e.getMessage().setBody("Message-ID: " + id + "\r\nSubject: shaping\r\n\r\nhello\r\n");
            });
            assertTrue(!ex.isFailed(), "enqueued");
        }
    }

    private MailQueue queue() {
        return context.getComponent("smtp-queue", SmtpQueueComponent.class).getQueue("shape");
    }

    @Test
    void aPacedSiteStaysUnderItsRateWhileAnotherSiteFlowsAtFullSpeed() throws Exception {
        PressuredMx paced = named("paced", "accept");
        PressuredMx fast = named("fast", "accept");
        queue("""
                sites:
                  paced:
                    domains: [paced.example]
                    messageRate: 10/s
                """, "", paced, fast);
        send("paced.example", 30);
        send("fast.example", 200);
        await("every message delivered", 30, () -> count(paced) == 30 && count(fast) == 200);
        List<PressuredMx.Event> p = paced.events("accept");
        for (int i = 0; i + 10 < p.size(); i++) {
            long span = p.get(i + 10).monoNanos() - p.get(i).monoNanos();
            assertTrue(span >= 850_000_000L, "11 messages at 10/s take at least a second at the receiver, not " + span / 1e6 + " ms");
        }
        long fastDone = fast.events("accept").get(199).monoNanos();
        long pacedDone = p.get(29).monoNanos();
        assertTrue(fastDone < p.get(15).monoNanos(), "the unpaced site is done before the paced one is half-way: fast ended "
                                                     + (pacedDone - fastDone) / 1e6 + " ms before paced");
        assertEquals(30, new HashSet<>(paced.accepted()).size(), "no duplicates");
    }

    @Test
    void repeatedThrottlingRepliesSuspendTheSiteUntilItsTimeAndNothingIsLost() throws Exception {
        PressuredMx throttled = named("throttled", "throttle-after", "5", "3");
        PressuredMx fast = named("fast", "accept");
        queue("""
                sites:
                  throttled:
                    domains: [throttled.example]
                    maxConnections: 1
                reactions:
                  - name: provider-throttle
                    code: 421
                    enhancedCode: "4.7.0"
                    text: "(?i)try again"
                    threshold: 3/1min
                    action: suspend
                    duration: 2s
                """, "", throttled, fast);
        send("throttled.example", 20);
        await("suspended", 20, () -> first(DeliveryEvent.SITE_SUSPENDED) != null);
        DeliveryEvent suspended = first(DeliveryEvent.SITE_SUSPENDED);
        assertEquals("throttled", suspended.site());
        assertEquals(421, suspended.code());
        assertNotNull(suspended.nextAttempt());
        // visible in the queue's operations
        assertTrue(QueueListing.format(queue()).contains("site throttled suspended until"), QueueListing.format(queue()));
        assertTrue(queue().sites().list().stream().anyMatch(m -> m.get("site").equals("throttled")
                                                                  && m.get("state").equals("suspended")));
        // the console's destinations say so too, until when
        await("the destination shows its site suspended", 5, () -> new QueueQueries(queue()).destinations(10).stream()
                .anyMatch(d -> d.domain().equals("throttled.example") && d.state().equals("suspended")
                               && d.site().equals("throttled") && d.suspendedUntil() != null));
        // another site flows at full speed meanwhile
        long before = System.nanoTime();
        send("fast.example", 50);
        await("the other site's mail delivered", 10, () -> count(fast) == 50);
        long took = System.nanoTime() - before;
        assertTrue(System.currentTimeMillis() < suspended.nextAttempt().toEpochMilli() || took < 2_000_000_000L,
                "the other site was served during the suspension");
        await("resumed", 20, () -> first(DeliveryEvent.SITE_RESUMED) != null);
        await("every message delivered once the receiver recovers", 30, () -> count(throttled) == 20);
        // nothing reached the receiver while the site was suspended (a delivery running at the time may end)
        long from = suspended.time().toEpochMilli() + 300;
        long to = first(DeliveryEvent.SITE_RESUMED).time().toEpochMilli();
        for (PressuredMx.Event e : throttled.events()) {
            if (!e.type().equals("listening") && e.wallMillis() > from && e.wallMillis() < to - 50) {
                fail("the receiver saw " + e + " while the site was suspended (" + from + " to " + to + ")");
            }
        }
        assertEquals(20, new HashSet<>(throttled.accepted()).size(), "each message once");
        assertEquals(20, throttled.accepted().size(), "no duplicates");
        assertTrue(events.stream().noneMatch(e -> DeliveryEvent.BOUNCED.equals(e.type())), "nothing bounced for the suspension");
        Thread.sleep(300);
        assertEquals(0, queue().size(), "queue empty");
    }

    @Test
    void aSuspensionCanBeLiftedByHand() throws Exception {
        PressuredMx throttled = named("throttled", "throttle-after", "2", "1");
        queue("""
                sites:
                  throttled:
                    domains: [throttled.example]
                    maxConnections: 1
                reactions:
                  - code: 421
                    threshold: 2/1h
                    action: suspend
                    duration: 1h
                """, "", throttled);
        send("throttled.example", 8);
        await("suspended", 20, () -> first(DeliveryEvent.SITE_SUSPENDED) != null);
        Thread.sleep(1500); // the receiver has recovered; the suspension would last an hour
        int before = count(throttled);
        assertTrue(before < 8, "still waiting: " + before);
        SmtpQueueConsumer consumer = (SmtpQueueConsumer) context.getRoute(context.getRoutes().get(2).getId()).getConsumer();
        assertTrue(consumer.resumeSite("throttled"), "lifted over JMX's operation");
        await("delivered after the lift", 20, () -> count(throttled) == 8);
        DeliveryEvent resumed = first(DeliveryEvent.SITE_RESUMED);
        assertTrue(resumed.text().startsWith("lifted by hand"), resumed.text());
        assertEquals(8, new HashSet<>(throttled.accepted()).size());
    }

    @Test
    void aReactionLowersTheRateForItsDuration() throws Exception {
        PressuredMx mx = named("outlook", "reply-after", "3", "451", "4.7.650", "0.5");
        queue("""
                sites:
                  outlook:
                    domains: [outlook.example]
                    maxConnections: 1
                reactions:
                  - name: outlook-rate
                    sites: [outlook]
                    enhancedCode: "4.7.650"
                    threshold: 2/1min
                    action: rate
                    rate: 2/s
                    duration: 1h
                """, "", mx);
        send("outlook.example", 12);
        await("every message delivered", 40, () -> count(mx) == 12);
        DeliveryEvent lowered = first(DeliveryEvent.SITE_RATE_LOWERED);
        assertNotNull(lowered, "rate lowered: " + events);
        List<PressuredMx.Event> after = mx.events("accept").stream().filter(e -> e.wallMillis() > lowered.time().toEpochMilli()).toList();
        assertTrue(after.size() >= 5, "most were delivered at the lowered rate: " + after.size());
        for (int i = 0; i + 1 < after.size(); i++) {
            long gap = after.get(i + 1).monoNanos() - after.get(i).monoNanos();
            assertTrue(gap >= 400_000_000L, "2/s means 500 ms between messages, not " + gap / 1e6 + " ms");
        }
        assertTrue(queue().sites().list().stream().anyMatch(m -> "rate-lowered".equals(m.get("state"))));
    }

    @Test
    void aBlockedSitesMailIsSentThroughASmartHostWhileTheReactionLasts() throws Exception {
        PressuredMx blocked = named("blocked", "reply-after", "0", "451", "4.7.1", "600");
        PressuredMx partner = receiver("partner", "accept");
        queue("""
                sites:
                  blocked:
                    domains: [blocked.example]
                reactions:
                  - name: via-partner
                    sites: [blocked]
                    code: 451
                    enhancedCode: "4.7.1"
                    threshold: 2/1h
                    action: smartHost
                    smartHost: "127.0.0.1:%d"
                    duration: 1h
                """.formatted(partner.port), "", blocked);
        send("blocked.example", 6);
        await("every message delivered through the smart host", 30, () -> count(partner) == 6);
        assertEquals(0, count(blocked), "the blocked MX accepted nothing");
        DeliveryEvent rerouted = first(DeliveryEvent.SITE_REROUTED);
        assertNotNull(rerouted, "rerouted: " + events);
        assertEquals("blocked", rerouted.site());
        assertTrue(rerouted.text().contains("127.0.0.1:" + partner.port), rerouted.text());
        assertTrue(queue().sites().list().stream().anyMatch(m -> "rerouted".equals(m.get("state"))));
        assertEquals(6, new HashSet<>(partner.accepted()).size(), "each once");
    }

    /** A provider that allows two sessions at once: a site rule that says so is never refused; without it, mail waits. */
    @Test
    void aSiteRuleMatchingTheReceiversConnectionLimitIsNeverRefused() throws Exception {
        PressuredMx limited = named("limited", "max-sessions", "2", "0.2");
        PressuredMx unruled = named("unruled", "max-sessions", "2", "0.2");
        queue("""
                defaults:
                  maxConnections: 5
                sites:
                  limited:
                    domains: [limited.example]
                    maxConnections: 2
                """, "", limited, unruled);
        send("limited.example", 30);
        send("unruled.example", 30);
        await("every message delivered", 40, () -> count(limited) == 30 && count(unruled) == 30);
        assertEquals(0, limited.events("refuse-session").size(), "2 at once, as the receiver allows");
        assertTrue(events.stream().noneMatch(e -> DeliveryEvent.DEFERRED.equals(e.type())
                                                  && e.recipient().endsWith("@limited.example")), "nothing deferred");
        assertTrue(unruled.events("refuse-session").size() > 0, "5 at once: the receiver refused some sessions");
        assertEquals(30, new HashSet<>(unruled.accepted()).size(), "refused sessions' mail arrives later, once");
        assertEquals(30, unruled.accepted().size());
    }

    @Test
    void maxConnectionsBoundsConcurrentDeliveriesToASlowSite() throws Exception {
        PressuredMx slow = named("slow", "slow", "0.4");
        queue("""
                defaults:
                  maxConnections: 4
                sites:
                  slow:
                    domains: [slow.example]
                    maxConnections: 2
                """, "", slow);
        send("slow.example", 10);
        await("every message delivered", 30, () -> count(slow) == 10);
        int open = 0;
        int most = 0;
        for (PressuredMx.Event e : slow.events()) {
            open += e.type().equals("data-start") ? 1 : e.type().equals("data-end") ? -1 : 0;
            most = Math.max(most, open);
        }
        assertTrue(most <= 2 && most >= 1, "at most 2 at once at the receiver: " + most);
    }

    @Test
    void theRulesAreReloadedWhenTheFileChangesAndABadVersionIsRefused() throws Exception {
        PressuredMx mx = named("paced", "accept");
        queue("""
                sites:
                  paced:
                    domains: [paced.example]
                    messageRate: 1000/s
                """, "", mx);
        Path file = dir.resolve("shaping.yaml");
        Files.writeString(file, """
                sites:
                  paced:
                    domains: [paced.example]
                    messageRate: 5/s
                """);
        Thread.sleep(1200); // shapingReload=200 ms
        send("paced.example", 6);
        await("delivered", 20, () -> count(mx) == 6);
        List<PressuredMx.Event> p = mx.events("accept");
        // from the second on: the first also opened the connection, so it reached the receiver later than paced
        long span = p.get(5).monoNanos() - p.get(1).monoNanos();
        assertTrue(span >= 700_000_000L, "5 messages at 5/s span 800 ms: " + span / 1e6 + " ms");
        Files.writeString(file, "sites:\n  paced:\n    domains: [paced.example]\n    messageRate: fast\n");
        await("refused", 10, () -> queue().sites().rules().containsKey("reloadError"));
        assertTrue(queue().sites().rules().get("reloadError").toString().contains("sites.paced.messageRate"),
                queue().sites().rules().toString());
    }

    @Test
    void anInvalidRulesFileStopsTheConsumerFromStartingAndSaysWhy() throws Exception {
        Path file = dir.resolve("bad.yaml");
        Files.writeString(file, "defaults:\n  maxConections: 5\n");
        String spool = dir.resolve("spool").toString();
        context.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("smtp-queue:bad?spoolDirectory=" + spool + "&shapingRules=" + file).to("log:x");
            }
        });
        Exception e = assertThrows(Exception.class, () -> context.start());
        Throwable t = e;
        StringBuilder all = new StringBuilder();
        while (t != null) {
            all.append(t.getMessage()).append(" | ");
            t = t.getCause();
        }
        assertTrue(all.toString().contains("unknown key 'maxConections'"), all.toString());
    }

    private int count(PressuredMx mx) {
        try {
            return mx.accepted().size();
        } catch (Exception e) {
            return -1;
        }
    }

    private DeliveryEvent first(String type) {
        return events.stream().filter(e -> type.equals(e.type())).findFirst().orElse(null);
    }

    private static void await(String what, int seconds, BooleanSupplier condition) throws InterruptedException {
        long end = System.currentTimeMillis() + seconds * 1000L;
        while (!condition.getAsBoolean()) {
            if (System.currentTimeMillis() > end) {
                fail("timed out waiting for: " + what);
            }
            Thread.sleep(50);
        }
    }
}

package io.camelsmtp.smtp.queue.metrics;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

import io.camelsmtp.smtp.common.metrics.SmtpMeters;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;

/**
 * One queue's meters, tagged {@code queue=<name>}. Depth, held, oldest age and the outcome totals are read from the
 * queue when scraped (its own counters, the same the {@code /stats} JSON and JMX show); only what the queue does not
 * keep is counted here: recipients queued, attempts, each group commit (messages it covered, how long the fdatasync
 * took) and each final outcome's time in the queue. {@link #NONE} (no registry) does nothing.
 */
public final class QueueMeters {

    /** No registry: every method returns at once. */
    public static final QueueMeters NONE = new QueueMeters();

    /** What the queue reads from itself when scraped. */
    public interface Source {
        int size();

        int heldCount();

        long pendingRecipients();

        long oldestAgeSeconds();

        long queuedTotal();

        long deliveredTotal();

        long deferredTotal();

        long bouncedTotal();

        long expiredTotal();

        /** Messages written to the spool since it opened. */
        long spoolWrites();

        /** fdatasyncs of the spool since it opened. */
        long spoolSyncs();
    }

    private final MeterRegistry registry;
    private final List<Meter> meters = new ArrayList<>();
    private final Counter recipientsQueued;
    private final Counter attempts;
    private final DistributionSummary syncMessages;
    private final Timer syncTime;
    private final Timer delayDelivered;
    private final Timer delayBounced;
    private final Timer delayExpired;

    private QueueMeters() {
        registry = null;
        recipientsQueued = null;
        attempts = null;
        syncMessages = null;
        syncTime = null;
        delayDelivered = null;
        delayBounced = null;
        delayExpired = null;
    }

    private QueueMeters(MeterRegistry registry, String queue, Source q) {
        this.registry = registry;
        Tags tags = Tags.of("queue", queue);
        String p = SmtpMeters.QUEUE;
        gauge(p + "messages", "Messages in the queue, held ones included", tags, null, () -> q.size());
        gauge(p + "held", "Messages on hold", tags, null, () -> q.heldCount());
        gauge(p + "recipients", "Recipients not yet delivered or failed, over every queued message", tags,
                null, () -> q.pendingRecipients());
        gauge(p + "oldest.age", "Age of the oldest queued message", tags, "seconds", () -> q.oldestAgeSeconds());
        functionCounter(p + "queued", "Messages queued (stored durably) since the queue opened", tags, null,
                q, Source::queuedTotal);
        for (String outcome : new String[] { "delivered", "deferred", "bounced", "expired" }) {
            Tags t = tags.and("outcome", outcome);
            ToDoubleFunction<Source> total = switch (outcome) {
                case "delivered" -> Source::deliveredTotal;
                case "deferred" -> Source::deferredTotal;
                case "bounced" -> Source::bouncedTotal;
                default -> Source::expiredTotal;
            };
            functionCounter(p + "deliveries", "Recipient outcomes of delivery attempts", t, null, q, total);
        }
        functionCounter(p + "spool.writes", "Messages written to the spool's segments", tags, null, q,
                Source::spoolWrites);
        functionCounter(p + "spool.syncs", "fdatasyncs of the spool's segments (group commits)", tags, null, q,
                Source::spoolSyncs);
        recipientsQueued = keep(Counter.builder(p + "queued.recipients").description("Recipients of the messages queued")
                .tags(tags).register(registry));
        attempts = keep(Counter.builder(p + "attempts").description("Delivery attempts of messages (one per message "
                                                                     + "and attempt, whatever its recipients)")
                .tags(tags).register(registry));
        syncMessages = keep(DistributionSummary.builder(p + "sync.messages")
                .description("Messages one group commit (fdatasync) made durable").tags(tags)
                .serviceLevelObjectives(1, 2, 4, 8, 16, 32, 64, 128).register(registry));
        syncTime = keep(Timer.builder(p + "sync").description("Time of one fdatasync of a spool segment").tags(tags)
                .serviceLevelObjectives(ms(1), ms(2), ms(5), ms(10), ms(20), ms(50), ms(100), ms(200), ms(500),
                        ms(1000), ms(5000))
                .register(registry));
        delayDelivered = delay(p, tags, "delivered");
        delayBounced = delay(p, tags, "bounced");
        delayExpired = delay(p, tags, "expired");
    }

    /** The meters of queue {@code name} in {@code registry}, or {@link #NONE} when the registry is null. */
    public static QueueMeters bind(MeterRegistry registry, String name, Source source) {
        return registry == null ? NONE : new QueueMeters(registry, name, source);
    }

    /** A message with {@code recipients} recipients was stored. */
    public void queued(int recipients) {
        if (registry != null) {
            recipientsQueued.increment(recipients);
        }
    }

    /** One delivery attempt of one message was settled. */
    public void attempt() {
        if (registry != null) {
            attempts.increment();
        }
    }

    /** One fdatasync that took {@code nanos} made {@code messages} messages durable. */
    public void synced(int messages, long nanos) {
        if (registry != null) {
            syncMessages.record(messages);
            syncTime.record(nanos, TimeUnit.NANOSECONDS);
        }
    }

    /**
     * A recipient's final outcome ({@code delivered}, {@code bounced}, {@code expired}) {@code millis} after its
     * message arrived; other outcomes are not final and are ignored.
     */
    public void finalOutcome(String outcome, long millis) {
        if (registry == null) {
            return;
        }
        Timer t = switch (outcome) {
            case "delivered" -> delayDelivered;
            case "bounced" -> delayBounced;
            case "expired" -> delayExpired;
            default -> null;
        };
        if (t != null) {
            t.record(Math.max(0, millis), TimeUnit.MILLISECONDS);
        }
    }

    /** Removes this queue's meters from the registry (the queue closed; a new open binds new ones). */
    public void close() {
        if (registry != null) {
            synchronized (meters) {
                meters.forEach(registry::remove);
                meters.clear();
            }
        }
    }

    private Timer delay(String p, Tags tags, String outcome) {
        return keep(Timer.builder(p + "delivery.delay")
                .description("Time from a message's arrival to a recipient's final outcome").tags(tags.and("outcome", outcome))
                .serviceLevelObjectives(Duration.ofSeconds(1), Duration.ofSeconds(10), Duration.ofMinutes(1),
                        Duration.ofMinutes(10), Duration.ofHours(1), Duration.ofHours(6), Duration.ofDays(1),
                        Duration.ofDays(5))
                .register(registry));
    }

    private void gauge(String name, String description, Tags tags, String unit, Supplier<Number> value) {
        keep(Gauge.builder(name, value).description(description).tags(tags).baseUnit(unit).register(registry));
    }

    private void functionCounter(String name, String description, Tags tags, String unit, Source q,
            ToDoubleFunction<Source> f) {
        keep(FunctionCounter.builder(name, q, f).description(description).tags(tags).baseUnit(unit).register(registry));
    }

    private <M extends Meter> M keep(M meter) {
        synchronized (meters) {
            meters.add(meter);
        }
        return meter;
    }

    private static Duration ms(long millis) {
        return Duration.ofMillis(millis);
    }
}

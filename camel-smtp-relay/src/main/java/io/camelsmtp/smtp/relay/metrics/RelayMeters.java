package io.camelsmtp.smtp.relay.metrics;

import java.time.Duration;
import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.WeakHashMap;
import java.util.concurrent.TimeUnit;

import io.camelsmtp.smtp.common.metrics.SmtpMeters;
import io.camelsmtp.smtp.common.metrics.TopDestinations;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * The relay's meters. Every producer of a CamelContext shares them (the registry returns the same meter for the same
 * name and tags), so they are never removed: a counter only grows. Tag values come from fixed sets (reply classes,
 * RFC 8460 result names, policy names) or from {@link TopDestinations} ({@code destination}: the
 * {@link TopDestinations#DEFAULT_LIMIT} busiest, the rest {@code other}). {@link #NONE} (no registry) does nothing.
 */
public final class RelayMeters {

    /** No registry: every method returns at once. */
    public static final RelayMeters NONE = new RelayMeters(null, null);

    private static final Set<String> POLICIES = Set.of("sts", "dane", "config");
    private static final Map<MeterRegistry, RelayMeters> SHARED = Collections.synchronizedMap(new WeakHashMap<>());

    private final MeterRegistry registry;
    private final TopDestinations destinations;
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();
    private final Counter opened;
    private final Counter reused;
    private final Timer attemptOk;
    private final Timer attemptFailed;

    private RelayMeters(MeterRegistry registry, TopDestinations destinations) {
        this.registry = registry;
        this.destinations = destinations;
        if (registry == null) {
            opened = null;
            reused = null;
            attemptOk = null;
            attemptFailed = null;
            return;
        }
        String p = SmtpMeters.RELAY;
        opened = Counter.builder(p + "connections").description("Connections to mail exchangers, new or kept ones reused")
                .tag("kind", "opened").register(registry);
        reused = Counter.builder(p + "connections").description("Connections to mail exchangers, new or kept ones reused")
                .tag("kind", "reused").register(registry);
        attemptOk = attemptTimer(registry, "completed");
        attemptFailed = attemptTimer(registry, "failed");
    }

    /**
     * The relay meters of {@code registry} (one set per registry, shared by every producer, with one
     * {@link TopDestinations}), or {@link #NONE} when it is null.
     */
    public static RelayMeters of(MeterRegistry registry) {
        return registry == null ? NONE : SHARED.computeIfAbsent(registry, r -> new RelayMeters(r, new TopDestinations()));
    }

    /** A session was opened ({@code reused} false) or a kept one taken again. */
    public void connection(boolean reused) {
        if (registry != null) {
            (reused ? this.reused : opened).increment();
        }
    }

    /**
     * How TLS went for a new session or a policy look-up: {@code result} is the RFC 8460 failure name, or null for
     * success; then {@code verified}/{@code negotiated} say which kind.
     */
    public void tls(String policy, boolean negotiated, boolean verified, String failure) {
        if (registry == null) {
            return;
        }
        String result = failure != null ? failure : verified ? "verified" : negotiated ? "negotiated" : "plaintext";
        String pol = policy != null && POLICIES.contains(policy) ? policy : SmtpMeters.OTHER;
        counters.computeIfAbsent("tls " + pol + " " + result, k -> Counter.builder(SmtpMeters.RELAY + "tls")
                .description("TLS outcome of each new session (and of policy look-ups that failed), by policy")
                .tag("policy", pol).tag("result", result).register(registry)).increment();
    }

    /** The final reply of one recipient of a delivery to {@code destination} (a domain or the smart host). */
    public void reply(String destination, int code) {
        if (registry == null) {
            return;
        }
        String d = destinations.tag(destination);
        String cls = SmtpMeters.replyClass(code);
        counters.computeIfAbsent("reply " + cls + " " + d, k -> Counter.builder(SmtpMeters.RELAY + "replies")
                .description("The reply each recipient's delivery ended with, by class and destination (the "
                             + TopDestinations.DEFAULT_LIMIT + " busiest by name, the rest 'other')")
                .tag("class", cls).tag("destination", d).register(registry)).increment();
    }

    /** One attempt on one mail exchanger address took {@code nanos}; {@code completed}: a transaction ran to its end. */
    public void attempt(boolean completed, long nanos) {
        if (registry != null) {
            (completed ? attemptOk : attemptFailed).record(nanos, TimeUnit.NANOSECONDS);
        }
    }

    private static Timer attemptTimer(MeterRegistry registry, String result) {
        return Timer.builder(SmtpMeters.RELAY + "attempt")
                .description("Time of one attempt on one mail exchanger address: connect (or reuse), session set-up, "
                             + "transaction")
                .tag("result", result)
                .serviceLevelObjectives(ms(10), ms(25), ms(50), ms(100), ms(250), ms(500), ms(1000), ms(2500), ms(5000),
                        ms(10000), ms(30000), ms(60000), ms(300000))
                .register(registry);
    }

    private static Duration ms(long millis) {
        return Duration.ofMillis(millis);
    }
}

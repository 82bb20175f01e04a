package io.camelsmtp.smtp.server.metrics;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import io.camelsmtp.smtp.common.metrics.SmtpMeters;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;

/**
 * One listener's meters, tagged {@code listener=<host>:<port>} (as configured). Every tag value comes from a fixed
 * set: reply classes, enhanced status codes (at most {@link #MAX_REFUSAL_SERIES} distinct, then {@code other}), TLS
 * protocol names, {@code success}/{@code failure}. {@link #NONE} (no registry) does nothing and allocates nothing.
 */
public final class ServerMeters {

    /** No registry: every method returns at once. */
    public static final ServerMeters NONE = new ServerMeters();

    /** Distinct (class, enhanced code) pairs of {@code smtp.server.refused} before the rest is {@code other}. */
    public static final int MAX_REFUSAL_SERIES = 100;

    private static final Set<String> TLS_PROTOCOLS = Set.of("TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3");

    /** How the route's work on a message ended, as the {@code smtp.server.route} timer's {@code result} tag. */
    public enum RouteResult { ACCEPTED, REFUSED, TIMEOUT }

    private final MeterRegistry registry;
    private final Tags tags;
    private final List<Meter> meters = new ArrayList<>();
    private final Map<String, Counter> refusals = new ConcurrentHashMap<>();
    private final Map<String, Counter> tlsSessions = new ConcurrentHashMap<>();
    private final Counter sessions;
    private final Counter authSuccess;
    private final Counter authFailure;
    private final Counter tlsFailures;
    private final Counter messages;
    private final Counter bytes;
    private final DistributionSummary sizes;
    private final Timer[] routeTimes = new Timer[RouteResult.values().length];

    private ServerMeters() {
        registry = null;
        tags = null;
        sessions = null;
        authSuccess = null;
        authFailure = null;
        tlsFailures = null;
        messages = null;
        bytes = null;
        sizes = null;
    }

    private ServerMeters(MeterRegistry registry, String listener, Supplier<Number> openSessions) {
        this.registry = registry;
        this.tags = Tags.of("listener", listener);
        String p = SmtpMeters.SERVER;
        keep(Gauge.builder(p + "sessions.open", openSessions).description("SMTP sessions open now").tags(tags)
                .register(registry));
        sessions = counter(p + "sessions", "SMTP sessions accepted (connections refused at once are in "
                                           + "smtp.server.refused)", tags);
        authSuccess = counter(p + "auth", "AUTH attempts that ended in a decision", tags.and("result", "success"));
        authFailure = counter(p + "auth", "AUTH attempts that ended in a decision", tags.and("result", "failure"));
        tlsFailures = counter(p + "tls.handshake.failures", "STARTTLS handshakes that failed", tags);
        messages = counter(p + "messages", "Messages accepted (250 after the route)", tags);
        bytes = keep(Counter.builder(p + "received").description("Octets of the messages accepted").tags(tags)
                .baseUnit("bytes").register(registry));
        sizes = keep(DistributionSummary.builder(p + "message.size").description("Size of each message accepted")
                .tags(tags).baseUnit("bytes")
                .serviceLevelObjectives(1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864)
                .register(registry));
        for (RouteResult r : RouteResult.values()) {
            routeTimes[r.ordinal()] = keep(Timer.builder(p + "route")
                    .description("Time from the end of DATA (or the last BDAT) to the route's completion")
                    .tags(tags.and("result", r.name().toLowerCase(java.util.Locale.ROOT)))
                    .serviceLevelObjectives(ms(5), ms(10), ms(25), ms(50), ms(100), ms(250), ms(500), ms(1000),
                            ms(2500), ms(5000), ms(10000), ms(30000))
                    .register(registry));
        }
    }

    /**
     * The meters of one listener, or {@link #NONE} when {@code registry} is null.
     *
     * @param openSessions read when scraped: the sessions open now
     */
    public static ServerMeters bind(MeterRegistry registry, String listener, Supplier<Number> openSessions) {
        return registry == null ? NONE : new ServerMeters(registry, listener, openSessions);
    }

    /** A session was accepted. */
    public void sessionOpened() {
        if (registry != null) {
            sessions.increment();
        }
    }

    /** A session runs over TLS now (implicit, or after STARTTLS); counted at its first command over TLS. */
    public void tlsSession(String protocol) {
        if (registry == null) {
            return;
        }
        String p = protocol != null && TLS_PROTOCOLS.contains(protocol) ? protocol : SmtpMeters.OTHER;
        tlsSessions.computeIfAbsent(p, v -> counter(SmtpMeters.SERVER + "tls.sessions",
                "Sessions that ran over TLS, by protocol version", tags.and("protocol", v))).increment();
    }

    /** A STARTTLS handshake failed. */
    public void tlsFailed() {
        if (registry != null) {
            tlsFailures.increment();
        }
    }

    /** An AUTH exchange ended with 235 ({@code true}) or 535 ({@code false}). */
    public void auth(boolean success) {
        if (registry != null) {
            (success ? authSuccess : authFailure).increment();
        }
    }

    /** The server answered with a 4xx or 5xx reply (a command, the connection or the message refused). */
    public void refused(int code, String enhanced) {
        if (registry == null) {
            return;
        }
        String cls = SmtpMeters.replyClass(code);
        String enh = SmtpMeters.enhancedCode(enhanced);
        String key = cls + enh;
        Counter c = refusals.get(key);
        if (c == null) {
            if (refusals.size() >= MAX_REFUSAL_SERIES) {
                enh = SmtpMeters.OTHER;
                key = cls + enh;
            }
            String e = enh;
            c = refusals.computeIfAbsent(key, k -> counter(SmtpMeters.SERVER + "refused",
                    "Replies 4xx and 5xx, by class and enhanced status code", tags.and("class", cls, "code", e)));
        }
        c.increment();
    }

    /**
     * {@link #refused(int, String)} for a reply the library sends from its text: the enhanced code is its first word,
     * after the reply code if the text starts with it.
     */
    public void refusedWith(int code, String text) {
        if (registry == null) {
            return;
        }
        String enhanced = null;
        if (text != null) {
            String t = text.startsWith(code + " ") || text.startsWith(code + "-") ? text.substring(4) : text;
            int sp = t.indexOf(' ');
            enhanced = sp > 0 ? t.substring(0, sp) : t;
        }
        refused(code, enhanced);
    }

    /** A message of {@code size} octets was accepted. */
    public void accepted(long size) {
        if (registry != null) {
            messages.increment();
            bytes.increment(size);
            sizes.record(size);
        }
    }

    /** The route took {@code nanos} from the end of the message to its completion (or to the reply time-out). */
    public void routeTime(RouteResult result, long nanos) {
        if (registry != null) {
            routeTimes[result.ordinal()].record(nanos, TimeUnit.NANOSECONDS);
        }
    }

    /** Removes this listener's meters from the registry. */
    public void close() {
        if (registry != null) {
            synchronized (meters) {
                meters.forEach(registry::remove);
                meters.clear();
            }
            refusals.clear();
            tlsSessions.clear();
        }
    }

    private Counter counter(String name, String description, Tags t) {
        return keep(Counter.builder(name).description(description).tags(t).register(registry));
    }

    private <M extends Meter> M keep(M meter) {
        synchronized (meters) {
            meters.add(meter);
        }
        return meter;
    }

    private static java.time.Duration ms(long millis) {
        return java.time.Duration.ofMillis(millis);
    }
}

package io.camelsmtp.smtp.relay.client;

import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;

import io.camelsmtp.smtp.common.shaping.Pacer;
import io.camelsmtp.smtp.common.shaping.Rate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The connection rate of each destination site ({@code connectionRate} of the queue's shaping rule): one
 * {@link Pacer} per site, its rate taken from the rule each time (rules can be reloaded). A new connection waits for
 * its site's permit, but never beyond the attempt's deadline nor past a withdrawal; when the permit cannot come in
 * time the caller defers without connecting (fail closed).
 * <p>
 * The map is bounded: a pacer whose next permit is already due is forgotten after {@link #IDLE_NANOS}, which loosens
 * nothing (an idle pacer saves up no burst, so a new one is at least as strict); past {@link #MAX_SITES} sites even
 * pacers with a permit pending are dropped, which at worst lets those sites' next connection come one interval early.
 */
final class SitePacers {

    private static final Logger LOG = LoggerFactory.getLogger(SitePacers.class);

    /** How long an unused pacer is kept once its next permit is due. */
    static final long IDLE_NANOS = 3_600_000_000_000L;
    /** Sites tracked at most. */
    static final int MAX_SITES = 100_000;
    /** Longest single sleep, so that a withdrawal is noticed soon. */
    private static final long SLICE_NANOS = 50_000_000L;
    private static final long SWEEP_EVERY_NANOS = 60_000_000_000L;

    private record Entry(Pacer pacer, long[] lastUsed) {
    }

    private final Map<String, Entry> sites = new ConcurrentHashMap<>();
    private final int maxSites;
    private volatile long lastSweep = System.nanoTime();

    SitePacers() {
        this(MAX_SITES);
    }

    SitePacers(int maxSites) {
        this.maxSites = maxSites;
    }

    /** What happened while waiting for a permit. */
    enum Outcome {
        /** A permit was taken: connect now. */
        GRANTED,
        /** No permit before the deadline: defer without connecting. */
        TOO_LATE,
        /** The delivery was withdrawn while waiting. */
        WITHDRAWN
    }

    /**
     * Takes a permit for a new connection to {@code site} at {@code rate}, sleeping until one is due.
     *
     * @param deadlineNanos {@link System#nanoTime()} after which no connection may start
     */
    Outcome await(String site, Rate rate, long deadlineNanos, BooleanSupplier withdrawn) throws InterruptedException {
        Pacer pacer = pacer(site, rate);
        while (true) {
            long now = System.nanoTime();
            if (pacer.tryTake(now)) {
                return Outcome.GRANTED;
            }
            if (withdrawn.getAsBoolean()) {
                return Outcome.WITHDRAWN;
            }
            long wait = pacer.waitNanos(now);
            if (now + wait - deadlineNanos > 0) {
                return Outcome.TOO_LATE; // waiting would not help: the permit comes after the deadline
            }
            long sleep = Math.max(1, Math.min(wait, SLICE_NANOS));
            Thread.sleep(sleep / 1_000_000, (int) (sleep % 1_000_000));
        }
    }

    int size() {
        return sites.size();
    }

    private Pacer pacer(String site, Rate rate) {
        long now = System.nanoTime();
        if (now - lastSweep > SWEEP_EVERY_NANOS || sites.size() >= maxSites && !sites.containsKey(site)) {
            sweep(now);
        }
        Entry e = sites.computeIfAbsent(site, s -> new Entry(new Pacer(rate), new long[1]));
        e.pacer().rate(rate); // the rule may have been reloaded with another rate
        e.lastUsed()[0] = now; // a racy write of a time stamp: good enough to tell idle from busy
        return e.pacer();
    }

    private synchronized void sweep(long now) {
        lastSweep = now;
        sites.values().removeIf(e -> now - e.lastUsed()[0] > IDLE_NANOS && e.pacer().waitNanos(now) == 0);
        if (sites.size() >= maxSites) {
            sites.values().removeIf(e -> e.pacer().waitNanos(now) == 0);
        }
        if (sites.size() >= maxSites) {
            LOG.warn("Connection rates of {} sites tracked, more than {}; forgetting some (their next connection may "
                     + "come one interval early)", sites.size(), maxSites);
            Iterator<Entry> it = sites.values().iterator();
            for (int drop = sites.size() - maxSites / 2; drop > 0 && it.hasNext(); drop--) {
                it.next();
                it.remove();
            }
        }
    }
}

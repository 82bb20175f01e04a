package io.camelsmtp.smtp.common.shaping;

/**
 * Spreads permits evenly at a {@link Rate} (the generic cell rate algorithm with a burst of one): a permit is due
 * every {@link Rate#intervalNanos()}, and an idle pacer does not save up permits for a burst. {@code 1000/h} means
 * one permit every 3.6 s, which is what a receiver that counts per minute sees as well as one that counts per hour.
 * Thread-safe; the clock is the caller's ({@link System#nanoTime()}), so tests can drive it.
 */
public final class Pacer {

    private Rate rate;
    private long next; // when the next permit is due (nanoTime); 0: at once
    private boolean started;

    public Pacer(Rate rate) {
        this.rate = rate;
    }

    public synchronized Rate rate() {
        return rate;
    }

    /** A new rate from the next permit on (a permit already taken keeps its place). */
    public synchronized void rate(Rate r) {
        if (!r.equals(rate)) {
            if (started) {
                // the next permit comes one new interval after the last one given, not after the old interval
                next = next - rate.intervalNanos() + r.intervalNanos();
            }
            rate = r;
        }
    }

    /** Nanoseconds until a permit is due (0: now), taking none. */
    public synchronized long waitNanos(long now) {
        return !started || now - next >= 0 ? 0 : next - now;
    }

    /** Takes a permit if one is due at {@code now}. */
    public synchronized boolean tryTake(long now) {
        if (started && now - next < 0) {
            return false;
        }
        // an idle pacer starts again from now: no saved-up burst
        next = (started && now - next < rate.intervalNanos() ? next : now) + rate.intervalNanos();
        started = true;
        return true;
    }
}

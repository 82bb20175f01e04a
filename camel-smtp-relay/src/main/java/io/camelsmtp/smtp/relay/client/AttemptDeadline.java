package io.camelsmtp.smtp.relay.client;

import java.time.Duration;

/**
 * The end of one attempt on one host (option {@code maxAttemptTime}): from the connection, or from taking a kept
 * one, to QUIT. Per-read time-outs alone let a peer that trickles a byte every few seconds hold a delivery for
 * ever; this bounds the whole.
 */
final class AttemptDeadline {

    private final Duration limit;
    private final long endNanos;

    private AttemptDeadline(Duration limit) {
        this.limit = limit;
        this.endNanos = System.nanoTime() + (limit.isZero() ? 0 : limit.toNanos());
    }

    /** Starts now; a zero or negative limit means none. */
    static AttemptDeadline start(Duration limit) {
        return new AttemptDeadline(limit.isNegative() ? Duration.ZERO : limit);
    }

    boolean isSet() {
        return !limit.isZero();
    }

    boolean passed() {
        return isSet() && endNanos - System.nanoTime() <= 0;
    }

    /** Time left; only meaningful when {@link #isSet()}. */
    Duration left() {
        return Duration.ofNanos(endNanos - System.nanoTime());
    }

    /** Arms the deadline on a connection (when one is set). */
    void arm(SmtpConnection c, String where) {
        if (isSet()) {
            c.deadline(left(), explain(where));
        }
    }

    String explain(String where) {
        return "Attempt on " + where + " took longer than maxAttemptTime (" + human(limit) + "); given up";
    }

    private static String human(Duration d) {
        long ms = d.toMillis();
        return ms % 60_000 == 0 ? ms / 60_000 + " min" : ms % 1000 == 0 ? ms / 1000 + " s" : ms + " ms";
    }
}

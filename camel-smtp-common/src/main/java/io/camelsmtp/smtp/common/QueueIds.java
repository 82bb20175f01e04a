package io.camelsmtp.smtp.common;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Queue ids in Postfix's spirit: short, upper-case hex, increasing with time, unique within this JVM and very likely
 * across restarts and nodes (the microsecond clock plus a per-JVM random start of the sequence). Shared by
 * {@code smtp-server} (the id in Received and the 250 reply) and the queue, which keeps that id, so one id follows a
 * message from its arrival to its delivery.
 */
public final class QueueIds {

    private static final AtomicLong SEQUENCE = new AtomicLong(new java.security.SecureRandom().nextInt(1 << 20));

    private QueueIds() {
    }

    /** A new queue id: 18 upper-case hex digits. */
    public static String next() {
        long micros = System.currentTimeMillis() * 1000 + (System.nanoTime() / 1000) % 1000;
        long seq = SEQUENCE.incrementAndGet() & 0xFFFFF;
        return hex(micros, 13) + hex(seq, 5);
    }

    private static String hex(long value, int width) {
        String h = Long.toHexString(value).toUpperCase(java.util.Locale.ROOT);
        return h.length() >= width ? h : "0".repeat(width - h.length()) + h;
    }
}

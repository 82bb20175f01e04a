package io.camelsmtp.smtp.server.protocol;

import java.net.InetAddress;
import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.function.LongSupplier;

import io.camelsmtp.smtp.common.Networks;

/**
 * Failed AUTH attempts per client address, across that address's sessions, as Postfix's anvil counts them for
 * {@code smtpd_client_auth_rate_limit}: an address's window opens at its first failure and lasts {@code window};
 * once {@code limit} failures fell in it, the address is refused until the window ends. At most {@code capacity}
 * addresses are remembered; past that the one whose window opened first is forgotten, so memory stays bounded
 * whatever a client does with many addresses. Addresses in {@code exempt} are never counted.
 */
public final class AuthFailures {

    /** How many client addresses a listener remembers at most. */
    public static final int TRACKED_ADDRESSES = 10_000;

    private static final class Window {
        final long start;
        int count;

        Window(long start) {
            this.start = start;
        }
    }

    private final int limit;
    private final long windowNanos;
    private final Networks exempt;
    private final int capacity;
    private final LongSupplier clock;
    // insertion order is the order the windows opened: a window that restarts is put at the end again
    private final LinkedHashMap<InetAddress, Window> windows = new LinkedHashMap<>();

    /**
     * @param limit  failures per window that make an address refused; 0 for no limit
     * @param window how long an address's count lasts, from its first failure
     * @param exempt addresses never counted
     */
    public AuthFailures(int limit, Duration window, Networks exempt) {
        this(limit, window, exempt, TRACKED_ADDRESSES, System::nanoTime);
    }

    AuthFailures(int limit, Duration window, Networks exempt, int capacity, LongSupplier clock) {
        if (limit > 0 && (window == null || window.isNegative() || window.isZero())) {
            throw new IllegalArgumentException("authFailureWindow must be positive when maxAuthFailuresPerIp is set");
        }
        this.limit = Math.max(0, limit);
        this.windowNanos = window == null ? 0 : window.toNanos();
        this.exempt = exempt;
        this.capacity = capacity;
        this.clock = clock;
    }

    /** Failures per window that make an address refused; 0 for no limit. */
    public int limit() {
        return limit;
    }

    /** True while {@code address} has used up its failures of the current window. */
    public synchronized boolean blocked(InetAddress address) {
        if (limit == 0) {
            return false;
        }
        Window w = current(address, clock.getAsLong());
        return w != null && w.count >= limit;
    }

    /**
     * Counts one failed AUTH from {@code address}; true when this failure used up the address's last one (so the
     * caller can log that once).
     */
    public synchronized boolean failed(InetAddress address) {
        if (limit == 0 || exempt.contains(address)) {
            return false;
        }
        long now = clock.getAsLong();
        Window w = current(address, now);
        if (w == null) {
            evictFor(now);
            w = new Window(now);
            windows.put(address, w);
        }
        w.count++;
        return w.count == limit;
    }

    /** How long the address's window still runs. */
    public synchronized Duration remaining(InetAddress address) {
        Window w = windows.get(address);
        return w == null ? Duration.ZERO : Duration.ofNanos(Math.max(0, w.start + windowNanos - clock.getAsLong()));
    }

    synchronized int tracked() {
        return windows.size();
    }

    /** The address's window, or null when it has none or its window has passed (then it is forgotten). */
    private Window current(InetAddress address, long now) {
        Window w = windows.get(address);
        if (w != null && now - w.start >= windowNanos) {
            windows.remove(address);
            return null;
        }
        return w;
    }

    /** Forgets the windows that have passed (the oldest come first), then the oldest one while still full. */
    private void evictFor(long now) {
        Iterator<Window> it = windows.values().iterator();
        while (it.hasNext()) {
            Window oldest = it.next();
            if (windows.size() < capacity && now - oldest.start < windowNanos) {
                return;
            }
            it.remove();
        }
    }
}

package io.camelsmtp.smtp.relay.client;

import java.io.Closeable;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Open connections kept per host address for the next message (RFC 5321 allows several transactions per
 * connection), and a limit on concurrent connections per address. A kept connection is checked with RSET when
 * taken; one unused for longer than the idle time is closed.
 */
final class ConnectionPool implements Closeable {

    private final Map<InetSocketAddress, Deque<SmtpConnection>> idle = new ConcurrentHashMap<>();
    private final Map<InetSocketAddress, Semaphore> permits = new ConcurrentHashMap<>();
    private final int maxPerHost;
    private final long idleNanos;

    ConnectionPool(int maxPerHost, Duration idleTime) {
        this.maxPerHost = maxPerHost;
        this.idleNanos = idleTime.toNanos();
    }

    /** Waits up to {@code wait} for a connection slot to {@code address}. */
    boolean acquire(InetSocketAddress address, Duration wait) throws InterruptedException {
        return permits.computeIfAbsent(address, a -> new Semaphore(maxPerHost, true))
                .tryAcquire(wait.toMillis(), TimeUnit.MILLISECONDS);
    }

    void release(InetSocketAddress address) {
        permits.get(address).release();
    }

    /** A kept connection to {@code address} that is still fresh, or null. */
    SmtpConnection take(InetSocketAddress address) {
        Deque<SmtpConnection> q = idle.get(address);
        if (q == null) {
            return null;
        }
        SmtpConnection c;
        while ((c = q.pollFirst()) != null) {
            if (c.idleNanos() < idleNanos && !c.isClosed()) {
                return c;
            }
            c.quit();
        }
        return null;
    }

    void keep(SmtpConnection c) {
        c.touch();
        idle.computeIfAbsent(c.address(), a -> new ConcurrentLinkedDeque<>()).addFirst(c);
    }

    /** Closes connections unused for longer than the idle time. */
    void evict() {
        for (Deque<SmtpConnection> q : idle.values()) {
            for (SmtpConnection c : q) {
                if (c.idleNanos() >= idleNanos && q.remove(c)) {
                    c.quit();
                }
            }
        }
    }

    @Override
    public void close() {
        for (Deque<SmtpConnection> q : idle.values()) {
            SmtpConnection c;
            while ((c = q.pollFirst()) != null) {
                c.quit();
            }
        }
    }
}

package io.camelsmtp.smtp.relay.client;

import java.io.Closeable;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.Deque;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import io.camelsmtp.smtp.relay.tls.HostTls;

/**
 * Open connections kept for the next message (RFC 5321 allows several transactions per connection), and a limit on
 * concurrent connections per address. A kept connection is checked with RSET when taken; one unused for longer than
 * the idle time is closed.
 * <p>
 * Kept connections are found by {@link Key}: what the session was set up for and checked against, not the address
 * alone. Two MX names on one address, or two policies, never share a session: a certificate verified for one name
 * says nothing about the other, and credentials sent for one endpoint must not carry another's mail.
 */
final class ConnectionPool implements Closeable {

    /**
     * What a kept session was opened for: address and port, the host name its certificate was checked against, the
     * TLS requirement it was set up and checked under (a session opened opportunistically never serves a delivery
     * that demands verified TLS, nor one checked by one policy's trust another's), and the user it authenticated as
     * (null for none).
     */
    record Key(SocketAddress address, String host, HostTls tls, String username) {
        Key {
            host = host.toLowerCase(Locale.ROOT);
        }
    }

    private final Map<Key, Deque<SmtpConnection>> idle = new ConcurrentHashMap<>();
    private final Map<SocketAddress, Semaphore> permits = new ConcurrentHashMap<>();
    private final int maxPerHost;
    private final long idleNanos;

    ConnectionPool(int maxPerHost, Duration idleTime) {
        this.maxPerHost = maxPerHost;
        this.idleNanos = idleTime.toNanos();
    }

    /** Waits up to {@code wait} for a connection slot to {@code address}. */
    boolean acquire(SocketAddress address, Duration wait) throws InterruptedException {
        return permits.computeIfAbsent(address, a -> new Semaphore(maxPerHost, true))
                .tryAcquire(wait.toMillis(), TimeUnit.MILLISECONDS);
    }

    void release(SocketAddress address) {
        permits.get(address).release();
    }

    /** A kept connection for {@code key} that is still fresh, or null. */
    SmtpConnection take(Key key) {
        Deque<SmtpConnection> q = idle.get(key);
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

    void keep(Key key, SmtpConnection c) {
        c.touch();
        idle.computeIfAbsent(key, k -> new ConcurrentLinkedDeque<>()).addFirst(c);
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

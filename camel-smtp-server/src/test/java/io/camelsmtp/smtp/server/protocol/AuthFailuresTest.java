package io.camelsmtp.smtp.server.protocol;

import java.net.InetAddress;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import io.camelsmtp.smtp.common.Networks;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The per-address failed-AUTH count: its window, its exemptions and its bounded memory. */
class AuthFailuresTest {

    private final AtomicLong now = new AtomicLong();

    private AuthFailures failures(int limit, int capacity, String exempt) {
        return new AuthFailures(limit, Duration.ofSeconds(300), Networks.parse(exempt), capacity, now::get);
    }

    private static InetAddress ip(String address) throws Exception {
        return InetAddress.getByName(address);
    }

    private void advance(Duration d) {
        now.addAndGet(d.toNanos());
    }

    @Test
    void blockedAtTheLimitUntilTheWindowHasPassed() throws Exception {
        AuthFailures f = failures(3, 100, null);
        assertFalse(f.failed(ip("192.0.2.1")));
        assertFalse(f.failed(ip("192.0.2.1")));
        assertFalse(f.blocked(ip("192.0.2.1")));
        assertTrue(f.failed(ip("192.0.2.1")), "the failure that uses up the limit is reported once");
        assertTrue(f.blocked(ip("192.0.2.1")));
        assertFalse(f.blocked(ip("192.0.2.2")), "another address is not affected");
        advance(Duration.ofSeconds(299));
        assertTrue(f.blocked(ip("192.0.2.1")));
        assertEquals(Duration.ofSeconds(1), f.remaining(ip("192.0.2.1")));
        advance(Duration.ofSeconds(1));
        assertFalse(f.blocked(ip("192.0.2.1")));
        assertEquals(0, f.tracked(), "a passed window is forgotten");
    }

    @Test
    void theWindowOpensAtTheFirstFailure() throws Exception {
        AuthFailures f = failures(2, 100, null);
        f.failed(ip("192.0.2.1"));
        advance(Duration.ofSeconds(301));
        assertFalse(f.failed(ip("192.0.2.1")), "a new window: one failure in it");
        assertFalse(f.blocked(ip("192.0.2.1")));
    }

    @Test
    void exemptNetworksAndNoLimitCountNothing() throws Exception {
        AuthFailures f = failures(1, 100, "127.0.0.0/8");
        f.failed(ip("127.0.0.1"));
        assertFalse(f.blocked(ip("127.0.0.1")));
        assertEquals(0, f.tracked());
        AuthFailures off = failures(0, 100, null);
        off.failed(ip("192.0.2.1"));
        assertFalse(off.blocked(ip("192.0.2.1")));
    }

    @Test
    void memoryIsBoundedByForgettingTheOldestWindow() throws Exception {
        AuthFailures f = failures(1, 3, null);
        for (int i = 1; i <= 3; i++) {
            f.failed(ip("192.0.2." + i));
            advance(Duration.ofSeconds(1));
        }
        f.failed(ip("192.0.2.4"));
        assertEquals(3, f.tracked());
        assertFalse(f.blocked(ip("192.0.2.1")), "the oldest is forgotten");
        assertTrue(f.blocked(ip("192.0.2.2")));
        assertTrue(f.blocked(ip("192.0.2.4")));
        for (int i = 0; i < 10_000; i++) {
            f.failed(InetAddress.getByAddress(new byte[] { 10, (byte) (i >> 16), (byte) (i >> 8), (byte) i }));
        }
        assertEquals(3, f.tracked());
    }

    @Test
    void aLimitNeedsAWindow() {
        assertThrows(IllegalArgumentException.class, () -> new AuthFailures(10, Duration.ZERO, Networks.parse(null)));
    }
}

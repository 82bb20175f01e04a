package io.camelsmtp.smtp.common.shaping;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Rates as written in a rules file, and the pacer that spreads them evenly (on a clock the test drives). */
class PacerTest {

    private static final long MS = 1_000_000L;

    @Test
    void ratesParseStrictly() {
        assertEquals(new Rate(100, Duration.ofSeconds(1)), Rate.parse("100/s"));
        assertEquals(new Rate(50, Duration.ofMinutes(1)), Rate.parse(" 50 / min "));
        assertEquals(new Rate(1000, Duration.ofHours(1)), Rate.parse("1000/h"));
        assertEquals(new Rate(5, Duration.ofSeconds(10)), Rate.parse("5/10s"));
        assertEquals(new Rate(3, Duration.ofMinutes(10)), Rate.parse("3/10min"));
        assertEquals("1000/h", Rate.parse("1000/hour").toString());
        assertEquals("5/10s", Rate.parse("5/10s").toString());
        assertEquals(3_600_000_000L, Rate.parse("1000/h").intervalNanos());
        for (String bad : new String[] {"", "100", "/s", "x/s", "-1/s", "0/s", "1/", "1/0s", "1/2d", "1/week", "1/10",
                "99999999999/s", "1/s/s", "1e3/s", "1/" + "9".repeat(20) + "s"}) {
            assertThrows(IllegalArgumentException.class, () -> Rate.parse(bad), bad);
        }
        assertThrows(IllegalArgumentException.class, () -> Rate.parse(null));
    }

    @Test
    void permitsComeEvenlyWithoutASavedUpBurst() {
        Pacer p = new Pacer(Rate.parse("10/s"));
        long t = 1_000 * MS;
        assertTrue(p.tryTake(t));
        assertFalse(p.tryTake(t + 50 * MS));
        assertEquals(50 * MS, p.waitNanos(t + 50 * MS));
        assertTrue(p.tryTake(t + 100 * MS));
        // a late taker keeps the cadence (it is not owed the time it was late)...
        assertTrue(p.tryTake(t + 230 * MS));
        assertFalse(p.tryTake(t + 290 * MS));
        assertTrue(p.tryTake(t + 300 * MS));
        // ...and an idle pacer gives one permit, not the ten it "missed"
        assertTrue(p.tryTake(t + 5_000 * MS));
        assertFalse(p.tryTake(t + 5_001 * MS));
    }

    @Test
    void inAnyWindowOfOnePeriodAtMostNPlusOnePermits() {
        Pacer p = new Pacer(Rate.parse("100/s"));
        long t = 0;
        int taken = 0;
        long first = -1;
        long last = 0;
        for (long now = 1; now <= 3_000 * MS; now += 137_000) { // polled every 0.137 ms for 3 s
            if (p.tryTake(now)) {
                taken++;
                first = first < 0 ? now : first;
                last = now;
            }
        }
        assertTrue(taken >= 299 && taken <= 301, "about 300 in 3 s: " + taken);
        assertTrue(last - first >= (taken - 1) * 10 * MS - MS, "never faster than one per 10 ms");
    }

    @Test
    void aNewRateTakesEffectFromTheNextPermit() {
        Pacer p = new Pacer(Rate.parse("1/s"));
        assertTrue(p.tryTake(0));
        p.rate(Rate.parse("10/s"));
        assertTrue(p.tryTake(100 * MS), "the next permit comes one new interval after the last");
        p.rate(Rate.parse("1/min"));
        assertFalse(p.tryTake(59_000 * MS));
        assertTrue(p.tryTake(60_100 * MS));
    }
}

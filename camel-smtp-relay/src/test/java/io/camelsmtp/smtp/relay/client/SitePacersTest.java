package io.camelsmtp.smtp.relay.client;

import java.util.concurrent.atomic.AtomicBoolean;

import io.camelsmtp.smtp.common.shaping.Rate;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The per-site connection pacers: wait within the deadline, give up at once past it, stop on withdrawal, stay bounded. */
class SitePacersTest {

    private static final long SECOND = 1_000_000_000L;

    @Test
    void waitsForTheNextPermitWithinTheDeadline() throws Exception {
        SitePacers pacers = new SitePacers();
        Rate tenPerSecond = Rate.parse("10/s");
        long t0 = System.nanoTime();
        assertEquals(SitePacers.Outcome.GRANTED, pacers.await("a", tenPerSecond, t0 + SECOND, () -> false));
        assertEquals(SitePacers.Outcome.GRANTED, pacers.await("a", tenPerSecond, t0 + SECOND, () -> false));
        long waited = System.nanoTime() - t0;
        assertTrue(waited >= 95_000_000L, "the second permit came " + waited / 1_000_000 + " ms after the first");
        // another site has its own pacer
        long t1 = System.nanoTime();
        assertEquals(SitePacers.Outcome.GRANTED, pacers.await("b", tenPerSecond, t1 + SECOND, () -> false));
        assertTrue(System.nanoTime() - t1 < 50_000_000L);
    }

    @Test
    void aPermitPastTheDeadlineIsNotWaitedFor() throws Exception {
        SitePacers pacers = new SitePacers();
        Rate hourly = Rate.parse("1/h");
        assertEquals(SitePacers.Outcome.GRANTED, pacers.await("a", hourly, System.nanoTime() + SECOND, () -> false));
        long t0 = System.nanoTime();
        assertEquals(SitePacers.Outcome.TOO_LATE, pacers.await("a", hourly, t0 + SECOND, () -> false));
        assertTrue(System.nanoTime() - t0 < 100_000_000L, "gave up at once");
    }

    @Test
    void aWithdrawalEndsTheWait() throws Exception {
        SitePacers pacers = new SitePacers();
        Rate slow = Rate.parse("1/2s");
        AtomicBoolean withdrawn = new AtomicBoolean();
        assertEquals(SitePacers.Outcome.GRANTED, pacers.await("a", slow, System.nanoTime() + 5 * SECOND, withdrawn::get));
        Thread withdrawer = new Thread(() -> {
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                return;
            }
            withdrawn.set(true);
        });
        withdrawer.start();
        long t0 = System.nanoTime();
        assertEquals(SitePacers.Outcome.WITHDRAWN, pacers.await("a", slow, t0 + 5 * SECOND, withdrawn::get));
        long waited = System.nanoTime() - t0;
        assertTrue(waited < SECOND, "noticed within a slice: " + waited / 1_000_000 + " ms");
    }

    @Test
    void aReloadedRateAppliesToTheNextPermit() throws Exception {
        SitePacers pacers = new SitePacers();
        assertEquals(SitePacers.Outcome.GRANTED, pacers.await("a", Rate.parse("1/h"), System.nanoTime() + SECOND, () -> false));
        // the rule was reloaded with 20/s: the next permit is 50 ms after the last one, not an hour
        assertEquals(SitePacers.Outcome.GRANTED, pacers.await("a", Rate.parse("20/s"), System.nanoTime() + SECOND, () -> false));
    }

    @Test
    void theMapStaysBounded() throws Exception {
        SitePacers pacers = new SitePacers(100);
        Rate hourly = Rate.parse("1/h"); // every site keeps a permit pending: nothing is idle enough to forget
        for (int i = 0; i < 1000; i++) {
            pacers.await("site" + i, hourly, System.nanoTime() + SECOND, () -> false);
        }
        assertTrue(pacers.size() <= 100, "tracked " + pacers.size());
        SitePacers fast = new SitePacers(100);
        Rate quick = Rate.parse("1000/s"); // due again after 1 ms: forgotten first, losing nothing
        for (int i = 0; i < 1000; i++) {
            fast.await("site" + i, quick, System.nanoTime() + SECOND, () -> false);
        }
        assertTrue(fast.size() <= 100, "tracked " + fast.size());
    }
}

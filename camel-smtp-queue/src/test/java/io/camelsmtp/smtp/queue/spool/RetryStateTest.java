package io.camelsmtp.smtp.queue.spool;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What changes while a message is tried, and the operators' decisions on it, each one atomic. */
class RetryStateTest {

    @Test
    void aFreshMessageHasEveryRecipientPendingAndNoReply() {
        RetryState r = new RetryState(3, 1000);
        RetryState.Snapshot s = r.snapshot();
        assertArrayEquals(new RetryState.Status[] { RetryState.Status.PENDING, RetryState.Status.PENDING,
                RetryState.Status.PENDING }, s.status());
        assertArrayEquals(new String[3], s.lastReply());
        assertEquals(1000, s.nextAttempt());
        assertThrows(IndexOutOfBoundsException.class, () -> r.status(3));
    }

    @Test
    void decisionsAndRepliesSurviveTheSnapshotRoundTrip() {
        RetryState r = new RetryState(3, 0);
        r.decide(1, RetryState.Status.DELIVERED, "250 ok");
        r.decide(2, RetryState.Status.PENDING, "451 4.3.0 later");
        r.countAttempt();
        r.retryAt(5000, "451 4.3.0 later");
        RetryState back = new RetryState(r.snapshot());
        assertEquals(RetryState.Status.PENDING, back.status(0));
        assertEquals(RetryState.Status.DELIVERED, back.status(1));
        assertEquals("250 ok", back.lastReply(1));
        assertEquals("451 4.3.0 later", back.lastReply(2));
        assertNull(back.lastReply(0));
        assertEquals(1, back.attempts());
        assertEquals(5000, back.nextAttempt());
        assertEquals("451 4.3.0 later", back.lastError());
    }

    @Test
    void anAttemptStartsOnlyWhenNothingStandsInItsWay() {
        RetryState r = new RetryState(1, 0);
        assertTrue(r.begin());
        assertFalse(r.begin(), "already in flight");
        assertFalse(r.hold(), "held while in flight: the attempt's end saves it");
        r.end();
        assertFalse(r.begin(), "held");
        assertTrue(r.release(42));
        assertEquals(42, r.nextAttempt());
        assertFalse(r.release(43), "not held any more");
        assertTrue(r.markDeleted(), "nothing in flight: remove it now");
        assertFalse(r.waiting());
        assertFalse(r.begin(), "deleted");
    }
}

package io.camelsmtp.smtp.queue.spool;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * What changes while a queued message is tried: the state and last reply of each recipient (by its index in the
 * envelope), the attempts so far, when the next is due, the last error, and the operator's hold. Every method is
 * atomic (this object is the lock); a decision that reads and writes several fields is one method ({@link #begin},
 * {@link #markDeleted}, {@link #hold}, {@link #release}), so no caller locks from outside. Never call the spool while
 * holding this lock: the spool takes it (through {@link #snapshot}) while it holds its own lock on the entry.
 * <p>
 * A next hop decides how long its replies are (a multi-line 450 of a megabyte has been seen): what is kept is cut to
 * {@link #MAX_REPLY_OCTETS}, and the last error is one line, so that the state a deferred message carries on disk
 * stays small and reads back exactly as it is held here.
 */
public final class RetryState {

    /** Longest reply or last error kept, in UTF-8 octets; a longer one is cut on a character boundary. */
    public static final int MAX_REPLY_OCTETS = 1000;

    /** State of one recipient. */
    public enum Status {
        PENDING, DELIVERED, FAILED
    }

    /** The persistent part, read in one go (for the envelope file and the queue listing). */
    public record Snapshot(Status[] status, String[] lastReply, int attempts, long nextAttempt, String lastError,
                           boolean held, boolean delayWarned) {

        public Status status(int recipient) {
            return status[recipient];
        }

        public String lastReply(int recipient) {
            return lastReply[recipient];
        }
    }

    // null until the first recipient is decided (all pending) and until the first reply: a queued message that was
    // never tried costs no arrays (100,000 queued messages are 100,000 of these)
    private final int recipients;
    private Status[] status;
    private String[] lastReply;
    private int attempts;
    private long nextAttempt;
    private String lastError;
    private boolean held;
    private boolean delayWarned;
    private boolean inFlight;
    private boolean deleted;

    /** Every recipient pending, the first attempt due at {@code firstAttempt} (epoch milliseconds). */
    RetryState(int recipients, long firstAttempt) {
        this.recipients = recipients;
        this.nextAttempt = firstAttempt;
    }

    /** As read back from a spool file. */
    RetryState(Snapshot s) {
        this.recipients = s.status().length;
        for (int i = 0; i < recipients; i++) {
            if (s.status(i) != Status.PENDING) {
                status(i, s.status(i));
            }
            if (s.lastReply(i) != null) {
                lastReply(i, bounded(s.lastReply(i)));
            }
        }
        this.attempts = s.attempts();
        this.nextAttempt = s.nextAttempt();
        this.lastError = oneLine(s.lastError());
        this.held = s.held();
        this.delayWarned = s.delayWarned();
    }

    public synchronized Snapshot snapshot() {
        Status[] st = new Status[recipients];
        for (int i = 0; i < recipients; i++) {
            st[i] = status(i);
        }
        return new Snapshot(st, lastReply == null ? new String[recipients] : lastReply.clone(), attempts, nextAttempt,
                lastError, held, delayWarned);
    }

    public synchronized Status status(int recipient) {
        Objects.checkIndex(recipient, recipients);
        return status == null ? Status.PENDING : status[recipient];
    }

    /** Decides (or re-decides) one recipient and keeps the reply that did (cut to {@link #MAX_REPLY_OCTETS}). */
    public synchronized void decide(int recipient, Status s, String reply) {
        status(recipient, s);
        lastReply(recipient, bounded(reply));
    }

    /** {@code text} cut to at most {@link #MAX_REPLY_OCTETS} octets of UTF-8, never inside a character; null stays null. */
    public static String bounded(String text) {
        if (text == null || text.length() * 3L <= MAX_REPLY_OCTETS) {
            return text;
        }
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        if (utf8.length <= MAX_REPLY_OCTETS) {
            return text;
        }
        int cut = MAX_REPLY_OCTETS;
        while (cut > 0 && (utf8[cut] & 0xc0) == 0x80) {
            cut--; // utf8[cut] continues the character before it: cut before that character
        }
        return new String(utf8, 0, cut, StandardCharsets.UTF_8);
    }

    /** The last error as kept: one line (a multi-line reply's line ends become spaces), {@link #bounded}. */
    public static String oneLine(String text) {
        return text == null ? null : bounded(text.replace('\r', ' ').replace('\n', ' '));
    }

    synchronized void status(int recipient, Status s) {
        Objects.checkIndex(recipient, recipients);
        if (status == null) {
            if (s == Status.PENDING) {
                return;
            }
            status = new Status[recipients];
            Arrays.fill(status, Status.PENDING);
        }
        status[recipient] = s;
    }

    private void lastReply(int recipient, String reply) {
        if (lastReply == null) {
            if (reply == null) {
                return;
            }
            lastReply = new String[recipients];
        }
        lastReply[recipient] = reply;
    }

    public synchronized String lastReply(int recipient) {
        Objects.checkIndex(recipient, recipients);
        return lastReply == null ? null : lastReply[recipient];
    }

    public synchronized int attempts() {
        return attempts;
    }

    /** Counts an attempt that has ended; returns the new count. */
    public synchronized int countAttempt() {
        return ++attempts;
    }

    /** Epoch milliseconds of the next delivery attempt. */
    public synchronized long nextAttempt() {
        return nextAttempt;
    }

    public synchronized void nextAttempt(long epochMillis) {
        this.nextAttempt = epochMillis;
    }

    /**
     * The next attempt is due then, and this reply is why the last one did not finish (null keeps the last error; it
     * is kept as {@link #oneLine}).
     */
    public synchronized void retryAt(long epochMillis, String error) {
        this.nextAttempt = epochMillis;
        if (error != null) {
            this.lastError = oneLine(error);
        }
    }

    public synchronized String lastError() {
        return lastError;
    }

    public synchronized boolean held() {
        return held;
    }

    public synchronized boolean delayWarned() {
        return delayWarned;
    }

    public synchronized void delayWarned(boolean warned) {
        this.delayWarned = warned;
    }

    /** An attempt is running. */
    public synchronized boolean inFlight() {
        return inFlight;
    }

    public synchronized boolean deleted() {
        return deleted;
    }

    /** Starts an attempt unless the message is held, deleted or already being tried; true when it started. */
    public synchronized boolean begin() {
        if (held || deleted || inFlight) {
            return false;
        }
        inFlight = true;
        return true;
    }

    /** The attempt has ended (or was dropped by a stopped consumer and will be made again). */
    public synchronized void end() {
        inFlight = false;
    }

    /** The operator deleted the message; true when no attempt runs, so the caller removes it now. */
    public synchronized boolean markDeleted() {
        deleted = true;
        return !inFlight;
    }

    /** The operator holds the message; true when no attempt runs, so the caller saves the hold now. */
    public synchronized boolean hold() {
        held = true;
        return !inFlight;
    }

    /** The operator releases a held message for an attempt now; false when it was not held. */
    public synchronized boolean release(long now) {
        if (!held) {
            return false;
        }
        held = false;
        nextAttempt = now;
        return true;
    }

    /** Waiting for its next attempt: neither held, deleted nor being tried. */
    public synchronized boolean waiting() {
        return !held && !deleted && !inFlight;
    }
}

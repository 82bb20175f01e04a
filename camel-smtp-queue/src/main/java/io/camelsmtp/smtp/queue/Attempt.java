package io.camelsmtp.smtp.queue;

import java.util.ArrayList;
import java.util.List;

import io.camelsmtp.smtp.common.DeliveryCancellation;
import io.camelsmtp.smtp.common.RecipientResult;
import io.camelsmtp.smtp.queue.spool.SpoolEntry;

/**
 * One delivery attempt of one message: it is split into one {@link Job} per recipient domain, and settled when the
 * last job has reported. Jobs of one attempt run on different workers, so what they share is synchronized here.
 * <p>
 * An operator may hold or delete the message while the attempt runs: {@link #cancelled()} is the check each job's
 * Exchange carries ({@link DeliveryCancellation}); once it has said yes, the recipients a delivery step reports
 * deferred with {@link DeliveryCancellation#REPLY} were withdrawn, not tried. A job the scheduler postpones (its
 * site is suspended) reports no outcome at all: its recipients were not tried either.
 */
final class Attempt {

    /** The recipients of one domain within an attempt. */
    record Job(Attempt attempt, String domain, List<SpoolEntry.Recipient> recipients) {
    }

    private final SpoolEntry entry;
    private final List<Outcome> outcomes = new ArrayList<>();
    private int jobsLeft;
    private long postponedUntil;
    private volatile boolean withdrawn;

    Attempt(SpoolEntry entry, int jobs) {
        this.entry = entry;
        this.jobsLeft = jobs;
    }

    SpoolEntry entry() {
        return entry;
    }

    /** True once the message is held or deleted; remembers that it said so. Cheap and thread-safe. */
    boolean cancelled() {
        boolean c = entry.retry().held() || entry.retry().deleted();
        if (c) {
            withdrawn = true;
        }
        return c;
    }

    /** This outcome is a recipient the delivery step did not try because the attempt was withdrawn. */
    boolean withdrawn(Outcome o) {
        return withdrawn && o.status() == RecipientResult.Status.DEFERRED && DeliveryCancellation.REPLY.equals(o.reply());
    }

    /**
     * A job of this attempt was not started because its site is suspended (or has too much mail ready): its
     * recipients were not tried, and the message is not tried again before {@code until} (epoch ms).
     */
    synchronized void postpone(long until) {
        postponedUntil = Math.max(postponedUntil, until);
    }

    /** When the message may be tried again at the earliest because of postponed jobs; 0 when none was. */
    synchronized long postponedUntil() {
        return postponedUntil;
    }

    /** Adds a job's outcomes; true when it was the last job, so the attempt can be settled. */
    synchronized boolean report(List<Outcome> jobOutcomes) {
        outcomes.addAll(jobOutcomes);
        return --jobsLeft == 0;
    }

    /** The outcomes of every job, without those withdrawn. */
    synchronized List<Outcome> outcomes() {
        List<Outcome> tried = new ArrayList<>(outcomes.size());
        for (Outcome o : outcomes) {
            if (!withdrawn(o)) {
                tried.add(o);
            }
        }
        return tried;
    }
}

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
 * deferred with {@link DeliveryCancellation#REPLY} were withdrawn, not tried.
 */
final class Attempt {

    /** The recipients of one domain within an attempt. */
    record Job(Attempt attempt, String domain, List<SpoolEntry.Recipient> recipients) {
    }

    private final SpoolEntry entry;
    private final List<Outcome> outcomes = new ArrayList<>();
    private int jobsLeft;
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

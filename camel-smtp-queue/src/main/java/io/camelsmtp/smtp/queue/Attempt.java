package io.camelsmtp.smtp.queue;

import java.util.ArrayList;
import java.util.List;

import io.camelsmtp.smtp.queue.spool.SpoolEntry;

/**
 * One delivery attempt of one message: it is split into one {@link Job} per recipient domain, and settled when the
 * last job has reported. Jobs of one attempt run on different workers, so what they share is synchronized here.
 */
final class Attempt {

    /** The recipients of one domain within an attempt. */
    record Job(Attempt attempt, String domain, List<SpoolEntry.Recipient> recipients) {
    }

    private final SpoolEntry entry;
    private final List<Outcome> outcomes = new ArrayList<>();
    private int jobsLeft;

    Attempt(SpoolEntry entry, int jobs) {
        this.entry = entry;
        this.jobsLeft = jobs;
    }

    SpoolEntry entry() {
        return entry;
    }

    /** Adds a job's outcomes; true when it was the last job, so the attempt can be settled. */
    synchronized boolean report(List<Outcome> jobOutcomes) {
        outcomes.addAll(jobOutcomes);
        return --jobsLeft == 0;
    }

    synchronized List<Outcome> outcomes() {
        return new ArrayList<>(outcomes);
    }
}

package io.camelsmtp.smtp.queue;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import io.camelsmtp.smtp.common.RecipientResult;
import io.camelsmtp.smtp.queue.spool.RetryState;
import io.camelsmtp.smtp.queue.spool.Spool;
import io.camelsmtp.smtp.queue.spool.SpoolEntry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the queue does with the outcomes of an attempt. A job's delivered recipients are recorded at once, before
 * their event, so a restart never sends to them again. When the attempt's last job has reported, the attempt is
 * settled: failed and expired recipients are notified (RFC 3464) and only then decided, so a notification that
 * cannot be stored (a full disk) leaves them pending and the attempt is made again later; success and delay
 * notifications are queued as asked for, the retry state is saved, and the message waits for its next attempt or
 * leaves the spool. Recipients withdrawn because an operator held or deleted the message were not tried: no attempt
 * is counted for them and nothing is reported; so were those of a job postponed because its site is suspended, and
 * the message then waits at least until the site's suspension ends. Every outcome is logged and published as a {@link DeliveryEvent}.
 */
final class Settlement {

    private static final Logger LOG = LoggerFactory.getLogger(Settlement.class);

    private final MailQueue queue;
    private final Spool spool;
    private final DeliverySettings settings;
    private final Notifications notifications;
    private final Consumer<SpoolEntry> reschedule;

    /** @param reschedule puts a message that still has pending recipients back in line for its next attempt */
    Settlement(MailQueue queue, DeliverySettings settings, Consumer<SpoolEntry> reschedule) {
        this.queue = queue;
        this.spool = queue.spool();
        this.settings = settings;
        this.notifications = new Notifications(queue, settings);
        this.reschedule = reschedule;
    }

    /**
     * Records a job's outcomes; the delivered ones are written at once, the rest waits for the whole attempt. Never
     * throws: the attempt is settled whatever happens here.
     */
    void jobDone(Attempt.Job job, List<Outcome> outcomes) {
        Attempt a = job.attempt();
        try {
            recordDelivered(a, outcomes);
        } catch (Throwable t) {
            LOG.error("smtp-queue:{} {}: recording the outcome of a delivery failed", queue.name(), a.entry().id(), t);
        }
        if (a.report(outcomes)) {
            settle(a);
        }
    }

    private void recordDelivered(Attempt a, List<Outcome> outcomes) {
        SpoolEntry e = a.entry();
        List<SpoolEntry.Recipient> delivered = new ArrayList<>();
        for (Outcome o : outcomes) {
            if (a.withdrawn(o)) {
                continue; // not tried: its last reply stays what it was
            }
            // a failure is decided in settle(), once its notification is stored
            boolean ok = o.status() == RecipientResult.Status.DELIVERED;
            e.retry().decide(o.recipient().index(), ok ? RetryState.Status.DELIVERED : RetryState.Status.PENDING,
                    o.reply().toString());
            if (ok) {
                delivered.add(o.recipient());
            }
        }
        if (!delivered.isEmpty()) {
            try {
                spool.recordRecipients(e, delivered);
            } catch (IOException ex) {
                LOG.warn("smtp-queue:{} {}: could not record delivered recipients ({}); a restart may send to them again",
                        queue.name(), e.id(), ex.toString());
            }
        }
        int attempt = e.retry().attempts() + 1;
        for (Outcome o : outcomes) {
            if (o.status() == RecipientResult.Status.DELIVERED) {
                LOG.info("smtp-queue:{} {}: to=<{}> delivered: {}{}", queue.name(), e.id(), o.recipient().address(), o.reply(),
                        o.host() != null ? " (" + o.host() + ")" : "");
                emit(o.event(DeliveryEvent.DELIVERED, e, attempt, null));
            }
        }
    }

    /** All jobs of an attempt are done: notify, save, and schedule what is left. */
    private void settle(Attempt a) {
        SpoolEntry e = a.entry();
        RetryState retry = e.retry();
        long now = System.currentTimeMillis();
        // withdrawn before anything was tried (held or deleted): not an attempt, and afterAttempt applies the hold or delete
        List<Outcome> tried = a.outcomes();
        try {
            long postponed = a.postponedUntil();
            if (!tried.isEmpty()) {
                int attempts = retry.countAttempt();
                queue.meters().attempt();
                if (retry.deleted()) {
                    spool.complete(e);
                    return;
                }
                settleTried(e, tried, attempts, now, postponed);
            } else if (postponed > 0 && !retry.deleted() && !retry.held()) {
                // nothing was tried (every job's site suspended): no attempt, no event; it waits for the site
                retry.nextAttempt(postponed);
                spool.saveRetryState(e);
            }
        } catch (Throwable ex) {
            LOG.error("smtp-queue:{} {}: could not save the outcome of an attempt ({}); it is tried again", queue.name(),
                    e.id(), ex.toString());
            retry.nextAttempt(now + settings.backoff(Math.max(1, retry.attempts())));
            if (e.pending().isEmpty()) {
                complete(e); // every recipient decided, only a success notice failed: nothing is left to try
            }
        } finally {
            retry.end();
        }
        afterAttempt(e);
    }

    private void settleTried(SpoolEntry e, List<Outcome> tried, int attempts, long now, long notBefore) throws IOException {
        RetryState retry = e.retry();
        List<Outcome> failed = new ArrayList<>();
        List<Outcome> deferred = new ArrayList<>();
        List<Outcome> succeeded = new ArrayList<>();
        for (Outcome o : tried) {
            switch (o.status()) {
                case FAILED -> failed.add(o);
                case DEFERRED -> deferred.add(o);
                case DELIVERED -> succeeded.add(o);
            }
        }
        long lifetime = e.kind() == SpoolEntry.Kind.MAIL ? settings.maxQueueLifetime() : settings.bounceLifetime();
        List<Outcome> expired = new ArrayList<>();
        if (!deferred.isEmpty() && now - e.arrival().toEpochMilli() >= lifetime) {
            expired.addAll(deferred);
            deferred.clear();
        }
        notifications.failed(e, failed, expired); // stored before the failures are decided: a full disk loses none
        List<SpoolEntry.Recipient> decided = new ArrayList<>();
        for (Outcome o : failed) {
            retry.decide(o.recipient().index(), RetryState.Status.FAILED, o.reply().toString());
            decided.add(o.recipient());
            LOG.info("smtp-queue:{} {}: to=<{}> bounced: {}", queue.name(), e.id(), o.recipient().address(), o.reply());
            emit(o.event(DeliveryEvent.BOUNCED, e, attempts, null));
        }
        for (Outcome o : expired) {
            retry.decide(o.recipient().index(), RetryState.Status.FAILED, o.reply().toString());
            decided.add(o.recipient());
            LOG.info("smtp-queue:{} {}: to=<{}> expired after {} attempt(s): {}", queue.name(), e.id(),
                    o.recipient().address(), attempts, o.reply());
            emit(o.event(DeliveryEvent.EXPIRED, e, attempts, null));
        }
        if (!decided.isEmpty() && !e.pending().isEmpty()) {
            spool.recordRecipients(e, decided);
        }
        notifications.succeeded(e, succeeded);
        if (e.pending().isEmpty()) {
            spool.complete(e);
            return;
        }
        long next = Math.max(now + settings.backoff(attempts), notBefore); // a postponed site's mail waits for it
        retry.retryAt(next, deferred.isEmpty() ? null : deferred.get(deferred.size() - 1).reply().toString());
        if (settings.delayWarningTime() > 0 && !retry.delayWarned() && !deferred.isEmpty()
            && now - e.arrival().toEpochMilli() >= settings.delayWarningTime()) {
            notifications.delayed(e, deferred, e.arrival().toEpochMilli() + lifetime);
            retry.delayWarned(true);
            deferred.forEach(o -> emit(o.event(DeliveryEvent.DELAYED, e, attempts, Instant.ofEpochMilli(next))));
        }
        spool.saveRetryState(e);
        for (Outcome o : deferred) {
            LOG.info("smtp-queue:{} {}: to=<{}> deferred (attempt {}, next in {} s): {}", queue.name(), e.id(),
                    o.recipient().address(), attempts, (next - now) / 1000, o.reply());
            emit(o.event(DeliveryEvent.DEFERRED, e, attempts, Instant.ofEpochMilli(next)));
        }
    }

    /** An operator may have deleted or held the message while its attempt ran: apply that now, else schedule it. */
    private void afterAttempt(SpoolEntry e) {
        try {
            if (e.retry().deleted()) {
                spool.complete(e);
            } else if (e.retry().held()) {
                spool.saveRetryState(e);
            } else if (spool.contains(e.id())) {
                reschedule.accept(e);
            }
        } catch (Throwable ex) {
            LOG.error("smtp-queue:{} {}: could not apply a delete or hold: {}", queue.name(), e.id(), ex.toString());
        }
    }

    private void complete(SpoolEntry e) {
        try {
            spool.complete(e);
        } catch (IOException ex) {
            LOG.error("smtp-queue:{} {}: could not remove a finished message: {}", queue.name(), e.id(), ex.toString());
        }
    }

    private void emit(DeliveryEvent event) {
        queue.counted(event);
        queue.events().publish(event);
    }
}

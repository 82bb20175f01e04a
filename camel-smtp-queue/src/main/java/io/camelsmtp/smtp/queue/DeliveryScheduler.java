package io.camelsmtp.smtp.queue;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import io.camelsmtp.smtp.common.DeliveryReport;
import io.camelsmtp.smtp.common.Envelope;
import io.camelsmtp.smtp.common.EnvelopeBinding;
import io.camelsmtp.smtp.common.RecipientResult;
import io.camelsmtp.smtp.common.SmtpReplyException;
import io.camelsmtp.smtp.queue.spool.Spool;
import io.camelsmtp.smtp.queue.spool.SpoolEntry;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs delivery attempts for one queue. A message whose time has come is split into one job per recipient domain
 * (its pending recipients there); jobs run on {@code concurrency} worker threads with at most {@code maxPerDomain} at
 * once per domain, taken from the domains in turn so one slow destination cannot starve the others. Each job sends an
 * Exchange into the consumer's route and reads the outcome per recipient: the {@code CamelSmtpDeliveryReport} of
 * {@code smtp-relay} when there is one, else success when the route completed, the reply of an
 * {@link SmtpReplyException}, or a deferral for any other failure. When all jobs of a message are done the attempt is
 * settled: notifications are queued, the state is saved, and what is still pending waits for its next retry.
 */
final class DeliveryScheduler {

    private static final Logger LOG = LoggerFactory.getLogger(DeliveryScheduler.class);
    private static final long STATE_FLUSH_MS = 200;
    /**
     * At most this many delivery jobs wait for a worker (like Postfix's qmgr_message_active_limit): a backlog of a
     * million due messages stays in the time-ordered queue and costs its index entries only, not a job each.
     */
    static final int ACTIVE_LIMIT = 10_000;

    private final MailQueue queue;
    private final Spool spool;
    private final SmtpQueueConsumer consumer;
    private final DeliverySettings settings;
    private final Notifications notifications;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final PriorityQueue<SpoolEntry> waiting = new PriorityQueue<>(Comparator.comparingLong(SpoolEntry::nextAttempt));
    private final Map<String, ArrayDeque<Job>> ready = new LinkedHashMap<>();
    private final Map<String, Integer> activePerDomain = new HashMap<>();
    private int running;
    private int readyJobs;
    private boolean stopping;

    private ExecutorService timer;
    private ExecutorService workers;

    /** One delivery attempt of one message: its jobs and what they found. */
    private static final class Attempt {
        final SpoolEntry entry;
        final List<Outcome> outcomes = new ArrayList<>();
        int jobsLeft;

        Attempt(SpoolEntry entry) {
            this.entry = entry;
        }
    }

    /** The recipients of one domain within an attempt. */
    private record Job(Attempt attempt, String domain, List<SpoolEntry.Recipient> recipients) {
    }

    DeliveryScheduler(MailQueue queue, SmtpQueueConsumer consumer, DeliverySettings settings) {
        this.queue = queue;
        this.spool = queue.spool();
        this.consumer = consumer;
        this.settings = settings;
        this.notifications = new Notifications(queue, settings);
    }

    void start(Collection<SpoolEntry> entries) {
        lock.lock();
        try {
            for (SpoolEntry e : entries) {
                synchronized (e) {
                    e.inFlight(false); // attempts of a previous consumer (stopped, its jobs dropped) are made again
                }
                if (!e.held() && !e.deleted()) {
                    waiting.add(e);
                }
            }
        } finally {
            lock.unlock();
        }
        var ecm = queue.context().getExecutorServiceManager();
        workers = ecm.newFixedThreadPool(consumer, "smtp-queue-" + queue.name(), settings.concurrency());
        timer = ecm.newSingleThreadExecutor(consumer, "smtp-queue-" + queue.name() + "-scheduler");
        timer.execute(this::schedule);
    }

    void stop() {
        lock.lock();
        try {
            stopping = true;
            ready.clear();
            readyJobs = 0;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        var ecm = queue.context().getExecutorServiceManager();
        ecm.shutdownGraceful(workers, settings.stopTimeout());
        ecm.shutdownGraceful(timer, 2 * STATE_FLUSH_MS); // it sees stopping within STATE_FLUSH_MS: no interrupt needed
        spool.flushState();
    }

    void add(SpoolEntry e) {
        lock.lock();
        try {
            if (!stopping && !e.held() && !e.inFlight() && !e.deleted()) {
                waiting.add(e);
                changed.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    void remove(SpoolEntry e) {
        lock.lock();
        try {
            waiting.remove(e);
        } finally {
            lock.unlock();
        }
    }

    int flush() {
        lock.lock();
        try {
            List<SpoolEntry> all = new ArrayList<>(waiting);
            waiting.clear();
            long now = System.currentTimeMillis();
            for (SpoolEntry e : all) {
                e.nextAttempt(now);
                waiting.add(e);
            }
            changed.signalAll();
            return all.size();
        } finally {
            lock.unlock();
        }
    }

    /** The scheduler thread: moves messages that are due into jobs, and starts jobs while there is room. */
    private void schedule() {
        long lastFlush = System.currentTimeMillis();
        while (true) {
            lock.lock();
            try {
                if (stopping) {
                    return;
                }
                long now = System.currentTimeMillis();
                SpoolEntry head;
                while ((head = waiting.peek()) != null && head.nextAttempt() <= now && readyJobs < ACTIVE_LIMIT) {
                    waiting.poll();
                    begin(head);
                }
                dispatch();
                long wait = head == null || readyJobs >= ACTIVE_LIMIT ? STATE_FLUSH_MS
                        : Math.min(STATE_FLUSH_MS, head.nextAttempt() - now);
                if (wait > 0) {
                    changed.await(wait, TimeUnit.MILLISECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } finally {
                lock.unlock();
            }
            long now = System.currentTimeMillis();
            if (now - lastFlush >= STATE_FLUSH_MS) {
                spool.flushState();
                lastFlush = now;
            }
        }
    }

    /** Splits a due message into jobs, one per domain of its pending recipients. Called with the lock held. */
    private void begin(SpoolEntry e) {
        Attempt attempt = new Attempt(e);
        Map<String, List<SpoolEntry.Recipient>> byDomain = new LinkedHashMap<>();
        synchronized (e) {
            if (e.held() || e.deleted() || e.inFlight()) {
                return;
            }
            for (SpoolEntry.Recipient r : e.pending()) {
                byDomain.computeIfAbsent(domain(r.address()), d -> new ArrayList<>()).add(r);
            }
            if (byDomain.isEmpty()) {
                return;
            }
            e.inFlight(true);
            attempt.jobsLeft = byDomain.size();
        }
        for (Map.Entry<String, List<SpoolEntry.Recipient>> d : byDomain.entrySet()) {
            ready.computeIfAbsent(d.getKey(), k -> new ArrayDeque<>()).add(new Job(attempt, d.getKey(), d.getValue()));
            readyJobs++;
        }
    }

    /** Starts jobs while workers are free, taking domains in turn. Called with the lock held. */
    private void dispatch() {
        while (running < settings.concurrency() && !ready.isEmpty()) {
            Job job = null;
            Iterator<Map.Entry<String, ArrayDeque<Job>>> it = ready.entrySet().iterator();
            while (it.hasNext()) {
                Map.Entry<String, ArrayDeque<Job>> d = it.next();
                if (activePerDomain.getOrDefault(d.getKey(), 0) < settings.maxPerDomain()) {
                    job = d.getValue().poll();
                    readyJobs--;
                    it.remove();
                    if (!d.getValue().isEmpty()) {
                        ready.put(d.getKey(), d.getValue()); // to the back of the line
                    }
                    break;
                }
            }
            if (job == null) {
                return;
            }
            running++;
            activePerDomain.merge(job.domain(), 1, Integer::sum);
            Job j = job;
            workers.execute(() -> run(j));
        }
    }

    private void run(Job job) {
        try {
            List<Outcome> outcomes = deliver(job);
            finishJob(job, outcomes);
        } catch (RuntimeException e) {
            LOG.error("smtp-queue:{} {}: delivery attempt failed unexpectedly", queue.name(), job.attempt().entry.id(), e);
        } finally {
            lock.lock();
            try {
                running--;
                activePerDomain.merge(job.domain(), -1, Integer::sum);
                if (activePerDomain.get(job.domain()) <= 0) {
                    activePerDomain.remove(job.domain());
                }
                dispatch();
                if (readyJobs < ACTIVE_LIMIT && !waiting.isEmpty()) {
                    changed.signalAll(); // room for more due messages
                }
            } finally {
                lock.unlock();
            }
        }
    }

    /** Sends one job through the consumer's route and reads the outcome of each of its recipients. */
    private List<Outcome> deliver(Job job) {
        SpoolEntry e = job.attempt().entry;
        Exchange exchange = consumer.createExchange(false);
        SpoolStreamCache body = new SpoolStreamCache(spool, e);
        try {
            Message m = exchange.getMessage();
            m.setBody(body);
            List<Envelope.Recipient> to = new ArrayList<>();
            for (SpoolEntry.Recipient r : job.recipients()) {
                to.add(new Envelope.Recipient(r.address(), r.dsnNotify(), r.dsnOrcpt()));
            }
            EnvelopeBinding.write(new Envelope(e.sender(), to, e.bodyType(), e.utf8(), e.dsnRet(), e.dsnEnvid(), e.id()), m);
            m.setHeader(SmtpQueueConstants.ATTEMPT, e.attempts() + 1);
            m.setHeader(SmtpQueueConstants.ARRIVAL, e.arrival());
            m.setHeader(SmtpQueueConstants.KIND, e.kind().name().toLowerCase(Locale.ROOT));
            try {
                consumer.getProcessor().process(exchange);
            } catch (Exception ex) {
                exchange.setException(ex);
            }
            return outcomes(job, exchange);
        } finally {
            body.close();
            consumer.releaseExchange(exchange, false);
        }
    }

    private List<Outcome> outcomes(Job job, Exchange exchange) {
        List<String> addresses = job.recipients().stream().map(SpoolEntry.Recipient::address).toList();
        DeliveryReport report = DeliveryReport.read(exchange, addresses, "route " + consumer.getRouteId());
        List<Outcome> outcomes = new ArrayList<>();
        for (int i = 0; i < addresses.size(); i++) {
            outcomes.add(Outcome.of(job.recipients().get(i), report.getResults().get(i)));
        }
        return outcomes;
    }

    /** Records a job's delivered recipients at once (so a restart never resends to them); the rest waits for the attempt. */
    private void finishJob(Job job, List<Outcome> outcomes) {
        Attempt a = job.attempt();
        SpoolEntry e = a.entry;
        List<SpoolEntry.Recipient> delivered = new ArrayList<>();
        synchronized (e) {
            for (Outcome o : outcomes) {
                if (o.status() == RecipientResult.Status.DELIVERED) {
                    o.recipient().state(SpoolEntry.State.DELIVERED);
                    delivered.add(o.recipient());
                } else if (o.status() == RecipientResult.Status.FAILED) {
                    o.recipient().state(SpoolEntry.State.FAILED);
                }
                o.recipient().lastReply(o.reply().toString());
            }
            a.outcomes.addAll(outcomes);
        }
        if (!delivered.isEmpty()) {
            try {
                spool.recordRecipients(e, delivered);
            } catch (IOException ex) {
                LOG.warn("smtp-queue:{} {}: could not record delivered recipients ({}); a restart may send to them again",
                        queue.name(), e.id(), ex.toString());
            }
        }
        for (Outcome o : outcomes) {
            if (o.status() == RecipientResult.Status.DELIVERED) {
                LOG.info("smtp-queue:{} {}: to=<{}> delivered: {}{}", queue.name(), e.id(), o.recipient().address(), o.reply(),
                        o.host() != null ? " (" + o.host() + ")" : "");
                emit(o.event(DeliveryEvent.DELIVERED, e, e.attempts() + 1, null));
            }
        }
        boolean last;
        synchronized (e) {
            last = --a.jobsLeft == 0;
        }
        if (last) {
            settle(a);
        }
    }

    /** All jobs of an attempt are done: notify, save, and schedule what is left. */
    private void settle(Attempt a) {
        SpoolEntry e = a.entry;
        long now = System.currentTimeMillis();
        try {
            synchronized (e) {
                e.attempts(e.attempts() + 1);
            }
            if (e.deleted()) {
                spool.complete(e);
                return;
            }
            List<Outcome> failed = new ArrayList<>();
            List<Outcome> deferred = new ArrayList<>();
            List<Outcome> succeeded = new ArrayList<>();
            for (Outcome o : a.outcomes) {
                switch (o.status()) {
                    case FAILED -> failed.add(o);
                    case DEFERRED -> deferred.add(o);
                    case DELIVERED -> succeeded.add(o);
                }
            }
            long lifetime = e.kind() == SpoolEntry.Kind.MAIL ? settings.maxQueueLifetime() : settings.bounceLifetime();
            boolean expired = !deferred.isEmpty() && now - e.arrival().toEpochMilli() >= lifetime;
            List<Outcome> expiredOutcomes = new ArrayList<>();
            if (expired) {
                for (Outcome o : deferred) {
                    o.recipient().state(SpoolEntry.State.FAILED);
                    expiredOutcomes.add(o);
                }
                deferred.clear();
            }
            notifications.failed(e, failed, expiredOutcomes);
            notifications.succeeded(e, succeeded);
            List<SpoolEntry.Recipient> decided = new ArrayList<>();
            failed.forEach(o -> decided.add(o.recipient()));
            expiredOutcomes.forEach(o -> decided.add(o.recipient()));
            for (Outcome o : failed) {
                LOG.info("smtp-queue:{} {}: to=<{}> bounced: {}", queue.name(), e.id(), o.recipient().address(), o.reply());
                emit(o.event(DeliveryEvent.BOUNCED, e, e.attempts(), null));
            }
            for (Outcome o : expiredOutcomes) {
                LOG.info("smtp-queue:{} {}: to=<{}> expired after {} attempt(s): {}", queue.name(), e.id(),
                        o.recipient().address(), e.attempts(), o.reply());
                emit(o.event(DeliveryEvent.EXPIRED, e, e.attempts(), null));
            }
            if (e.pending().isEmpty()) {
                spool.complete(e);
                return;
            }
            if (!decided.isEmpty()) {
                spool.recordRecipients(e, decided);
            }
            long next = now + settings.backoff(e.attempts());
            synchronized (e) {
                e.nextAttempt(next);
                if (!deferred.isEmpty()) {
                    e.lastError(deferred.get(deferred.size() - 1).reply().toString());
                }
            }
            if (settings.delayWarningTime() > 0 && !e.delayWarned()
                && now - e.arrival().toEpochMilli() >= settings.delayWarningTime()) {
                notifications.delayed(e, deferred, e.arrival().toEpochMilli() + lifetime);
                e.delayWarned(true);
                deferred.forEach(o -> emit(o.event(DeliveryEvent.DELAYED, e, e.attempts(), Instant.ofEpochMilli(next))));
            }
            spool.saveRetryState(e);
            for (Outcome o : deferred) {
                LOG.info("smtp-queue:{} {}: to=<{}> deferred (attempt {}, next in {} s): {}", queue.name(), e.id(),
                        o.recipient().address(), e.attempts(), (next - now) / 1000, o.reply());
                emit(o.event(DeliveryEvent.DEFERRED, e, e.attempts(), Instant.ofEpochMilli(next)));
            }
        } catch (IOException ex) {
            LOG.error("smtp-queue:{} {}: could not save the outcome of an attempt ({}); it is tried again",
                    queue.name(), e.id(), ex.toString());
            synchronized (e) {
                e.nextAttempt(now + settings.backoff(e.attempts()));
            }
        } finally {
            synchronized (e) {
                e.inFlight(false);
            }
        }
        afterAttempt(e);
    }

    /** An operator may have deleted or held the message while its attempt ran: apply that now, else schedule it. */
    private void afterAttempt(SpoolEntry e) {
        try {
            if (e.deleted()) {
                spool.complete(e);
            } else if (e.held()) {
                spool.saveRetryState(e);
            } else if (spool.contains(e.id())) {
                add(e);
            }
        } catch (IOException ex) {
            LOG.error("smtp-queue:{} {}: could not apply a delete or hold: {}", queue.name(), e.id(), ex.toString());
        }
    }

    private void emit(DeliveryEvent event) {
        queue.counted(event.type());
        queue.events().publish(event);
    }

    static String domain(String address) {
        int at = address.lastIndexOf('@');
        return at < 0 ? "" : address.substring(at + 1).toLowerCase(Locale.ROOT);
    }
}

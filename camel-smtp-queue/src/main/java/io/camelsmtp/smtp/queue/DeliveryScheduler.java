package io.camelsmtp.smtp.queue;

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
import java.util.function.Predicate;

import io.camelsmtp.smtp.queue.spool.Spool;
import io.camelsmtp.smtp.queue.spool.SpoolEntry;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Schedules the delivery attempts of one queue. A message whose time has come is split into one job per recipient
 * domain (its pending recipients there); jobs run on {@code concurrency} worker threads with at most
 * {@code maxPerDomain} at once per domain, taken from the domains in turn so one slow destination cannot starve the
 * others. A job sends one Exchange into the consumer's route ({@link SmtpQueueBinding} maps it both ways) and hands
 * the outcomes to the {@link Settlement}, which records them and settles the attempt when its last job is done.
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
    private final Settlement settlement;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final PriorityQueue<SpoolEntry> waiting = new PriorityQueue<>(Comparator.comparingLong(e -> e.retry().nextAttempt()));
    private final Map<String, ArrayDeque<Attempt.Job>> ready = new LinkedHashMap<>();
    private final Map<String, Integer> activePerDomain = new HashMap<>();
    private int running;
    private int readyJobs;
    private boolean stopping;

    private ExecutorService timer;
    private ExecutorService workers;

    DeliveryScheduler(MailQueue queue, SmtpQueueConsumer consumer, DeliverySettings settings) {
        this.queue = queue;
        this.spool = queue.spool();
        this.consumer = consumer;
        this.settings = settings;
        this.settlement = new Settlement(queue, settings, this::add);
    }

    DeliverySettings settings() {
        return settings;
    }

    void start(Collection<SpoolEntry> entries) {
        lock.lock();
        try {
            for (SpoolEntry e : entries) {
                e.retry().end(); // attempts of a previous consumer (stopped, its jobs dropped) are made again
                if (e.retry().waiting()) {
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
            if (!stopping && e.retry().waiting()) {
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
        return flush(e -> true);
    }

    /**
     * Makes the waiting messages that {@code which} selects due now; returns how many. One pass over the waiting
     * messages; the time order is rebuilt only when some were selected (an ETRN for a domain with nothing waiting
     * costs the scan alone).
     */
    int flush(Predicate<SpoolEntry> which) {
        lock.lock();
        try {
            List<SpoolEntry> selected = new ArrayList<>();
            for (SpoolEntry e : waiting) {
                if (which.test(e)) {
                    selected.add(e);
                }
            }
            if (selected.isEmpty()) {
                return 0;
            }
            List<SpoolEntry> all = new ArrayList<>(waiting);
            waiting.clear();
            long now = System.currentTimeMillis();
            for (SpoolEntry e : selected) {
                e.retry().nextAttempt(now);
            }
            waiting.addAll(all); // their next attempt changed: the heap is built anew
            changed.signalAll();
            return selected.size();
        } finally {
            lock.unlock();
        }
    }

    /**
     * True when a recipient of {@code e} still pending is at {@code domain} (lower case), or with {@code subdomains}
     * under it.
     */
    static boolean pendingFor(SpoolEntry e, String domain, boolean subdomains) {
        for (SpoolEntry.Recipient r : e.pending()) {
            String d = domain(r.address());
            if (d.equals(domain) || subdomains && d.endsWith("." + domain)) {
                return true;
            }
        }
        return false;
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
                while ((head = waiting.peek()) != null && head.retry().nextAttempt() <= now && readyJobs < ACTIVE_LIMIT) {
                    waiting.poll();
                    begin(head);
                }
                dispatch();
                long wait = head == null || readyJobs >= ACTIVE_LIMIT ? STATE_FLUSH_MS
                        : Math.min(STATE_FLUSH_MS, head.retry().nextAttempt() - now);
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
        Map<String, List<SpoolEntry.Recipient>> byDomain = new LinkedHashMap<>();
        for (SpoolEntry.Recipient r : e.pending()) {
            byDomain.computeIfAbsent(domain(r.address()), d -> new ArrayList<>()).add(r);
        }
        if (byDomain.isEmpty() || !e.retry().begin()) {
            return;
        }
        Attempt attempt = new Attempt(e, byDomain.size());
        for (Map.Entry<String, List<SpoolEntry.Recipient>> d : byDomain.entrySet()) {
            ready.computeIfAbsent(d.getKey(), k -> new ArrayDeque<>()).add(new Attempt.Job(attempt, d.getKey(), d.getValue()));
            readyJobs++;
        }
    }

    /** Starts jobs while workers are free, taking domains in turn. Called with the lock held. */
    private void dispatch() {
        while (running < settings.concurrency() && !ready.isEmpty()) {
            Attempt.Job job = null;
            Iterator<Map.Entry<String, ArrayDeque<Attempt.Job>>> it = ready.entrySet().iterator();
            while (it.hasNext()) {
                Map.Entry<String, ArrayDeque<Attempt.Job>> d = it.next();
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
            Attempt.Job j = job;
            workers.execute(() -> run(j));
        }
    }

    /**
     * One job on a worker. Whatever the route throws, an {@link Error} included, the job is settled (deferred), so no
     * message is left in flight for ever and the worker lives on.
     */
    private void run(Attempt.Job job) {
        try {
            List<Outcome> outcomes;
            try {
                outcomes = deliver(job);
            } catch (Throwable t) {
                LOG.error("smtp-queue:{} {}: delivery attempt failed unexpectedly; it is tried again later", queue.name(),
                        job.attempt().entry().id(), t);
                outcomes = SmtpQueueBinding.failedUnexpectedly(job.recipients(), t);
            }
            settlement.jobDone(job, outcomes);
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

    /**
     * Sends one job through the consumer's route and reads the outcome of each of its recipients; a job whose message
     * was held or deleted since its attempt began is not sent at all.
     */
    private List<Outcome> deliver(Attempt.Job job) {
        Attempt attempt = job.attempt();
        if (attempt.cancelled()) {
            return SmtpQueueBinding.withdrawn(job.recipients());
        }
        SpoolEntry e = attempt.entry();
        Exchange exchange = consumer.createExchange(false);
        SpoolStreamCache body = new SpoolStreamCache(spool, e);
        try {
            exchange.getMessage().setBody(body);
            SmtpQueueBinding.bind(exchange, e, job.recipients(), attempt::cancelled);
            try {
                consumer.getProcessor().process(exchange);
            } catch (Exception ex) {
                exchange.setException(ex);
            }
            return SmtpQueueBinding.outcomes(exchange, job.recipients(), consumer.getRouteId());
        } finally {
            body.close();
            consumer.releaseExchange(exchange, false);
        }
    }

    static String domain(String address) {
        int at = address.lastIndexOf('@');
        return at < 0 ? "" : address.substring(at + 1).toLowerCase(Locale.ROOT);
    }
}

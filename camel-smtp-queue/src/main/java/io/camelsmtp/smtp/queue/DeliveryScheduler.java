package io.camelsmtp.smtp.queue;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;

import io.camelsmtp.smtp.common.DeliveryCancellation;
import io.camelsmtp.smtp.common.SmtpReply;
import io.camelsmtp.smtp.common.shaping.ShapingRule;
import io.camelsmtp.smtp.queue.shaping.Shaper;
import io.camelsmtp.smtp.queue.shaping.ShapingRulesFile;
import io.camelsmtp.smtp.queue.shaping.SiteState;
import io.camelsmtp.smtp.queue.spool.Spool;
import io.camelsmtp.smtp.queue.spool.SpoolEntry;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Schedules the delivery attempts of one queue. A message whose time has come is split into one job per recipient
 * domain (its pending recipients there); each job waits in the line of its site (its domain, or with shaping rules
 * the site its domain belongs to: see {@link Shaper}). Jobs run on {@code concurrency} worker threads, taken from the
 * sites in turn, and a site's job starts only within its limits: deliveries at once ({@code maxPerDomain}, or the
 * site's {@code maxConnections}) and its message rate. So one slow, throttled or suspended destination cannot starve
 * the others: a site at its limit holds no worker, and the jobs of a suspended site are postponed at once (not tried,
 * no attempt counted) until its suspension ends. A job sends one Exchange into the consumer's route ({@link SmtpQueueBinding} maps it both ways) and hands
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
    private final Shaper shaper;
    private final SiteLines lines;
    private final ShapingRulesFile rules;
    private final long reloadMs;
    private int running;
    private boolean stopping;

    private ExecutorService timer;
    private ExecutorService workers;
    private ExecutorService shaping; // MX look-ups for sites, postponements, site events: never on the scheduler's thread

    DeliveryScheduler(MailQueue queue, SmtpQueueConsumer consumer, DeliverySettings settings) {
        this(queue, consumer, settings, null, 0);
    }

    /** @param rules the shaping rules, or null for none (every domain its own site, {@code maxPerDomain} at once) */
    DeliveryScheduler(MailQueue queue, SmtpQueueConsumer consumer, DeliverySettings settings, ShapingRulesFile rules,
            long reloadMs) {
        this.queue = queue;
        this.spool = queue.spool();
        this.consumer = consumer;
        this.settings = settings;
        this.settlement = new Settlement(queue, settings, this::add);
        this.rules = rules;
        this.reloadMs = reloadMs;
        this.shaper = new Shaper(queue.name(), rules == null ? null : rules.current(), settings.maxPerDomain(),
                consumer.siteResolver(), r -> shaping.execute(r), this::resolved);
        this.lines = new SiteLines(shaper);
    }

    ShapingRulesFile rules() {
        return rules;
    }

    /** Lifts a site's reactions by hand and makes the mail that waited for it due now; false when it has no state. */
    boolean resumeSite(String site) {
        Shaper.SiteChange c;
        lock.lock();
        try {
            c = shaper.resume(site, System.currentTimeMillis());
            if (c != null) {
                lines.change(c);
                flush(e -> {
                    for (SpoolEntry.Recipient r : e.pending()) {
                        if (shaper.domainIn(domain(r.address()), site)) {
                            return true;
                        }
                    }
                    return false;
                });
            }
        } finally {
            lock.unlock();
        }
        drain();
        return c != null;
    }

    /** Runs {@code action} on the shaper under the scheduler's lock, then emits the site changes it made. */
    <T> T withShaper(java.util.function.Function<Shaper, T> action) {
        lock.lock();
        try {
            return action.apply(shaper);
        } finally {
            lock.unlock();
            drain();
        }
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
        shaping = ecm.newFixedThreadPool(consumer, "smtp-queue-" + queue.name() + "-shaping", 2);
        timer = ecm.newSingleThreadExecutor(consumer, "smtp-queue-" + queue.name() + "-scheduler");
        timer.execute(this::schedule);
    }

    void stop() {
        lock.lock();
        try {
            stopping = true;
            lines.clear();
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        var ecm = queue.context().getExecutorServiceManager();
        ecm.shutdownGraceful(workers, settings.stopTimeout());
        ecm.shutdownGraceful(timer, 2 * STATE_FLUSH_MS); // it sees stopping within STATE_FLUSH_MS: no interrupt needed
        ecm.shutdownGraceful(shaping, settings.stopTimeout());
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
        long lastReload = lastFlush;
        while (true) {
            lock.lock();
            try {
                if (stopping) {
                    return;
                }
                long now = System.currentTimeMillis();
                SpoolEntry head;
                while ((head = waiting.peek()) != null && head.retry().nextAttempt() <= now && lines.size() < ACTIVE_LIMIT) {
                    waiting.poll();
                    begin(head, now);
                }
                dispatch();
                long waitNanos = TimeUnit.MILLISECONDS.toNanos(head == null || lines.size() >= ACTIVE_LIMIT ? STATE_FLUSH_MS
                        : Math.min(STATE_FLUSH_MS, head.retry().nextAttempt() - now));
                if (lines.paceWake() != Long.MAX_VALUE) {
                    waitNanos = Math.min(waitNanos, lines.paceWake() - System.nanoTime());
                }
                if (waitNanos > 0) {
                    changed.awaitNanos(waitNanos);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } finally {
                lock.unlock();
            }
            drain();
            long now = System.currentTimeMillis();
            if (now - lastFlush >= STATE_FLUSH_MS) {
                spool.flushState();
                lastFlush = now;
                sweep(now);
            }
            if (rules != null && reloadMs > 0 && now - lastReload >= reloadMs) {
                lastReload = now;
                var c = rules.reloadIfChanged(); // file I/O and parsing outside the lock
                if (c != null) {
                    withShaper(sh -> {
                        sh.reconfigure(c);
                        return null;
                    });
                }
            }
        }
    }

    /** Ends expired reactions, releases jobs whose MX look-up is stuck, forgets idle sites. */
    private void sweep(long now) {
        lock.lock();
        try {
            List<String> unparked = new ArrayList<>(0);
            lines.changes(shaper.sweep(now, System.nanoTime(), unparked));
            for (String d : unparked) {
                lines.unpark(d, now);
            }
            if (!unparked.isEmpty()) {
                dispatch();
            }
        } finally {
            lock.unlock();
        }
        drain();
    }

    /** A domain's site is known now: its parked jobs join the site's line. */
    private void resolved(String domain) {
        lock.lock();
        try {
            if (!stopping) {
                lines.unpark(domain, System.currentTimeMillis());
                dispatch();
                changed.signalAll();
            }
        } finally {
            lock.unlock();
        }
        drain();
    }

    /**
     * Settles postponed jobs and emits site changes, on the shaping thread (a postponement saves the message's
     * retry state: file I/O). Called without the lock.
     */
    private void drain() {
        List<SiteLines.Postponed> p;
        List<Shaper.SiteChange> c;
        lock.lock();
        try {
            if (!lines.hasSettling()) {
                return;
            }
            p = lines.takePostponed();
            c = lines.takeChanges();
        } finally {
            lock.unlock();
        }
        try {
            shaping.execute(() -> {
                for (Shaper.SiteChange ch : c) {
                    queue.events().publish(DeliveryEvent.site(ch.type(), ch.site(), ch.reason(), ch.reply(), ch.until(), ch.at()));
                }
                for (SiteLines.Postponed x : p) {
                    x.job().attempt().postpone(x.until());
                    settlement.jobDone(x.job(), List.of());
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException stopped) {
            // stopping: the attempts are made again by the next consumer, as any attempt cut short
        }
    }

    /** Splits a due message into jobs, one per domain of its pending recipients. Called with the lock held. */
    private void begin(SpoolEntry e, long now) {
        Map<String, List<SpoolEntry.Recipient>> byDomain = new LinkedHashMap<>();
        for (SpoolEntry.Recipient r : e.pending()) {
            byDomain.computeIfAbsent(domain(r.address()), d -> new ArrayList<>()).add(r);
        }
        if (byDomain.isEmpty() || !e.retry().begin()) {
            return;
        }
        Attempt attempt = new Attempt(e, byDomain.size());
        for (Map.Entry<String, List<SpoolEntry.Recipient>> d : byDomain.entrySet()) {
            lines.place(new Attempt.Job(attempt, d.getKey(), d.getValue()), now);
        }
    }

    /** Starts jobs while workers are free, taking sites in turn, each within its limits. Called with the lock held. */
    private void dispatch() {
        long now = System.currentTimeMillis();
        long nanoNow = System.nanoTime();
        lines.beginPass();
        SiteLines.Next next;
        while (running < settings.concurrency() && (next = lines.next(now, nanoNow)) != null) {
            running++;
            SiteState site = next.site();
            site.started();
            Attempt.Job job = next.job();
            ShapingRule rule = shaper.enabled() ? site.effective() : null;
            workers.execute(() -> run(job, site, rule));
        }
        if (lines.paceWake() != Long.MAX_VALUE) {
            changed.signalAll(); // the scheduler's thread wakes for the next permit (dispatch may run on a worker)
        }
    }

    /**
     * One job on a worker. Whatever the route throws, an {@link Error} included, the job is settled (deferred), so no
     * message is left in flight for ever and the worker lives on.
     */
    private void run(Attempt.Job job, SiteState site, ShapingRule rule) {
        List<Outcome> outcomes = List.of();
        try {
            try {
                outcomes = deliver(job, site, rule);
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
                site.ended();
                observe(site, outcomes);
                shaper.release(site, System.nanoTime());
                dispatch();
                if (lines.size() < ACTIVE_LIMIT && !waiting.isEmpty()) {
                    changed.signalAll(); // room for more due messages
                }
            } finally {
                lock.unlock();
            }
            drain();
        }
    }

    /** Shows the site's reactions each distinct reply of a job once (one refused connection is one reply). */
    private void observe(SiteState site, List<Outcome> outcomes) {
        if (!shaper.enabled() || outcomes.isEmpty()) {
            return;
        }
        long now = System.currentTimeMillis();
        Set<String> seen = new HashSet<>();
        for (Outcome o : outcomes) {
            SmtpReply r = o.reply();
            if (r != null && !r.isPositive() && !DeliveryCancellation.REPLY.equals(r) && seen.add(r.toString())) {
                lines.changes(shaper.observe(site, r, now));
            }
        }
    }

    /**
     * Sends one job through the consumer's route and reads the outcome of each of its recipients; a job whose message
     * was held or deleted since its attempt began is not sent at all.
     */
    private List<Outcome> deliver(Attempt.Job job, SiteState site, ShapingRule rule) {
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
            exchange.getMessage().setHeader(SmtpQueueConstants.SITE, site.key());
            if (rule != null) {
                exchange.setProperty(ShapingRule.PROPERTY, rule);
            }
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

package io.camelsmtp.smtp.queue;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.camelsmtp.smtp.queue.shaping.Shaper;
import io.camelsmtp.smtp.queue.shaping.SiteState;

/**
 * The delivery jobs that are due, in one line per destination site, and the choice of the next one to start: sites
 * are served in turn, and a site is passed over while it is at its connection limit or its pacer owes time; a
 * suspended site's jobs leave the line at once as postponed (they hold no worker and no place in the line while the
 * site waits). Jobs whose domain's site is still being looked up are parked by domain. Not thread-safe: the
 * {@link DeliveryScheduler} calls it under its lock, and settles what it hands out as postponed or changed (file I/O,
 * events) after releasing the lock.
 */
final class SiteLines {

    /**
     * With shaping, at most this many jobs wait in one site's line; more are postponed by the time the site's rate
     * needs to take them (at least {@link #FULL_LINE_MS}), so that a slow site's mail cannot fill the scheduler's
     * active limit.
     */
    static final int SITE_READY_LIMIT = DeliveryScheduler.ACTIVE_LIMIT / 10;
    static final long FULL_LINE_MS = 1000;

    /** A job not started because of its site, and when its message may be tried again at the earliest. */
    record Postponed(Attempt.Job job, long until) {
    }

    /** The job to start and its site. */
    record Next(Attempt.Job job, SiteState site) {
    }

    private final Shaper shaper;
    private final Map<String, ArrayDeque<Attempt.Job>> ready = new LinkedHashMap<>();
    private final Map<String, List<Attempt.Job>> parked = new HashMap<>();
    private final List<Postponed> postponed = new ArrayList<>();
    private final List<Shaper.SiteChange> changes = new ArrayList<>();
    private int jobs;
    private long paceWake = Long.MAX_VALUE;

    SiteLines(Shaper shaper) {
        this.shaper = shaper;
    }

    /** Jobs in lines or parked. */
    int size() {
        return jobs;
    }

    /** nanoTime when a paced site may take its next job, or {@link Long#MAX_VALUE}; set by the last {@link #next}. */
    long paceWake() {
        return paceWake;
    }

    void clear() {
        ready.clear();
        parked.clear();
        jobs = 0;
    }

    /** Puts a job in its site's line, or parks it while its site is looked up. */
    void place(Attempt.Job job, long now) {
        jobs++;
        String site = shaper.siteOf(job.domain(), now);
        if (site == null) {
            parked.computeIfAbsent(job.domain(), k -> new ArrayList<>(1)).add(job);
            return;
        }
        ArrayDeque<Attempt.Job> line = ready.computeIfAbsent(site, k -> new ArrayDeque<>());
        if (shaper.enabled() && line.size() >= SITE_READY_LIMIT) {
            long per = shaper.state(site).pacerIntervalMillis();
            jobs--;
            postponed.add(new Postponed(job, now + Math.max(FULL_LINE_MS, line.size() * per)));
            return;
        }
        line.add(job);
    }

    /** A domain's site is known now (or its look-up given up): its parked jobs join the site's line. */
    void unpark(String domain, long now) {
        List<Attempt.Job> js = parked.remove(domain);
        if (js != null) {
            jobs -= js.size();
            for (Attempt.Job j : js) {
                place(j, now);
            }
        }
    }

    /** The next job to start, taking sites in turn within their limits; null when none may start now. */
    Next next(long now, long nanoNow) {
        Iterator<Map.Entry<String, ArrayDeque<Attempt.Job>>> it = ready.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<String, ArrayDeque<Attempt.Job>> d = it.next();
            SiteState st = shaper.state(d.getKey());
            Shaper.SiteChange ended = shaper.expireDue(st, now);
            if (ended != null) {
                changes.add(ended);
            }
            if (st.suspended(now)) {
                for (Attempt.Job j : d.getValue()) {
                    postponed.add(new Postponed(j, st.suspendedUntil()));
                }
                jobs -= d.getValue().size();
                it.remove();
                continue;
            }
            if (st.active() >= st.maxConnections()) {
                continue;
            }
            if (st.pacer() != null && !st.pacer().tryTake(nanoNow)) {
                paceWake = Math.min(paceWake, nanoNow + st.pacer().waitNanos(nanoNow));
                continue;
            }
            Attempt.Job job = d.getValue().poll();
            jobs--;
            it.remove();
            if (!d.getValue().isEmpty()) {
                ready.put(d.getKey(), d.getValue()); // to the back of the line
            }
            return new Next(job, st);
        }
        return null;
    }

    /** Starts a pass of {@link #next} calls: the pacing wake-up is computed anew. */
    void beginPass() {
        paceWake = Long.MAX_VALUE;
    }

    void change(Shaper.SiteChange c) {
        changes.add(c);
    }

    void changes(List<Shaper.SiteChange> cs) {
        changes.addAll(cs);
    }

    boolean hasSettling() {
        return !postponed.isEmpty() || !changes.isEmpty();
    }

    List<Postponed> takePostponed() {
        List<Postponed> p = new ArrayList<>(postponed);
        postponed.clear();
        return p;
    }

    List<Shaper.SiteChange> takeChanges() {
        List<Shaper.SiteChange> c = new ArrayList<>(changes);
        changes.clear();
        return c;
    }
}

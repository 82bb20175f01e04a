package io.camelsmtp.smtp.queue.spool;

import java.io.InterruptedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * The messages a previous run left, while {@link SpoolRecovery} reads them back and the spool already takes new mail.
 * <p>
 * Who owns a file in {@code deferred/} or an old segment's record is decided by its id: an id the spool's index holds,
 * or one that left the index while the backlog was read ({@link #forget}), belongs to this run and recovery leaves its
 * files alone; any other id is the backlog's, and only recovery touches it until it is {@linkplain #publish published}.
 * Since an id enters {@code gone} before it leaves the index, there is no moment at which a delivered or deleted
 * message's files look unowned: recovery never queues one again. Publishing puts the entry in the index and hands it
 * to the listener (the delivery scheduler) under one lock, so that a scheduler starting meanwhile sees each entry
 * once: either in its snapshot or from the listener.
 */
final class Backlog {

    /** How long {@link #stop} waits for the recovery thread to see the flag (it checks it between two files). */
    private static final long STOP_WAIT_SECONDS = 30;

    private final Map<String, SpoolEntry> entries;
    private final Set<String> gone = ConcurrentHashMap.newKeySet();
    private final Object publish = new Object();
    private final AtomicInteger read = new AtomicInteger();
    private final CountDownLatch done = new CountDownLatch(1);
    private final long started = System.nanoTime();
    private volatile boolean running;
    private volatile boolean stopping;
    private volatile String failure;
    private volatile long millis = -1;
    private Consumer<SpoolEntry> listener; // guarded by publish

    Backlog(Map<String, SpoolEntry> entries) {
        this.entries = entries;
    }

    /** Marks the reading as under way (before the recovery thread is started). */
    void begin() {
        running = true;
    }

    /** True when the id belongs to this run: in the index now, or left it while the backlog was read. */
    boolean known(String id) {
        return entries.containsKey(id) || gone.contains(id);
    }

    /** Called by the spool before a message leaves its index while the backlog is read. */
    void forget(String id) {
        if (running) {
            gone.add(id);
        }
    }

    /** A message read back: into the index, then to the listener. */
    void publish(SpoolEntry e) {
        synchronized (publish) {
            entries.put(e.id(), e);
            read.incrementAndGet();
            if (listener != null) {
                listener.accept(e);
            }
        }
    }

    /**
     * Sets who hears of each message read from now on (null for nobody) and returns every message of the index at
     * this moment: together they cover each message exactly once.
     */
    List<SpoolEntry> listen(Consumer<SpoolEntry> l) {
        synchronized (publish) {
            listener = l;
            return new ArrayList<>(entries.values());
        }
    }

    /** Throws when the spool is being closed: recovery calls it between two files. */
    void checkStopping() throws InterruptedIOException {
        if (stopping) {
            throw new InterruptedIOException("the spool was closed while its backlog was read");
        }
    }

    /** The reading ended: completely (failure null) or not. */
    void finish(Throwable t) {
        failure = t == null ? null : t.toString();
        millis = (System.nanoTime() - started) / 1_000_000;
        running = false;
        gone.clear();
        done.countDown();
    }

    /** Asks the recovery thread to stop and waits for it (bounded); false when it did not stop in time. */
    boolean stop() throws InterruptedException {
        stopping = true;
        return done.await(STOP_WAIT_SECONDS, TimeUnit.SECONDS);
    }

    boolean running() {
        return running;
    }

    int read() {
        return read.get();
    }

    String failure() {
        return failure;
    }

    long millis() {
        return millis;
    }
}

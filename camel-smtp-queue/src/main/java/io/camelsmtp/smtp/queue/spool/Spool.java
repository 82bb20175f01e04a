package io.camelsmtp.smtp.queue.spool;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.LongAdder;

import io.camelsmtp.smtp.common.Xtext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The queue's file spool: where a message is kept from the moment it is accepted until every recipient is decided.
 * <pre>
 * spool/
 *   lock                    held by the running queue, so two processes never share a spool
 *   segments/00000001.seg   accepted messages, appended and group-committed (envelope block + octets, repeated)
 *   segments/00000001.state one line per change to a message of that segment
 *   deferred/&lt;id&gt;.eml      a message that waits for a retry or is on hold: its octets, untouched
 *   deferred/&lt;id&gt;.env      and its envelope block with retry state, replaced atomically after every attempt
 *   corrupt/                damaged files, moved aside at start-up with a log line
 * </pre>
 * Most mail is delivered at the first attempt and never leaves its segment; a segment is deleted once none of its
 * messages is left. A message that must wait is moved to its own pair of files (like Postfix's deferred queue), so a
 * message retried for days never pins a segment full of delivered mail.
 * <p>
 * This class is the write path: the lock file, appends with group commit ({@link Segment}), state lines, moves to
 * {@code deferred/} ({@link DeferredFiles}) and removal. What a previous run left is read by {@link SpoolRecovery}.
 * Where an entry's octets are is guarded by the spool's lock on that entry; inside it the spool may read the entry's
 * {@link RetryState}, never the other way round.
 */
public final class Spool {

    private static final Logger LOG = LoggerFactory.getLogger(Spool.class);

    private final Path dir;
    private final SpoolFiles files;
    private final Path segments;
    private final DeferredFiles deferred;
    private final Path corrupt;
    private final long segmentSize;
    private final Map<String, SpoolEntry> entries = new ConcurrentHashMap<>();
    private final Map<Long, Segment> open = new ConcurrentHashMap<>();
    private final Object appendLock = new Object();
    private final LongAdder forces = new LongAdder();
    private final LongAdder enqueued = new LongAdder();
    private volatile SyncListener syncListener;

    private volatile List<SpoolDamage> damage = List.of();
    private volatile Backlog backlog;
    private FileChannel lockChannel;
    private FileLock lock;
    private Segment active;
    private long nextSegment;

    /** @param segmentSize a segment takes no new records once it is this long (octets) */
    public Spool(Path dir, long segmentSize) {
        this(dir, segmentSize, null);
    }

    /** @param files how files are opened (a test's faulty channels), or null for the ordinary way */
    Spool(Path dir, long segmentSize, SpoolFiles files) {
        this.dir = dir.toAbsolutePath().normalize();
        this.files = files != null ? files : new SpoolFiles(this.dir);
        this.segments = this.dir.resolve("segments");
        this.deferred = new DeferredFiles(this.dir.resolve("deferred"), this.files);
        this.corrupt = this.dir.resolve("corrupt");
        this.segmentSize = segmentSize;
    }

    public Path directory() {
        return dir;
    }

    /**
     * Opens the spool and recovers what a previous run left: returns every message still to be delivered (or held).
     * Fails with a message naming the directory when it cannot be created, written or locked.
     */
    public List<SpoolEntry> open() throws IOException {
        SpoolRecovery recovery = start();
        try {
            damage = List.copyOf(recovery.run());
        } catch (IOException | RuntimeException e) {
            backlog.finish(e);
            close();
            throw e;
        }
        backlog.finish(null);
        return new ArrayList<>(entries.values());
    }

    /**
     * Opens the spool and takes new messages at once; what a previous run left is read on {@code executor}, each
     * message joining the index (and the {@linkplain #listen listener}) as it is read, and {@code done} runs when the
     * reading ends ({@link #recoveryFailure} says whether it ended early). Before returning it reads no file: it
     * creates the directories when missing, takes the lock and lists the segment names, so the start costs the same
     * with an empty spool and with a million messages waiting. Fails like {@link #open} when the directory cannot be
     * created, written or locked.
     */
    public void openInBackground(Executor executor, Runnable done) throws IOException {
        SpoolRecovery recovery = start();
        backlog.begin();
        Runnable task = () -> {
            Throwable failure = null;
            try {
                damage = List.copyOf(recovery.run());
            } catch (Throwable t) {
                failure = t;
                if (!(t instanceof InterruptedIOException)) {
                    LOG.error("Reading the messages waiting in spool {} failed after {} of them: {}", dir, backlog.read(),
                            t.toString(), t);
                }
            }
            backlog.finish(failure);
            done.run();
        };
        try {
            executor.execute(task);
        } catch (RuntimeException e) {
            backlog.finish(e);
            close();
            throw new IOException("Spool directory " + dir + ": cannot start reading its messages: " + e, e);
        }
    }

    /** The lock, the directories, and a new active segment numbered after every existing one. */
    private SpoolRecovery start() throws IOException {
        try {
            // an existing directory is made private only when it is empty or already a spool: a spoolDirectory
            // pointed at a shared one by mistake (/tmp, a home directory) must not lose its permissions
            boolean ours = !Files.exists(dir) || Files.exists(dir.resolve("lock")) || isEmpty(dir);
            if (!files.directory(dir, ours)) {
                LOG.warn("Spool directory {} is not private (mode {}): others may read queued mail; make it 0700", dir,
                        PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)));
            }
            files.directory(segments);
            files.directory(deferred.directory());
            files.directory(corrupt);
            Path probe = Files.createTempFile(dir, "probe", ".tmp");
            Files.delete(probe);
            lockChannel = files.open(dir.resolve("lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            lock = lockChannel.tryLock();
        } catch (OverlappingFileLockException e) {
            lockChannel.close();
            throw new IOException("Spool directory " + dir + " is in use by another queue in this process");
        } catch (IOException | SecurityException e) {
            throw new IOException("Spool directory " + dir + " is not usable (it must be a writable directory): " + e, e);
        }
        if (lock == null) {
            lockChannel.close();
            throw new IOException("Spool directory " + dir + " is in use by another process (lock file " + dir.resolve("lock") + ")");
        }
        backlog = new Backlog(entries);
        long firstLive;
        synchronized (appendLock) {
            nextSegment = SpoolScan.lastSegment(segments) + 1;
            firstLive = nextSegment;
            active = Segment.create(files, segments, nextSegment++);
            active.reportSyncsTo(this::synced);
            open.put(active.number(), active);
            DeferredFiles.syncDirectory(segments);
        }
        return new SpoolRecovery(files, segments, deferred, corrupt, backlog, open, firstLive);
    }

    /** True while the messages a previous run left are still being read ({@link #openInBackground}). */
    public boolean recovering() {
        Backlog b = backlog;
        return b != null && b.running();
    }

    /** How many waiting messages have been read back so far (all of them once {@link #recovering} is false). */
    public int recoveredCount() {
        Backlog b = backlog;
        return b == null ? 0 : b.read();
    }

    /** Why the reading of the waiting messages ended early, or null. */
    public String recoveryFailure() {
        Backlog b = backlog;
        return b == null ? null : b.failure();
    }

    /** How long the reading took, in milliseconds; -1 while it runs. */
    public long recoveryMillis() {
        Backlog b = backlog;
        return b == null ? -1 : b.millis();
    }

    /**
     * Sets who is told of each message read back from now on (null: nobody) and returns the messages in the index at
     * this moment: each waiting message reaches the caller exactly once, in the list or through the listener.
     */
    public List<SpoolEntry> listen(Consumer<SpoolEntry> listener) {
        Backlog b = backlog;
        return b == null ? new ArrayList<>(entries.values()) : b.listen(listener);
    }

    /**
     * True when a new message must not take this id: a message in the index has it, or (while the backlog is read) a
     * file in {@code deferred/} is named after it. (An id in an old segment not yet read is not seen; queue ids are
     * made from the clock, so a new one never repeats an old one.)
     */
    public boolean isTaken(String id) {
        if (entries.containsKey(id)) {
            return true;
        }
        return recovering() && (Files.exists(deferred.env(id)) || Files.exists(deferred.eml(id)));
    }

    private static boolean isEmpty(Path dir) throws IOException {
        try (DirectoryStream<Path> in = Files.newDirectoryStream(dir)) {
            return !in.iterator().hasNext();
        }
    }

    public void close() {
        Backlog b = backlog;
        if (b != null && b.running()) {
            try {
                if (!b.stop()) {
                    LOG.warn("Spool {}: the reading of waiting messages did not stop in time; closing anyway", dir);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        synchronized (appendLock) {
            for (Segment s : open.values()) {
                try {
                    s.flushState();
                } catch (IOException e) {
                    LOG.warn("Could not flush the state log of segment {}: {}", s.number(), e.toString());
                }
                s.close();
            }
            open.clear();
            active = null;
        }
        entries.clear();
        try {
            if (lock != null) {
                lock.release();
                lockChannel.close();
            }
        } catch (IOException e) {
            LOG.debug("Releasing the spool lock: {}", e.toString());
        }
    }

    /** Who hears of each group commit besides the spool's own count, or null for none. */
    public void onSync(SyncListener listener) {
        this.syncListener = listener;
    }

    private void synced(int messages, long nanos) {
        forces.increment();
        SyncListener l = syncListener;
        if (l != null) {
            l.synced(messages, nanos);
        }
    }

    /**
     * Messages written and the forces (fdatasync) that made them durable since the spool was opened: their ratio is
     * how many arrivals one group commit covered on average.
     */
    public long[] commitStatistics() {
        return new long[] { enqueued.sum(), forces.sum() };
    }

    /** What the last {@link #open} found damaged: the messages left out of the queue, or queued again from a guess. */
    public List<SpoolDamage> damage() {
        return damage;
    }

    /** Every message in the spool. */
    public Collection<SpoolEntry> entries() {
        return Collections.unmodifiableCollection(entries.values());
    }

    public SpoolEntry get(String id) {
        return entries.get(id);
    }

    public boolean contains(String id) {
        return entries.containsKey(id);
    }

    /**
     * Writes a new message and returns once it is on disk (fsynced; one fsync may cover several concurrent callers).
     * The entry's id must be new. On failure nothing of the message remains that could be delivered; a failed fsync
     * is a {@link java.io.SyncFailedException}, and the next message goes to a new segment.
     */
    public SpoolEntry enqueue(SpoolEntry entry, InputStream body) throws IOException {
        Segment seg;
        long upTo;
        synchronized (appendLock) {
            if (active == null) {
                throw new IOException("Spool " + dir + " is closed");
            }
            if (entries.putIfAbsent(entry.id(), entry) != null) {
                throw new IllegalArgumentException("Queue id " + entry.id() + " is already in the spool");
            }
            try {
                if (active.isClosedForAppend() || active.length() >= segmentSize) {
                    rotate();
                }
                seg = active;
                upTo = seg.append(entry, body);
            } catch (IOException | RuntimeException e) {
                entries.remove(entry.id());
                throw e;
            }
        }
        try {
            seg.awaitDurable(upTo);
        } catch (IOException e) {
            entries.remove(entry.id());
            forget(seg, entry);
            throw e;
        }
        enqueued.increment();
        return entry;
    }

    private void forget(Segment seg, SpoolEntry entry) {
        try {
            seg.appendState(entry.id() + " done");
            seg.flushState();
        } catch (IOException e) {
            LOG.warn("Could not mark unacknowledged message {} as dropped: {}", entry.id(), e.toString());
        }
        seg.release();
    }

    private void rotate() throws IOException {
        Segment old = active;
        Segment next = Segment.create(files, segments, nextSegment++);
        next.reportSyncsTo(this::synced);
        open.put(next.number(), next);
        DeferredFiles.syncDirectory(segments);
        active = next;
        if (old.live() == 0) {
            dropSegment(old);
        }
    }

    /** The message's octets as a stream; the caller closes it. */
    public InputStream openMessage(SpoolEntry e) throws IOException {
        synchronized (e) {
            Segment seg = e.segment();
            if (seg != null) {
                return new SegmentRegionStream(seg, e.offset(), e.size());
            }
            return Files.newInputStream(deferred.eml(e.id()));
        }
    }

    /** Records that these recipients are decided (delivered or failed), so a restart never sends to them again. */
    public void recordRecipients(SpoolEntry e, List<SpoolEntry.Recipient> decided) throws IOException {
        synchronized (e) {
            Segment seg = e.segment();
            if (seg != null) {
                for (SpoolEntry.Recipient r : decided) {
                    seg.appendState(e.id() + " " + e.retry().status(r.index()).name().toLowerCase() + " "
                                    + Xtext.encode(r.address()));
                }
            } else if (entries.containsKey(e.id())) {
                deferred.writeEnvelope(e);
            }
        }
    }

    /**
     * Saves the retry state (attempts, next attempt, last error, hold) of a message that stays in the queue. A message
     * still in its segment is first moved to its own files in {@code deferred/}.
     */
    public void saveRetryState(SpoolEntry e) throws IOException {
        synchronized (e) {
            Segment seg = e.segment();
            if (seg == null) {
                deferred.writeEnvelope(e);
                return;
            }
            deferred.moveOut(e, seg);
            e.place(null, 0);
            seg.appendState(e.id() + " moved");
            releaseFrom(seg);
        }
    }

    /** Removes a message whose recipients are all decided, or that an operator deleted. */
    public void complete(SpoolEntry e) throws IOException {
        synchronized (e) {
            if (!entries.containsKey(e.id())) {
                return;
            }
            Backlog b = backlog;
            if (b != null) {
                b.forget(e.id()); // first: its files must never look like the backlog's while they are deleted
            }
            entries.remove(e.id());
            Segment seg = e.segment();
            if (seg != null) {
                seg.appendState(e.id() + " done");
                releaseFrom(seg);
            } else {
                deferred.delete(e.id());
            }
        }
    }

    /** Forces the state logs written since the last call; called periodically by the queue. */
    public void flushState() {
        for (Segment s : open.values()) {
            try {
                s.flushState();
            } catch (ClosedChannelException e) {
                LOG.trace("Segment {} was deleted while its state log was flushed", s.number());
            } catch (IOException e) {
                LOG.warn("Could not flush the state log of segment {}: {}", s.number(), e.toString());
            }
        }
    }

    private void releaseFrom(Segment seg) {
        if (seg.release() == 0) {
            synchronized (appendLock) {
                if (active != null && seg != active && seg.live() == 0) {
                    dropSegment(seg);
                }
            }
        }
    }

    private void dropSegment(Segment seg) {
        open.remove(seg.number());
        try {
            seg.delete();
        } catch (IOException e) {
            LOG.warn("Could not delete finished segment {}: {}", seg.data(), e.toString());
        }
    }

}

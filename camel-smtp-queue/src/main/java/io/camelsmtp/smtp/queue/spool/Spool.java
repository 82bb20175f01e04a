package io.camelsmtp.smtp.queue.spool;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.zip.CRC32;

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
 */
public final class Spool {

    private static final Logger LOG = LoggerFactory.getLogger(Spool.class);

    private final Path dir;
    private final Path segments;
    private final Path deferred;
    private final Path corrupt;
    private final long segmentSize;
    private final Map<String, SpoolEntry> entries = new ConcurrentHashMap<>();
    private final Map<Long, Segment> open = new ConcurrentHashMap<>();
    private final Object appendLock = new Object();
    private final LongAdder forces = new LongAdder();
    private final LongAdder enqueued = new LongAdder();

    private FileChannel lockChannel;
    private FileLock lock;
    private Segment active;
    private long nextSegment;

    /** @param segmentSize a segment takes no new records once it is this long (octets) */
    public Spool(Path dir, long segmentSize) {
        this.dir = dir.toAbsolutePath().normalize();
        this.segments = this.dir.resolve("segments");
        this.deferred = this.dir.resolve("deferred");
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
        try {
            Files.createDirectories(segments);
            Files.createDirectories(deferred);
            Files.createDirectories(corrupt);
            Path probe = Files.createTempFile(dir, "probe", ".tmp");
            Files.delete(probe);
            lockChannel = FileChannel.open(dir.resolve("lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
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
        recoverDeferred();
        recoverSegments();
        synchronized (appendLock) {
            active = Segment.create(segments, nextSegment++);
            active.countForcesIn(forces);
            open.put(active.number(), active);
            syncDirectory(segments);
        }
        return new ArrayList<>(entries.values());
    }

    public void close() {
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

    /**
     * Messages written and the forces (fdatasync) that made them durable since the spool was opened: their ratio is
     * how many arrivals one group commit covered on average.
     */
    public long[] commitStatistics() {
        return new long[] { enqueued.sum(), forces.sum() };
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
     * The entry's id must be new. On failure nothing of the message remains that could be delivered.
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
        } catch (IOException e) {
            LOG.warn("Could not mark unacknowledged message {} as dropped: {}", entry.id(), e.toString());
        }
        seg.release();
    }

    private void rotate() throws IOException {
        Segment old = active;
        Segment next = Segment.create(segments, nextSegment++);
        next.countForcesIn(forces);
        open.put(next.number(), next);
        syncDirectory(segments);
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
            return Files.newInputStream(deferred.resolve(e.id() + ".eml"));
        }
    }

    /** Records that these recipients are decided (delivered or failed), so a restart never sends to them again. */
    public void recordRecipients(SpoolEntry e, List<SpoolEntry.Recipient> decided) throws IOException {
        synchronized (e) {
            Segment seg = e.segment();
            if (seg != null) {
                for (SpoolEntry.Recipient r : decided) {
                    seg.appendState(e.id() + " " + r.state().name().toLowerCase() + " " + Xtext.encode(r.address()));
                }
            } else if (entries.containsKey(e.id())) {
                writeEnvelope(e);
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
                writeEnvelope(e);
                return;
            }
            Path eml = deferred.resolve(e.id() + ".eml");
            try (FileChannel out = FileChannel.open(eml, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING); InputStream in = new SegmentRegionStream(seg, e.offset(), e.size())) {
                in.transferTo(Channels.newOutputStream(out));
                out.force(false);
            }
            writeEnvelope(e);
            e.place(null, 0);
            seg.appendState(e.id() + " moved");
            releaseFrom(seg);
        }
    }

    /** Removes a message whose recipients are all decided, or that an operator deleted. */
    public void complete(SpoolEntry e) throws IOException {
        synchronized (e) {
            if (entries.remove(e.id()) == null) {
                return;
            }
            Segment seg = e.segment();
            if (seg != null) {
                seg.appendState(e.id() + " done");
                releaseFrom(seg);
            } else {
                Files.deleteIfExists(deferred.resolve(e.id() + ".env"));
                Files.deleteIfExists(deferred.resolve(e.id() + ".eml"));
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

    private void writeEnvelope(SpoolEntry e) throws IOException {
        Path env = deferred.resolve(e.id() + ".env");
        Path tmp = deferred.resolve(e.id() + ".env.tmp");
        try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer buf = ByteBuffer.wrap(EnvelopeCodec.encode(e, true));
            while (buf.hasRemaining()) {
                out.write(buf);
            }
            out.force(false);
        }
        Files.move(tmp, env, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        syncDirectory(deferred);
    }

    static void syncDirectory(Path directory) throws IOException {
        try (FileChannel ch = FileChannel.open(directory, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }

    private void recoverDeferred() throws IOException {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(deferred)) {
            for (Path p : files) {
                String name = p.getFileName().toString();
                if (name.endsWith(".tmp")) {
                    Files.delete(p);
                } else if (name.endsWith(".env")) {
                    recoverDeferred(p, deferred.resolve(name.substring(0, name.length() - 4) + ".eml"));
                }
            }
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(deferred, "*.eml")) {
            for (Path p : files) {
                String id = p.getFileName().toString().replace(".eml", "");
                if (!entries.containsKey(id) && !Files.exists(deferred.resolve(id + ".env"))) {
                    // written just before a stop, its envelope never was: the message is still in its segment
                    Files.delete(p);
                }
            }
        }
    }

    private void recoverDeferred(Path env, Path eml) throws IOException {
        try {
            SpoolEntry e;
            try (InputStream in = new BufferedInputStream(Files.newInputStream(env))) {
                EnvelopeCodec.Decoded d = EnvelopeCodec.decode(in);
                if (d == null) {
                    throw new TruncatedException("empty envelope file");
                }
                e = d.entry();
            }
            if (!Files.exists(eml)) {
                throw new CorruptSpoolException("its message file " + eml.getFileName() + " is missing");
            }
            CRC32 crc = new CRC32();
            long n = 0;
            try (InputStream in = Files.newInputStream(eml)) {
                byte[] buf = new byte[65536];
                int r;
                while ((r = in.read(buf)) > 0) {
                    crc.update(buf, 0, r);
                    n += r;
                }
            }
            if (n != e.size() || crc.getValue() != e.crc()) {
                throw new CorruptSpoolException("message file has " + n + " octets / crc " + Long.toHexString(crc.getValue())
                        + ", envelope says " + e.size() + " / " + Long.toHexString(e.crc()));
            }
            entries.put(e.id(), e);
        } catch (CorruptSpoolException e) {
            LOG.error("Spool file {} is damaged ({}); moved to {} and left out of the queue", env, e.getMessage(), corrupt);
            moveAside(env);
            moveAside(eml);
        }
    }

    private void moveAside(Path p) throws IOException {
        if (Files.exists(p)) {
            Files.move(p, corrupt.resolve(p.getFileName().toString() + "." + System.currentTimeMillis()),
                    StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private void recoverSegments() throws IOException {
        TreeMap<Long, Path> found = new TreeMap<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(segments, "*.seg")) {
            for (Path p : files) {
                String n = p.getFileName().toString();
                try {
                    found.put(Long.parseLong(n.substring(0, n.length() - 4)), p);
                } catch (NumberFormatException e) {
                    LOG.warn("Ignoring {} in the spool: not a segment name", p);
                }
            }
        }
        nextSegment = found.isEmpty() ? 1 : found.lastKey() + 1;
        for (Map.Entry<Long, Path> f : found.entrySet()) {
            recoverSegment(f.getKey(), f.getValue());
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(segments, "*.state")) {
            for (Path p : files) {
                String n = p.getFileName().toString();
                if (!Files.exists(segments.resolve(n.replace(".state", ".seg")))) {
                    Files.delete(p);
                }
            }
        }
    }

    private void recoverSegment(long number, Path file) throws IOException {
        Map<String, List<String[]>> state = readStateLog(segments.resolve(Segment.name(number) + ".state"));
        List<SpoolEntry> live = new ArrayList<>();
        List<Long> offsets = new ArrayList<>();
        long size = Files.size(file);
        long valid;
        List<String> damage = new ArrayList<>();
        long from = 0;
        while (true) {
            Parsed parsed = parseRecords(file, from, state, live, offsets);
            if (parsed.failure() == null) {
                valid = parsed.end();
                break;
            }
            long next = findRecordStart(file, parsed.end() + 1);
            if (next < 0) {
                // nothing readable follows: the tail the process was writing when it stopped, never acknowledged
                LOG.warn("Segment {}: the record at offset {} is incomplete ({}); it was being written when the "
                         + "process stopped and was never acknowledged, so it is cut off", file, parsed.end(),
                        parsed.failure().getMessage());
                valid = parsed.end();
                break;
            }
            damage.add("offset " + parsed.end() + " to " + next + ": " + parsed.failure().getMessage());
            from = next;
        }
        Segment seg = Segment.reopen(segments, number, damage.isEmpty() ? valid : size);
        open.put(number, seg);
        for (int i = 0; i < live.size(); i++) {
            seg.adopt(live.get(i), offsets.get(i));
            entries.put(live.get(i).id(), live.get(i));
        }
        if (!damage.isEmpty()) {
            LOG.error("Segment {} is damaged ({}); the {} intact waiting message(s) before and after the damage are "
                      + "moved to deferred/ and the segment to {}", file, String.join("; ", damage), live.size(), corrupt);
            for (SpoolEntry e : live) {
                saveRetryState(e);
            }
            open.remove(number);
            seg.close();
            moveAside(file);
            moveAside(segments.resolve(Segment.name(number) + ".state"));
        } else if (seg.live() == 0) {
            dropSegment(seg);
        }
    }

    /** Records read from one offset: where reading stopped, and why when it was not the clean end of the file. */
    private record Parsed(long end, CorruptSpoolException failure) {
    }

    /** Reads records from {@code from} until the end of the file or the first record that does not read back intact. */
    private Parsed parseRecords(Path file, long from, Map<String, List<String[]>> state, List<SpoolEntry> live,
                                List<Long> offsets) throws IOException {
        try (InputStream raw = Files.newInputStream(file)) {
            raw.skipNBytes(from);
            CountingStream in = new CountingStream(new BufferedInputStream(raw, 65536));
            byte[] buf = new byte[65536];
            while (true) {
                long start = from + in.count();
                try {
                    EnvelopeCodec.Decoded d = EnvelopeCodec.decode(in);
                    if (d == null) {
                        return new Parsed(start, null);
                    }
                    SpoolEntry e = d.entry();
                    long bodyStart = from + in.count();
                    CRC32 crc = new CRC32();
                    long left = e.size();
                    while (left > 0) {
                        int r = in.read(buf, 0, (int) Math.min(buf.length, left));
                        if (r < 0) {
                            throw new TruncatedException("message ends after " + (e.size() - left) + " of " + e.size() + " octets");
                        }
                        crc.update(buf, 0, r);
                        left -= r;
                    }
                    if (crc.getValue() != e.crc()) {
                        throw new CorruptSpoolException("message " + e.id() + " fails its CRC-32");
                    }
                    if (apply(e, state.get(e.id()))) {
                        live.add(e);
                        offsets.add(bodyStart);
                    }
                } catch (CorruptSpoolException c) {
                    return new Parsed(start, c);
                }
            }
        }
    }

    /** Offset of the next line that starts a record at or after {@code from}, or -1. */
    private static long findRecordStart(Path file, long from) throws IOException {
        byte[] magic = (EnvelopeCodec.MAGIC + "\n").getBytes(StandardCharsets.US_ASCII);
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 65536)) {
            in.skipNBytes(Math.min(from, Files.size(file)));
            long pos = from;
            int matched = 0;
            int c;
            while ((c = in.read()) >= 0) {
                if (c == magic[matched]) {
                    if (++matched == magic.length) {
                        return pos - magic.length + 1;
                    }
                } else {
                    matched = c == magic[0] ? 1 : 0;
                }
                pos++;
            }
            return -1;
        }
    }

    /** Applies the state log to a recovered message; false when it needs no delivery any more. */
    private boolean apply(SpoolEntry e, List<String[]> changes) {
        if (entries.containsKey(e.id())) {
            return false; // moved to deferred/, which holds the newer state
        }
        if (changes == null) {
            return true;
        }
        for (String[] c : changes) {
            switch (c[1]) {
                case "done", "moved" -> {
                    return false;
                }
                case "delivered", "failed" -> {
                    if (c.length > 2) {
                        String rcpt = Xtext.decode(c[2]);
                        for (SpoolEntry.Recipient r : e.recipients()) {
                            if (r.address().equals(rcpt)) {
                                r.state("delivered".equals(c[1]) ? SpoolEntry.State.DELIVERED : SpoolEntry.State.FAILED);
                            }
                        }
                    }
                }
                default -> LOG.warn("Unknown state line for {}: {}", e.id(), String.join(" ", c));
            }
        }
        return !e.pending().isEmpty();
    }

    private static Map<String, List<String[]>> readStateLog(Path p) throws IOException {
        Map<String, List<String[]>> state = new HashMap<>();
        if (!Files.exists(p)) {
            return state;
        }
        byte[] all = Files.readAllBytes(p);
        int lastNl = lastNewline(all);
        String text = new String(all, 0, lastNl + 1, StandardCharsets.UTF_8);
        for (String line : text.split("\n")) {
            String[] f = line.split(" ");
            if (f.length >= 2) {
                state.computeIfAbsent(f[0], k -> new ArrayList<>()).add(f);
            }
        }
        return state;
    }

    private static int lastNewline(byte[] b) {
        for (int i = b.length - 1; i >= 0; i--) {
            if (b[i] == '\n') {
                return i;
            }
        }
        return -1;
    }
}

package io.camelsmtp.smtp.queue.spool;

import java.io.IOException;
import java.io.InputStream;
import java.io.SyncFailedException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.zip.CRC32;

/**
 * One append-only segment file of the spool ({@code segments/00000001.seg}) and its state log
 * ({@code 00000001.state}). Records are appended one after the other; {@link #awaitDurable} is the group commit: the
 * first caller to arrive forces the file, and that one {@code fdatasync} covers every record appended before it
 * began. Callers whose record came later wait for the next force, which one of them performs. No record is
 * acknowledged before a force that covers it has returned.
 * <p>
 * A force that fails is never retried: Linux reports a writeback error once and marks the pages clean, so a second
 * {@code fdatasync} would succeed without the data ("fsyncgate"). Every record not yet durable then fails (its callers
 * get a {@link SyncFailedException}), the file is cut back to the last durable record, and the segment takes no more
 * records: the spool opens a new one for the next.
 * <p>
 * The state log holds one line per change to a message of this segment ({@code <id> delivered <rcpt>},
 * {@code <id> failed <rcpt>}, {@code <id> moved}, {@code <id> done}); it lives and dies with the segment, so the
 * state of a message is never in a file that could be deleted before the message itself.
 */
final class Segment {

    private static final int COPY_BUFFER = 64 * 1024;

    private final SpoolFiles files;
    private final long number;
    private final Path data;
    private final Path stateLog;
    private volatile FileChannel channel;
    private volatile FileChannel stateChannel;
    private final Object stateLock = new Object();
    private volatile boolean closed;

    private final byte[] copyBuffer = new byte[COPY_BUFFER];
    private long end;
    private volatile long written;
    private boolean broken;
    private int live;
    private boolean stateDirty;

    private final ReentrantLock syncLock = new ReentrantLock();
    private final Condition synced = syncLock.newCondition();
    private long durable;
    private boolean forcing;
    private IOException syncFailure; // the failed force; nothing that was not durable before it ever will be
    private volatile long records; // appended, durable or not
    private long durableRecords;
    private SyncListener syncListener = (messages, nanos) -> {
    };

    private Segment(SpoolFiles files, long number, Path data, Path stateLog, FileChannel channel, FileChannel stateChannel,
                    long end) {
        this.files = files;
        this.number = number;
        this.data = data;
        this.stateLog = stateLog;
        this.channel = channel;
        this.stateChannel = stateChannel;
        this.end = end;
        this.written = end;
        this.durable = end;
    }

    static String name(long number) {
        return String.format("%08d", number);
    }

    /** A new, empty segment; the caller fsyncs the directory. */
    static Segment create(SpoolFiles files, Path dir, long number) throws IOException {
        Path data = dir.resolve(name(number) + ".seg");
        Path state = dir.resolve(name(number) + ".state");
        FileChannel ch = files.open(data, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ, StandardOpenOption.WRITE);
        FileChannel st;
        try {
            st = files.open(state, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            ch.close();
            throw e;
        }
        return new Segment(files, number, data, state, ch, st, 0);
    }

    /** An existing segment found at start-up, {@code validLength} octets long; it is read and its state log appended. */
    static Segment reopen(SpoolFiles files, Path dir, long number, long validLength) throws IOException {
        Path data = dir.resolve(name(number) + ".seg");
        Path state = dir.resolve(name(number) + ".state");
        FileChannel ch = files.open(data, StandardOpenOption.READ, StandardOpenOption.WRITE);
        if (ch.size() > validLength) {
            ch.truncate(validLength);
            ch.force(false);
        }
        FileChannel st = files.open(state, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        Segment s = new Segment(files, number, data, state, ch, st, validLength);
        s.broken = true; // never appended to again: a new segment is opened at every start
        return s;
    }

    /** Tells {@code listener} of each of this segment's forces (the spool counts them). */
    void reportSyncsTo(SyncListener listener) {
        this.syncListener = listener;
    }

    long number() {
        return number;
    }

    Path data() {
        return data;
    }

    Path stateLog() {
        return stateLog;
    }

    /** Octets written so far. */
    long length() {
        return written;
    }

    /** True once no more records may be appended (a write failed, or it was found at start-up). */
    synchronized boolean isClosedForAppend() {
        return broken;
    }

    /**
     * Appends a record: the envelope block of {@code entry}, then {@code size} octets of {@code body}. The entry gets
     * its CRC-32 and place. Returns the offset just past the record, to pass to {@link #awaitDurable}. On failure
     * the file is cut back to where the record began and the segment takes no more records.
     */
    synchronized long append(SpoolEntry entry, InputStream body) throws IOException {
        if (broken) {
            throw new IOException("segment " + name(number) + " takes no more records");
        }
        long start = end;
        try {
            byte[] block = EnvelopeCodec.encode(entry, false);
            long bodyStart = start + block.length;
            CRC32 crc = new CRC32();
            long copied = copy(body, bodyStart, crc);
            if (copied != entry.size()) {
                throw new IOException("message was " + copied + " octets, expected " + entry.size());
            }
            entry.crc(crc.getValue());
            byte[] finalBlock = EnvelopeCodec.encode(entry, false);
            if (finalBlock.length != block.length) {
                throw new IllegalStateException("envelope block changed length");
            }
            writeFully(ByteBuffer.wrap(finalBlock), start);
            end = bodyStart + copied;
            written = end;
            records++;
            entry.place(this, bodyStart);
            live++;
            return end;
        } catch (IOException | RuntimeException e) {
            broken = true;
            try {
                reopen(channel).truncate(start);
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    private long copy(InputStream body, long position, CRC32 crc) throws IOException {
        byte[] buf = copyBuffer; // append is synchronized: one buffer per segment serves every record
        long pos = position;
        int n;
        while ((n = body.read(buf)) > 0) {
            crc.update(buf, 0, n);
            writeFully(ByteBuffer.wrap(buf, 0, n), pos);
            pos += n;
        }
        return pos - position;
    }

    private void writeFully(ByteBuffer buf, long position) throws IOException {
        long pos = position;
        while (buf.hasRemaining()) {
            pos += channel.write(buf, pos);
        }
    }

    /**
     * A FileChannel is closed for every thread when one thread using it is interrupted (a stop time-out, a route
     * shut down mid-write). The interrupted thread's operation fails; the others get a fresh channel on the same file
     * and go on. Written octets are in the file either way, so forcing the new channel makes them durable.
     */
    private synchronized FileChannel reopen(FileChannel dead) throws IOException {
        if (closed) {
            throw new ClosedChannelException();
        }
        if (channel == dead) {
            channel = files.open(data, StandardOpenOption.READ, StandardOpenOption.WRITE);
        }
        return channel;
    }

    private FileChannel reopenState(FileChannel dead) throws IOException {
        synchronized (stateLock) {
            if (closed) {
                throw new ClosedChannelException();
            }
            if (stateChannel == dead) {
                stateChannel = files.open(stateLog, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                        StandardOpenOption.APPEND);
            }
            return stateChannel;
        }
    }

    /**
     * Returns once every octet up to {@code upTo} is on disk (group commit); throws {@link SyncFailedException} when a
     * force that should have covered them failed.
     */
    void awaitDurable(long upTo) throws IOException {
        syncLock.lock();
        try {
            while (durable < upTo) {
                if (syncFailure != null) {
                    throw syncFailed(syncFailure);
                }
                if (forcing) {
                    synced.awaitUninterruptibly();
                    continue;
                }
                forcing = true;
                long targetRecords = records; // read first: a record counted here has its octets in target
                long target = written;
                boolean done = false;
                IOException failure = null;
                long forceTime = 0;
                syncLock.unlock();
                try {
                    long started = System.nanoTime();
                    force();
                    forceTime = System.nanoTime() - started;
                    done = true;
                } catch (ClosedChannelException e) {
                    failure = e; // only this thread was interrupted: the octets are in the file, the next force covers them
                } catch (IOException e) {
                    failure = e;
                } finally {
                    syncLock.lock();
                    forcing = false;
                    if (done) {
                        durable = Math.max(durable, target);
                        int covered = (int) Math.max(0, targetRecords - durableRecords);
                        durableRecords = Math.max(durableRecords, targetRecords);
                        reportSync(covered, forceTime);
                    } else if (failure != null && !(failure instanceof ClosedChannelException)) {
                        syncFailure = failure;
                        discardUndurable(durable, failure);
                    }
                    synced.signalAll();
                }
                if (failure instanceof ClosedChannelException) {
                    throw failure;
                }
            }
        } finally {
            syncLock.unlock();
        }
    }

    private void reportSync(int messages, long nanos) {
        try {
            syncListener.synced(messages, nanos);
        } catch (RuntimeException e) {
            // counting must never fail a durable write
        }
    }

    private SyncFailedException syncFailed(IOException cause) {
        SyncFailedException e = new SyncFailedException("fdatasync of spool segment " + name(number)
                                                        + " failed, the records it covered may be lost: " + cause.getMessage());
        e.initCause(cause);
        return e;
    }

    /**
     * After a failed force: no more appends, and the records after {@code keep} (none of them acknowledged) are cut
     * off, so a restart cannot deliver a message whose sender was told to try again. Best effort: the state log also
     * marks each of them done.
     */
    private synchronized void discardUndurable(long keep, IOException failure) {
        broken = true;
        try {
            channel.truncate(keep);
            channel.force(false);
        } catch (IOException e) {
            failure.addSuppressed(e);
        }
    }

    private void force() throws IOException {
        FileChannel ch = channel;
        try {
            ch.force(false);
        } catch (ClosedChannelException e) {
            FileChannel fresh = reopen(ch);
            if (Thread.currentThread().isInterrupted()) {
                throw e;
            }
            fresh.force(false);
        }
    }

    /** Reads up to {@code dst.remaining()} octets at {@code position} into {@code dst}; safe from any thread. */
    int read(ByteBuffer dst, long position) throws IOException {
        FileChannel ch = channel;
        try {
            return ch.read(dst, position);
        } catch (ClosedChannelException e) {
            FileChannel fresh = reopen(ch);
            if (Thread.currentThread().isInterrupted()) {
                throw e;
            }
            return fresh.read(dst, position);
        }
    }

    /** Appends a line to the state log; it reaches the disk at the next {@link #flushState()}. */
    void appendState(String line) throws IOException {
        ByteBuffer buf = ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.UTF_8));
        synchronized (stateLock) {
            FileChannel ch = stateChannel;
            try {
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
            } catch (ClosedChannelException e) {
                FileChannel fresh = reopenState(ch);
                if (Thread.currentThread().isInterrupted()) {
                    throw e;
                }
                buf.rewind();
                while (buf.hasRemaining()) {
                    fresh.write(buf);
                }
            }
            stateDirty = true;
        }
    }

    void flushState() throws IOException {
        FileChannel ch;
        synchronized (stateLock) {
            if (!stateDirty) {
                return;
            }
            stateDirty = false;
            ch = stateChannel;
        }
        try {
            ch.force(false);
        } catch (ClosedChannelException e) {
            FileChannel fresh = reopenState(ch);
            if (Thread.currentThread().isInterrupted()) {
                throw e;
            }
            fresh.force(false);
        }
    }

    synchronized int live() {
        return live;
    }

    /** One message of this segment is gone (delivered or moved to its own file); returns how many remain. */
    synchronized int release() {
        return --live;
    }

    /** Counts a message found at start-up. */
    synchronized void adopt(SpoolEntry entry, long bodyStart) {
        entry.place(this, bodyStart);
        live++;
    }

    void close() {
        closed = true;
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing a read-only view cannot lose data
        }
        try {
            stateChannel.close();
        } catch (IOException ignored) {
            // state lines were forced by flushState before close
        }
    }

    void delete() throws IOException {
        close();
        Files.deleteIfExists(data);
        Files.deleteIfExists(stateLog);
    }
}

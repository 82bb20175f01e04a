package io.camelsmtp.smtp.queue.spool;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A spool whose segment files fail their next {@code fdatasync} on demand, as a disk does when writeback fails (EIO):
 * {@link #failNextForce()} arms it; the armed force blocks until {@link #releaseForce()}, so that other arrivals can
 * append and wait behind it, then throws. Only that one force fails; the pages of the records it covered must be
 * treated as lost (Linux reports a writeback error once and then marks the pages clean).
 */
public final class FaultySpool {

    private final AtomicBoolean armed = new AtomicBoolean();
    private final CountDownLatch forceEntered = new CountDownLatch(1);
    private final CountDownLatch release = new CountDownLatch(1);
    private final AtomicInteger recordsWritten = new AtomicInteger();
    private final Spool spool;

    public FaultySpool(Path dir) {
        this.spool = new Spool(dir, 64 << 20, new SpoolFiles(dir) {
            @Override
            FileChannel open(Path file, OpenOption... options) throws IOException {
                FileChannel ch = super.open(file, options);
                return file.getFileName().toString().endsWith(".seg") ? new Faulty(ch) : ch;
            }
        });
    }

    public Spool spool() {
        return spool;
    }

    public void failNextForce() {
        armed.set(true);
    }

    /** Waits until the armed force has begun (it then blocks until {@link #releaseForce()}). */
    public boolean awaitForceEntered() throws InterruptedException {
        return forceEntered.await(10, TimeUnit.SECONDS);
    }

    public void releaseForce() {
        release.countDown();
    }

    /** Envelope blocks written into segments so far: one per appended record (the block is written last). */
    public int recordsWritten() {
        return recordsWritten.get();
    }

    private final class Faulty extends FileChannel {

        private final FileChannel ch;

        Faulty(FileChannel ch) {
            this.ch = ch;
        }

        @Override
        public void force(boolean metaData) throws IOException {
            if (armed.compareAndSet(true, false)) {
                forceEntered.countDown();
                try {
                    release.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                throw new IOException("Input/output error (injected: writeback failed)");
            }
            ch.force(metaData);
        }

        @Override
        public int write(ByteBuffer src, long position) throws IOException {
            boolean block = src.remaining() > 20 && StandardCharsets.US_ASCII.decode(src.duplicate().limit(src.position() + 19))
                    .toString().equals(EnvelopeCodec.MAGIC);
            int n = ch.write(src, position);
            if (block) {
                recordsWritten.incrementAndGet();
            }
            return n;
        }

        @Override
        public int read(ByteBuffer dst) throws IOException {
            return ch.read(dst);
        }

        @Override
        public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
            return ch.read(dsts, offset, length);
        }

        @Override
        public int write(ByteBuffer src) throws IOException {
            return ch.write(src);
        }

        @Override
        public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
            return ch.write(srcs, offset, length);
        }

        @Override
        public long position() throws IOException {
            return ch.position();
        }

        @Override
        public FileChannel position(long newPosition) throws IOException {
            ch.position(newPosition);
            return this;
        }

        @Override
        public long size() throws IOException {
            return ch.size();
        }

        @Override
        public FileChannel truncate(long size) throws IOException {
            ch.truncate(size);
            return this;
        }

        @Override
        public long transferTo(long position, long count, WritableByteChannel target) throws IOException {
            return ch.transferTo(position, count, target);
        }

        @Override
        public long transferFrom(ReadableByteChannel src, long position, long count) throws IOException {
            return ch.transferFrom(src, position, count);
        }

        @Override
        public int read(ByteBuffer dst, long position) throws IOException {
            return ch.read(dst, position);
        }

        @Override
        public MappedByteBuffer map(MapMode mode, long position, long size) throws IOException {
            return ch.map(mode, position, size);
        }

        @Override
        public FileLock lock(long position, long size, boolean shared) throws IOException {
            return ch.lock(position, size, shared);
        }

        @Override
        public FileLock tryLock(long position, long size, boolean shared) throws IOException {
            return ch.tryLock(position, size, shared);
        }

        @Override
        protected void implCloseChannel() throws IOException {
            ch.close();
        }
    }
}

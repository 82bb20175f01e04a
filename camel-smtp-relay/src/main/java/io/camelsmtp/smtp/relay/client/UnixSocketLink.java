package io.camelsmtp.smtp.relay.client;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A connection over a Unix-domain socket (how an LMTP server such as Dovecot's is usually reached), with the time-outs
 * a TCP {@link java.net.Socket} has and a {@link java.nio.channels.SocketChannel} lacks: a blocking channel has no
 * read time-out at all. Every read and every write is watched: one that has not finished within the time-out set by
 * {@link #timeout(Duration)} closes the channel, which ends the blocked call, and fails with a
 * {@link SocketTimeoutException}. Connecting to a local socket does not block for long (the kernel answers at once:
 * refused, or a full backlog as EAGAIN), so it needs no watch of its own.
 */
final class UnixSocketLink implements Closeable {

    private final SocketChannel channel;
    private final ScheduledExecutorService timer;
    private volatile long timeoutMillis = 60_000;
    private volatile boolean expired;

    private UnixSocketLink(SocketChannel channel, ScheduledExecutorService timer) {
        this.channel = channel;
        this.timer = timer;
    }

    static UnixSocketLink open(UnixDomainSocketAddress address, ScheduledExecutorService timer) throws IOException {
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            ch.configureBlocking(true);
            ch.connect(address);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
        return new UnixSocketLink(ch, timer);
    }

    /** The time-out of each later read and write. */
    void timeout(Duration timeout) {
        timeoutMillis = Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toMillis()));
    }

    boolean isOpen() {
        return channel.isOpen();
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }

    InputStream input() {
        return new InputStream() {
            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                int n = read(one, 0, 1);
                return n < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (len == 0) {
                    return 0;
                }
                ScheduledFuture<?> watch = watch();
                try {
                    return channel.read(ByteBuffer.wrap(b, off, len));
                } catch (IOException e) {
                    throw expired ? timeout("Read timed out", e) : e;
                } finally {
                    watch.cancel(false);
                }
            }
        };
    }

    OutputStream output() {
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                write(new byte[] { (byte) b }, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                ScheduledFuture<?> watch = watch();
                try {
                    ByteBuffer buf = ByteBuffer.wrap(b, off, len);
                    while (buf.hasRemaining()) {
                        channel.write(buf);
                    }
                } catch (IOException e) {
                    throw expired ? timeout("Write timed out: the peer stopped reading", e) : e;
                } finally {
                    watch.cancel(false);
                }
            }
        };
    }

    private ScheduledFuture<?> watch() throws IOException {
        if (expired) {
            throw new SocketTimeoutException("Timed out earlier; the socket is closed");
        }
        if (!channel.isOpen()) {
            throw new IOException("Socket closed");
        }
        return timer.schedule(() -> {
            expired = true;
            try {
                channel.close();
            } catch (IOException ignored) {
                // the blocked call fails either way
            }
        }, timeoutMillis, TimeUnit.MILLISECONDS);
    }

    private static SocketTimeoutException timeout(String message, IOException cause) {
        SocketTimeoutException e = new SocketTimeoutException(message);
        e.initCause(cause);
        return e;
    }
}

package io.camelsmtp.smtp.relay.client;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Bounds every write to a socket: Java has no write time-out, so a peer that stops reading (RFC 5321 §4.5.3.2.5
 * gives each send of the data block a time-out) would block the sender for ever. A write that has not finished
 * within the socket's read time-out closes the socket and fails with a {@link SocketTimeoutException}.
 */
final class DeadlineOutputStream extends FilterOutputStream {

    private final Socket socket;
    private final ScheduledExecutorService timer;
    private volatile boolean expired;

    DeadlineOutputStream(OutputStream out, Socket socket, ScheduledExecutorService timer) {
        super(out);
        this.socket = socket;
        this.timer = timer;
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] { (byte) b }, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        ScheduledFuture<?> deadline = schedule();
        try {
            out.write(b, off, len);
        } catch (IOException e) {
            throw expired ? timeout(e) : e;
        } finally {
            deadline.cancel(false);
        }
    }

    @Override
    public void flush() throws IOException {
        ScheduledFuture<?> deadline = schedule();
        try {
            out.flush();
        } catch (IOException e) {
            throw expired ? timeout(e) : e;
        } finally {
            deadline.cancel(false);
        }
    }

    private ScheduledFuture<?> schedule() throws IOException {
        int millis = socket.getSoTimeout();
        return timer.schedule(() -> {
            expired = true;
            try {
                socket.close();
            } catch (IOException ignored) {
                // the blocked write fails either way
            }
        }, millis > 0 ? millis : Integer.MAX_VALUE, TimeUnit.MILLISECONDS);
    }

    private static SocketTimeoutException timeout(IOException cause) {
        SocketTimeoutException e = new SocketTimeoutException("Write timed out: the peer stopped reading");
        e.initCause(cause);
        return e;
    }
}

package io.camelsmtp.smtp.server.protocol;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Collects the octets of a message as they arrive: in a growing array up to {@code threshold}, then in a temporary
 * file in {@code directory}. Either {@link #finish()} or {@link #abort()} ends it; abort deletes the file, so an
 * interrupted DATA leaves nothing behind. A failure of our own disk is a {@link Failure}, so that it is not taken for
 * the client going away.
 */
final class SpoolWriter {

    /** The spool file could not be made or written. */
    static final class Failure extends IOException {
        private static final long serialVersionUID = 1L;

        Failure(IOException cause) {
            super("Cannot spool the message: " + cause, cause);
        }
    }

    private final SpoolDirectory directory;
    private final int threshold;
    private byte[] buffer = new byte[8192];
    private int count;
    private Path file;
    private OutputStream out;
    private long size;

    SpoolWriter(SpoolDirectory directory, int threshold) {
        this.directory = directory;
        this.threshold = threshold;
    }

    long size() {
        return size;
    }

    void write(byte[] b) throws IOException {
        write(b, 0, b.length);
    }

    void write(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return;
        }
        size += len;
        try {
            if (out == null && count + len > threshold) {
                file = directory.newFile();
                out = Files.newOutputStream(file);
                out.write(buffer, 0, count);
                buffer = null;
                count = 0;
            }
            if (out != null) {
                out.write(b, off, len);
                return;
            }
        } catch (IOException e) {
            throw new Failure(e);
        }
        if (count + len > buffer.length) {
            buffer = Arrays.copyOf(buffer, Math.max(buffer.length * 2, count + len));
        }
        System.arraycopy(b, off, buffer, count, len);
        count += len;
    }

    SpooledMessage finish() throws IOException {
        if (out == null) {
            return new SpooledMessage(buffer, count);
        }
        try {
            out.close();
        } catch (IOException e) {
            abort();
            throw new Failure(e);
        }
        Path done = file;
        out = null;
        file = null;
        return new SpooledMessage(done, size);
    }

    void abort() {
        buffer = null;
        if (out != null) {
            try {
                out.close();
            } catch (IOException ignored) {
                // the file is deleted next
            }
            out = null;
        }
        if (file != null) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot delete partial message " + file, e);
            }
            file = null;
        }
    }
}

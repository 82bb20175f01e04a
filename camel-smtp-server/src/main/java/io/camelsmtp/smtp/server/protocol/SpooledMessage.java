package io.camelsmtp.smtp.server.protocol;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

import org.apache.camel.StreamCache;
import org.apache.camel.converter.stream.FileInputStreamCache;
import org.apache.camel.converter.stream.InputStreamCache;

/**
 * A received message, held in memory when small and in a temporary file when larger than the spool threshold, so a
 * 10 MB message does not cost 10 MB of heap per session. The owner calls {@link #discard()} when done with it.
 */
public final class SpooledMessage {

    private final byte[] bytes;
    private final int length;
    private final Path file;
    private final long size;

    SpooledMessage(byte[] bytes, int length) {
        this.bytes = bytes;
        this.length = length;
        this.file = null;
        this.size = length;
    }

    SpooledMessage(Path file, long size) {
        this.bytes = null;
        this.length = 0;
        this.file = file;
        this.size = size;
    }

    /** Size in octets, with the Received header we prepended. */
    public long size() {
        return size;
    }

    /** A re-readable stream over the message, the form Camel's stream caching expects. */
    public StreamCache toStreamCache() {
        return file == null ? new InputStreamCache(bytes, length) : new FileInputStreamCache(file.toFile());
    }

    public InputStream openStream() throws IOException {
        return file == null ? new InputStreamCache(bytes, length) : Files.newInputStream(file);
    }

    /** Deletes the temporary file, if any. */
    public void discard() {
        if (file != null) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                file.toFile().deleteOnExit();
            }
        }
    }
}

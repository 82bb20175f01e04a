package io.camelsmtp.smtp.queue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;

import io.camelsmtp.smtp.queue.spool.Spool;
import io.camelsmtp.smtp.queue.spool.SpoolEntry;
import org.apache.camel.Exchange;
import org.apache.camel.StreamCache;

/**
 * A queued message as an Exchange body: read from the spool on demand (never loaded whole into memory), re-readable
 * through {@link #reset()}, as Camel expects of a StreamCache.
 */
final class SpoolStreamCache extends InputStream implements StreamCache {

    private final Spool spool;
    private final SpoolEntry entry;
    private InputStream current;
    private long position;

    SpoolStreamCache(Spool spool, SpoolEntry entry) {
        this.spool = spool;
        this.entry = entry;
    }

    private InputStream current() throws IOException {
        if (current == null) {
            current = spool.openMessage(entry);
        }
        return current;
    }

    @Override
    public int read() throws IOException {
        int c = current().read();
        if (c >= 0) {
            position++;
        }
        return c;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        int n = current().read(b, off, len);
        if (n > 0) {
            position += n;
        }
        return n;
    }

    @Override
    public void reset() {
        closeCurrent();
        position = 0;
    }

    @Override
    public void close() {
        closeCurrent();
    }

    private void closeCurrent() {
        if (current != null) {
            try {
                current.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            current = null;
        }
    }

    @Override
    public void writeTo(OutputStream os) throws IOException {
        try (InputStream in = spool.openMessage(entry)) {
            in.transferTo(os);
        }
    }

    @Override
    public StreamCache copy(Exchange exchange) {
        return new SpoolStreamCache(spool, entry);
    }

    @Override
    public boolean inMemory() {
        return false;
    }

    @Override
    public long length() {
        return entry.size();
    }

    @Override
    public long position() {
        return position;
    }
}

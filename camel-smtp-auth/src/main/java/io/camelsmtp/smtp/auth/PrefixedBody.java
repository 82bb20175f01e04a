package io.camelsmtp.smtp.auth;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

import org.apache.camel.Exchange;
import org.apache.camel.StreamCache;

/**
 * A message body with new octets in front (DKIM-Signature, Authentication-Results) and the original after, from its
 * octet {@code skip} on: the original stays where it was (memory, the server's temporary file, the queue's spool),
 * so a large message is never copied. Re-readable from the start ({@link #reset()}), as Camel expects of a
 * StreamCache; the queue and the relay read it as they read the bodies {@code smtp-server} gives.
 */
final class PrefixedBody extends InputStream implements StreamCache {

    private final byte[] prefix;
    private final StreamCache rest;
    private final long skip;
    private long position;
    private boolean skipped;

    /** {@code rest} must be an InputStream. */
    PrefixedBody(byte[] prefix, StreamCache rest, long skip) {
        if (!(rest instanceof InputStream)) {
            throw new IllegalArgumentException("the body must be an InputStream StreamCache: " + rest.getClass().getName());
        }
        this.prefix = prefix;
        this.rest = rest;
        this.skip = skip;
        rest.reset();
    }

    private InputStream rest() throws IOException {
        InputStream in = (InputStream) rest;
        if (!skipped) {
            in.skipNBytes(skip);
            skipped = true;
        }
        return in;
    }

    @Override
    public int read() throws IOException {
        if (position < prefix.length) {
            return prefix[(int) position++] & 0xff;
        }
        int c = rest().read();
        if (c >= 0) {
            position++;
        }
        return c;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        if (position < prefix.length) {
            int n = (int) Math.min(len, prefix.length - position);
            System.arraycopy(prefix, (int) position, b, off, n);
            position += n;
            return n;
        }
        int n = rest().read(b, off, len);
        if (n > 0) {
            position += n;
        }
        return n;
    }

    @Override
    public int available() throws IOException {
        return position < prefix.length ? (int) (prefix.length - position) : rest().available();
    }

    @Override
    public void reset() {
        rest.reset();
        position = 0;
        skipped = false;
    }

    @Override
    public void close() throws IOException {
        ((InputStream) rest).close();
    }

    @Override
    public void writeTo(OutputStream os) throws IOException {
        os.write(prefix);
        rest.reset();
        InputStream in = (InputStream) rest;
        in.skipNBytes(skip);
        in.transferTo(os);
        reset();
    }

    @Override
    public StreamCache copy(Exchange exchange) throws IOException {
        return new PrefixedBody(prefix, rest.copy(exchange), skip);
    }

    @Override
    public boolean inMemory() {
        return rest.inMemory();
    }

    @Override
    public long length() {
        return prefix.length + rest.length() - skip;
    }

    @Override
    public long position() {
        return position;
    }
}

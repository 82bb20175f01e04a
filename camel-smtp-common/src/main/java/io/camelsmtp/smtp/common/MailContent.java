package io.camelsmtp.smtp.common;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;

import org.apache.camel.StreamCache;

/**
 * A message's octets, re-readable from the start as often as needed (the relay sends them once per destination):
 * either in memory or a Camel {@link StreamCache} (a spooled message is never loaded whole).
 */
public final class MailContent {

    private final byte[] bytes;
    private final StreamCache cache;
    private final long size;
    private final boolean eightBit;

    private MailContent(byte[] bytes, StreamCache cache, long size, boolean eightBit) {
        this.bytes = bytes;
        this.cache = cache;
        this.size = size;
        this.eightBit = eightBit;
    }

    /** Octets in memory; {@code eightBit} when some are above 127 or the sender declared 8BITMIME. */
    public static MailContent of(byte[] bytes, boolean eightBit) {
        return new MailContent(bytes, null, bytes.length, eightBit);
    }

    /** Octets in a stream cache, which must be an {@link InputStream}. */
    public static MailContent of(StreamCache cache, boolean eightBit) {
        if (!(cache instanceof InputStream)) {
            throw new IllegalArgumentException("A StreamCache body must be an InputStream: " + cache.getClass().getName());
        }
        return new MailContent(null, cache, cache.length(), eightBit);
    }

    public long size() {
        return size;
    }

    /** Content has octets above 127 (or was declared 8BITMIME): needs 8BITMIME. */
    public boolean eightBit() {
        return eightBit;
    }

    /** The content from its first octet. A stream cache is shared: read one stream at a time. */
    public synchronized InputStream open() throws IOException {
        if (bytes != null) {
            return new ByteArrayInputStream(bytes);
        }
        cache.reset();
        return (InputStream) cache;
    }
}

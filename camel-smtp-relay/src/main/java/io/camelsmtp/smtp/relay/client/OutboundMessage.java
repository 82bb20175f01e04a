package io.camelsmtp.smtp.relay.client;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;

import org.apache.camel.StreamCache;

/**
 * A message ready to send: envelope, DSN parameters and content. The content is re-readable, since it is sent once
 * per destination.
 */
public final class OutboundMessage {

    /** One recipient with its DSN parameters (null when absent). */
    public record Recipient(String address, String dsnNotify, String dsnOrcpt) {
    }

    private final String from;
    private final List<Recipient> recipients;
    private final byte[] bytes;
    private final StreamCache cache;
    private final long size;
    private final boolean eightBit;
    private final boolean utf8;
    private final String ret;
    private final String envid;

    public OutboundMessage(String from, List<Recipient> recipients, byte[] bytes, StreamCache cache, long size,
                           boolean eightBit, boolean utf8, String ret, String envid) {
        this.from = from;
        this.recipients = List.copyOf(recipients);
        this.bytes = bytes;
        this.cache = cache;
        this.size = size;
        this.eightBit = eightBit;
        this.utf8 = utf8;
        this.ret = ret;
        this.envid = envid;
    }

    /** The same message for the recipients not in {@code skip}. */
    public OutboundMessage without(java.util.Set<String> skip) {
        if (skip.isEmpty()) {
            return this;
        }
        List<Recipient> left = recipients.stream().filter(r -> !skip.contains(r.address())).toList();
        return new OutboundMessage(from, left, bytes, cache, size, eightBit, utf8, ret, envid);
    }

    /** Reverse-path; empty for the null sender. */
    public String from() {
        return from;
    }

    public List<Recipient> recipients() {
        return recipients;
    }

    public long size() {
        return size;
    }

    /** Content has octets above 127: needs 8BITMIME. */
    public boolean eightBit() {
        return eightBit;
    }

    /** Envelope has UTF-8 addresses (or the client asked for SMTPUTF8): needs SMTPUTF8. */
    public boolean utf8() {
        return utf8;
    }

    public String ret() {
        return ret;
    }

    public String envid() {
        return envid;
    }

    /** The content from its first octet. */
    public synchronized InputStream open() throws IOException {
        if (bytes != null) {
            return new ByteArrayInputStream(bytes);
        }
        cache.reset();
        return (InputStream) cache;
    }
}

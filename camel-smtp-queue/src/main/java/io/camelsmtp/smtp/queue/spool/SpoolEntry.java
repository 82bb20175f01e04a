package io.camelsmtp.smtp.queue.spool;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import io.camelsmtp.smtp.common.Envelope;

/**
 * One queued message as the queue indexes it in memory (its octets stay on disk). What it is never changes: id,
 * arrival, kind, {@link Envelope} and size. What changes as it is tried is its {@link RetryState}. Where its octets
 * lie (a segment and offset, or its own file) is the {@link Spool}'s business, guarded by the spool's lock on this
 * entry.
 */
public final class SpoolEntry {

    /** Why the message is in the queue: ordinary mail, a delivery status notification we made, or a notice to the postmaster. */
    public enum Kind {
        MAIL, DSN, POSTMASTER
    }

    /**
     * One recipient of the message: where it stands in the envelope (its index in the {@link RetryState}) and its
     * address with DSN parameters.
     */
    public record Recipient(int index, Envelope.Recipient envelope) {

        public String address() {
            return envelope.address();
        }

        /** DSN NOTIFY (e.g. {@code FAILURE,DELAY} or {@code NEVER}), null when the client gave none. */
        public String dsnNotify() {
            return envelope.dsnNotify();
        }

        /** DSN ORCPT as {@code addr-type;address}, or null. */
        public String dsnOrcpt() {
            return envelope.dsnOrcpt();
        }

        /** True when the sender asked for this kind of notification (RFC 3461 §4.1). */
        public boolean wants(String type) {
            return envelope.wants(type);
        }
    }

    private final String id;
    private final Instant arrival;
    private final Kind kind;
    private final Envelope envelope;
    private final long size;
    private final RetryState retry;
    private volatile long crc;

    private Segment segment;
    private long offset;

    /**
     * A new message with every recipient pending, due at once; its CRC-32 is computed when it is written.
     *
     * @param envelope sender, recipients and MAIL FROM parameters; its queue id becomes {@code id}
     */
    public static SpoolEntry create(String id, Instant arrival, Kind kind, Envelope envelope, long size) {
        return new SpoolEntry(id, arrival, kind, envelope, size, 0,
                new RetryState(envelope.recipients().size(), arrival.toEpochMilli()));
    }

    SpoolEntry(String id, Instant arrival, Kind kind, Envelope envelope, long size, long crc, RetryState retry) {
        if (envelope.recipients().isEmpty()) {
            throw new IllegalArgumentException("a queued message needs a recipient");
        }
        this.id = id;
        this.arrival = arrival;
        this.kind = kind;
        this.envelope = envelope.withQueueId(id);
        this.size = size;
        this.crc = crc;
        this.retry = retry;
    }

    public String id() {
        return id;
    }

    public Instant arrival() {
        return arrival;
    }

    public Kind kind() {
        return kind;
    }

    /** The envelope as it was accepted, every recipient included; its queue id is this message's id. */
    public Envelope envelope() {
        return envelope;
    }

    /** Envelope sender; the empty string is the null sender {@code <>}. */
    public String sender() {
        return envelope.sender();
    }

    /** Every recipient, in the order of the envelope (made on each call: an index entry keeps only the envelope). */
    public List<Recipient> recipients() {
        List<Envelope.Recipient> rs = envelope.recipients();
        List<Recipient> out = new ArrayList<>(rs.size());
        for (int i = 0; i < rs.size(); i++) {
            out.add(new Recipient(i, rs.get(i)));
        }
        return out;
    }

    /** The recipients not yet delivered or failed. */
    public List<Recipient> pending() {
        List<Envelope.Recipient> rs = envelope.recipients();
        List<Recipient> out = new ArrayList<>(rs.size());
        for (int i = 0; i < rs.size(); i++) {
            if (retry.status(i) == RetryState.Status.PENDING) {
                out.add(new Recipient(i, rs.get(i)));
            }
        }
        return out;
    }

    /** Size of the message in octets. */
    public long size() {
        return size;
    }

    public RetryState retry() {
        return retry;
    }

    long crc() {
        return crc;
    }

    void crc(long crc) {
        this.crc = crc;
    }

    /** The segment holding the octets, or null once the message has its own file in {@code deferred/}. */
    Segment segment() {
        return segment;
    }

    long offset() {
        return offset;
    }

    void place(Segment segment, long offset) {
        this.segment = segment;
        this.offset = offset;
    }

    @Override
    public String toString() {
        return id + " <" + sender() + "> " + envelope.recipients().size() + " recipient(s), " + size + " octets";
    }
}

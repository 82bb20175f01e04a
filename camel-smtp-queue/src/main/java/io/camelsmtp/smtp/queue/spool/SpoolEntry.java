package io.camelsmtp.smtp.queue.spool;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * What the queue knows about one message: its envelope, per-recipient state, retry state and where its octets are.
 * This is the index entry kept in memory for every queued message; the octets stay on disk. Mutable fields are
 * guarded by the owning {@link Spool} and the delivery scheduler.
 */
public final class SpoolEntry {

    /** Why the message is in the queue: ordinary mail, a delivery status notification we made, or a notice to the postmaster. */
    public enum Kind {
        MAIL, DSN, POSTMASTER
    }

    /** State of one recipient. */
    public enum State {
        PENDING, DELIVERED, FAILED
    }

    /** One recipient with its DSN parameters and state. */
    public static final class Recipient {
        private final String address;
        private final String notify;
        private final String orcpt;
        private State state;
        private String lastReply;

        public Recipient(String address, String notify, String orcpt, State state, String lastReply) {
            this.address = address;
            this.notify = notify;
            this.orcpt = orcpt;
            this.state = state;
            this.lastReply = lastReply;
        }

        public String address() {
            return address;
        }

        /** DSN NOTIFY (e.g. {@code FAILURE,DELAY} or {@code NEVER}), null when the client gave none. */
        public String dsnNotify() {
            return notify;
        }

        /** DSN ORCPT as {@code addr-type;address}, or null. */
        public String dsnOrcpt() {
            return orcpt;
        }

        public State state() {
            return state;
        }

        public void state(State state) {
            this.state = state;
        }

        /** The last reply for this recipient (why it is still pending), or null. */
        public String lastReply() {
            return lastReply;
        }

        public void lastReply(String lastReply) {
            this.lastReply = lastReply;
        }

        /** True when the sender asked for this kind of notification (RFC 3461 §4.1; no NOTIFY means FAILURE and DELAY). */
        public boolean wants(String type) {
            if (notify == null || notify.isBlank()) {
                return !"SUCCESS".equals(type);
            }
            for (String t : notify.split(",")) {
                if (t.trim().equalsIgnoreCase(type)) {
                    return true;
                }
            }
            return false;
        }
    }

    private final String id;
    private final Instant arrival;
    private final Kind kind;
    private final String sender;
    private final String bodyType;
    private final boolean utf8;
    private final String dsnRet;
    private final String dsnEnvid;
    private final List<Recipient> recipients;
    private final long size;
    private long crc;

    private Segment segment;
    private long offset;
    private int attempts;
    private long nextAttempt;
    private String lastError;
    private boolean held;
    private boolean delayWarned;
    private boolean inFlight;
    private boolean deleted;

    /** A new message with every recipient pending; its CRC-32 is computed when it is written. */
    public static SpoolEntry create(String id, Instant arrival, Kind kind, String sender, String bodyType, boolean utf8,
                                    String dsnRet, String dsnEnvid, List<Recipient> recipients, long size) {
        SpoolEntry e = new SpoolEntry(id, arrival, kind, sender, bodyType, utf8, dsnRet, dsnEnvid, recipients, size, 0);
        e.nextAttempt = arrival.toEpochMilli();
        return e;
    }

    SpoolEntry(String id, Instant arrival, Kind kind, String sender, String bodyType, boolean utf8, String dsnRet,
               String dsnEnvid, List<Recipient> recipients, long size, long crc) {
        this.id = id;
        this.arrival = arrival;
        this.kind = kind;
        this.sender = sender;
        this.bodyType = bodyType;
        this.utf8 = utf8;
        this.dsnRet = dsnRet;
        this.dsnEnvid = dsnEnvid;
        this.recipients = new ArrayList<>(recipients);
        this.size = size;
        this.crc = crc;
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

    /** Envelope sender; the empty string is the null sender {@code <>}. */
    public String sender() {
        return sender;
    }

    public String bodyType() {
        return bodyType;
    }

    public boolean utf8() {
        return utf8;
    }

    public String dsnRet() {
        return dsnRet;
    }

    public String dsnEnvid() {
        return dsnEnvid;
    }

    public List<Recipient> recipients() {
        return recipients;
    }

    public List<Recipient> pending() {
        return recipients.stream().filter(r -> r.state == State.PENDING).toList();
    }

    /** Size of the message in octets. */
    public long size() {
        return size;
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

    public int attempts() {
        return attempts;
    }

    public void attempts(int attempts) {
        this.attempts = attempts;
    }

    /** Epoch milliseconds of the next delivery attempt. */
    public long nextAttempt() {
        return nextAttempt;
    }

    public void nextAttempt(long nextAttempt) {
        this.nextAttempt = nextAttempt;
    }

    public String lastError() {
        return lastError;
    }

    public void lastError(String lastError) {
        this.lastError = lastError;
    }

    public boolean held() {
        return held;
    }

    public void held(boolean held) {
        this.held = held;
    }

    public boolean delayWarned() {
        return delayWarned;
    }

    public void delayWarned(boolean delayWarned) {
        this.delayWarned = delayWarned;
    }

    public boolean inFlight() {
        return inFlight;
    }

    public void inFlight(boolean inFlight) {
        this.inFlight = inFlight;
    }

    public boolean deleted() {
        return deleted;
    }

    public void deleted(boolean deleted) {
        this.deleted = deleted;
    }

    @Override
    public String toString() {
        return id + " <" + sender + "> " + recipients.size() + " recipient(s), " + size + " octets";
    }
}

package io.camelsmtp.smtp.queue.spool;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;

import io.camelsmtp.smtp.common.Envelope;
import io.camelsmtp.smtp.common.Xtext;

/**
 * The envelope block of the spool format: text lines {@code name: value}, ended by an empty line, readable with
 * {@code less} or {@code grep}. The same block starts every record of a segment file and is the whole content of a
 * {@code deferred/<id>.env} file. Addresses and DSN values are xtext (RFC 3461), so a value never holds a space or a
 * line end. The last two lines are {@code crc32} (of the message octets) and {@code check} (CRC-32 of the block's own
 * bytes before that line), so a torn or damaged block is recognised.
 * <p>
 * A block has no fixed maximum: a message may have any number of recipients, each with its last reply (cut to
 * {@link RetryState#MAX_REPLY_OCTETS}). The reader is bounded by the file instead: a block is read at most up to the
 * end of the file it is in, so every block the encoder writes reads back, and a damaged one costs at most that file.
 * <pre>
 * camel-smtp-queue: 1
 * id: 4A3F0C2B9D1E7A6B5C
 * arrival: 2026-11-25T14:50:00.123Z
 * kind: mail
 * sender: alice@example.org
 * recipient: bob@example.net state=pending notify=FAILURE,DELAY orcpt=rfc822;bob@example.net
 * size: 000000004096
 * crc32: 89abcdef
 * check: 01234567
 * </pre>
 */
final class EnvelopeCodec {

    static final String MAGIC = "camel-smtp-queue: 1";

    private EnvelopeCodec() {
    }

    /** The block for {@code e}; {@code withRetryState} adds attempts, next attempt, hold and last error (deferred files). */
    static byte[] encode(SpoolEntry e, boolean withRetryState) {
        Envelope env = e.envelope();
        RetryState.Snapshot state = e.retry().snapshot();
        StringBuilder sb = new StringBuilder(256);
        sb.append(MAGIC).append('\n');
        line(sb, "id", e.id());
        line(sb, "arrival", e.arrival().toString());
        line(sb, "kind", e.kind().name().toLowerCase());
        line(sb, "sender", Xtext.encode(env.sender()));
        if (env.bodyType() != null) {
            line(sb, "body", Xtext.encode(env.bodyType())); // xtext: a header from any route must not add a line
        }
        if (env.utf8()) {
            line(sb, "smtputf8", "true");
        }
        if (env.ret() != null) {
            line(sb, "ret", Xtext.encode(env.ret()));
        }
        if (env.envid() != null) {
            line(sb, "envid", Xtext.encode(env.envid()));
        }
        if (env.requireTlsOption()) {
            // only when set, so a record without it is the same octets as before; an older reader ignores the line
            line(sb, "requiretls", "true");
        }
        if (withRetryState) {
            line(sb, "attempts", Integer.toString(state.attempts()));
            line(sb, "next-attempt", Instant.ofEpochMilli(state.nextAttempt()).toString());
            if (state.held()) {
                line(sb, "held", "true");
            }
            if (state.delayWarned()) {
                line(sb, "delay-warned", "true");
            }
            if (state.lastError() != null) {
                line(sb, "last-error", RetryState.oneLine(state.lastError()));
            }
        }
        for (SpoolEntry.Recipient r : e.recipients()) {
            sb.append("recipient: ").append(Xtext.encode(r.address()));
            sb.append(" state=").append(state.status(r.index()).name().toLowerCase());
            if (r.dsnNotify() != null) {
                sb.append(" notify=").append(Xtext.encode(r.dsnNotify()));
            }
            if (r.dsnOrcpt() != null) {
                sb.append(" orcpt=").append(Xtext.encode(r.dsnOrcpt()));
            }
            if (withRetryState && state.lastReply(r.index()) != null) {
                sb.append(" reply=").append(Xtext.encode(RetryState.bounded(state.lastReply(r.index()))));
            }
            sb.append('\n');
        }
        line(sb, "size", pad(Long.toString(e.size()), 12));
        line(sb, "crc32", hex8(e.crc()));
        byte[] head = sb.toString().getBytes(StandardCharsets.UTF_8);
        CRC32 check = new CRC32();
        check.update(head);
        byte[] tail = ("check: " + hex8(check.getValue()) + "\n\n").getBytes(StandardCharsets.US_ASCII);
        byte[] block = new byte[head.length + tail.length];
        System.arraycopy(head, 0, block, 0, head.length);
        System.arraycopy(tail, 0, block, head.length, tail.length);
        return block;
    }

    /** Fixed width, so that a block's length does not change when its size and CRC are filled in. */
    private static String pad(String digits, int width) {
        return digits.length() >= width ? digits : "0".repeat(width - digits.length()) + digits;
    }

    static String hex8(long value) {
        return pad(Long.toHexString(value & 0xffffffffL), 8);
    }

    private static void line(StringBuilder sb, String name, String value) {
        sb.append(name).append(": ").append(value).append('\n');
    }

    /** A decoded block and its length in octets. */
    record Decoded(SpoolEntry entry, int length) {
    }

    /**
     * Reads one block from {@code in}, which holds at most {@code limit} more octets (the rest of its file). Returns
     * null at a clean end of input; throws {@link TruncatedException} when the input ends inside the block and
     * {@link CorruptSpoolException} when the block is damaged.
     */
    static Decoded decode(InputStream in, long limit) throws IOException {
        ByteArrayOutputStream raw = new ByteArrayOutputStream(512);
        List<String> lines = new ArrayList<>();
        ByteArrayOutputStream line = new ByteArrayOutputStream(128);
        while (true) {
            int c = in.read();
            if (c < 0) {
                if (raw.size() == 0) {
                    return null;
                }
                throw new TruncatedException("envelope block ends after " + raw.size() + " octets");
            }
            raw.write(c);
            if (raw.size() > limit) {
                throw new TruncatedException("envelope block runs past the end of its file (" + limit + " octets)");
            }
            if (c != '\n') {
                line.write(c);
                continue;
            }
            String l = line.toString(StandardCharsets.UTF_8);
            line.reset();
            if (lines.isEmpty() && !MAGIC.equals(l)) {
                throw new CorruptSpoolException("no '" + MAGIC + "' line where a record starts");
            }
            if (l.isEmpty()) {
                break;
            }
            lines.add(l);
        }
        byte[] block = raw.toByteArray();
        return new Decoded(parse(lines, block), block.length);
    }

    private static SpoolEntry parse(List<String> lines, byte[] block) {
        String checkLine = lines.get(lines.size() - 1);
        if (!checkLine.startsWith("check: ")) {
            throw new CorruptSpoolException("envelope block has no check line");
        }
        int checked = block.length - checkLine.length() - 2;
        CRC32 crc = new CRC32();
        crc.update(block, 0, checked);
        if (!hex8(crc.getValue()).equals(checkLine.substring(7))) {
            throw new CorruptSpoolException("envelope block check sum mismatch");
        }
        Fields f = new Fields();
        try {
            for (String l : lines.subList(1, lines.size() - 1)) {
                f.read(l);
            }
        } catch (RuntimeException e) {
            throw e instanceof CorruptSpoolException c ? c : new CorruptSpoolException("bad envelope field: " + e.getMessage());
        }
        if (f.id == null || f.arrival == null || f.sender == null || f.recipients.isEmpty() || f.size < 0 || f.crc < 0) {
            throw new CorruptSpoolException("envelope block misses id, arrival, sender, recipient, size or crc32");
        }
        Envelope envelope = new Envelope(f.sender, f.recipients.stream().map(Recipient::envelope).toList(), f.body, f.utf8,
                f.ret, f.envid, f.id, f.requireTls);
        RetryState.Status[] status = f.recipients.stream().map(Recipient::status).toArray(RetryState.Status[]::new);
        String[] replies = f.recipients.stream().map(Recipient::reply).toArray(String[]::new);
        RetryState retry = new RetryState(new RetryState.Snapshot(status, replies, f.attempts, f.next, f.lastError, f.held,
                f.warned));
        return new SpoolEntry(f.id, f.arrival, f.kind, envelope, f.size, f.crc, retry);
    }

    /** A recipient line as read: the envelope's part, and the state with the last reply. */
    record Recipient(Envelope.Recipient envelope, RetryState.Status status, String reply) {
    }

    /** The fields of a block as they are read, line by line; absent ones null, or -1 for size and crc. */
    static final class Fields {
        String id;
        Instant arrival;
        SpoolEntry.Kind kind = SpoolEntry.Kind.MAIL;
        String sender;
        String body;
        boolean utf8;
        String ret;
        String envid;
        boolean requireTls;
        int attempts;
        long next;
        boolean held;
        boolean warned;
        String lastError;
        long size = -1;
        long crc = -1;
        final List<Recipient> recipients = new ArrayList<>();
        /** Recipient lines that did not parse, as they are (filled by {@link #salvage} only). */
        final List<String> unreadable = new ArrayList<>();

        /** Reads one {@code name: value} line; throws when it is not one or its value does not parse. */
        void read(String l) {
            int colon = l.indexOf(": ");
            if (colon < 0) {
                throw new CorruptSpoolException("not a 'name: value' line: " + l);
            }
            String value = l.substring(colon + 2);
            switch (l.substring(0, colon)) {
                case "id" -> id = value;
                case "arrival" -> arrival = Instant.parse(value);
                case "kind" -> kind = SpoolEntry.Kind.valueOf(value.toUpperCase());
                case "sender" -> sender = xtext(value);
                case "body" -> body = xtext(value);
                case "smtputf8" -> utf8 = Boolean.parseBoolean(value);
                case "ret" -> ret = xtext(value);
                case "envid" -> envid = xtext(value);
                case "requiretls" -> requireTls = requireTls(value);
                case "attempts" -> attempts = Integer.parseInt(value);
                case "next-attempt" -> next = Instant.parse(value).toEpochMilli();
                case "held" -> held = Boolean.parseBoolean(value);
                case "delay-warned" -> warned = Boolean.parseBoolean(value);
                case "last-error" -> lastError = value;
                case "recipient" -> recipients.add(recipient(value));
                case "size" -> size = Long.parseLong(value);
                case "crc32" -> crc = Long.parseLong(value, 16);
                default -> {
                    // fields a newer version may add are ignored, so an older reader can still deliver the message
                }
            }
        }
    }

    /**
     * Reads what it can of a block that does not decode (its check sum fails, or a field does not parse), up to its
     * first empty line: every line that parses on its own, nothing verified.
     */
    static Fields salvage(byte[] raw) {
        Fields f = new Fields();
        for (String l : new String(raw, StandardCharsets.UTF_8).split("\n", -1)) {
            if (l.isEmpty()) {
                break;
            }
            try {
                f.read(l);
            } catch (RuntimeException e) {
                if (l.startsWith("recipient: ")) {
                    f.unreadable.add(l);
                }
                if (l.startsWith("requiretls")) {
                    f.requireTls = true; // a damaged REQUIRETLS line: keep the stricter reading (RFC 8689)
                }
            }
        }
        return f;
    }

    /** Only {@code true} or {@code false}: anything else is damage, not a reason to send without REQUIRETLS. */
    private static boolean requireTls(String value) {
        return switch (value) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new CorruptSpoolException("bad requiretls value: " + value);
        };
    }

    private static String xtext(String value) {
        String decoded = Xtext.decode(value);
        if (decoded == null) {
            throw new CorruptSpoolException("not xtext: " + value);
        }
        return decoded;
    }

    private static Recipient recipient(String value) {
        String[] parts = value.split(" ");
        String notify = null;
        String orcpt = null;
        String reply = null;
        RetryState.Status state = RetryState.Status.PENDING;
        for (int i = 1; i < parts.length; i++) {
            int eq = parts[i].indexOf('=');
            String k = parts[i].substring(0, eq);
            String v = xtext(parts[i].substring(eq + 1));
            switch (k) {
                case "state" -> state = RetryState.Status.valueOf(v.toUpperCase());
                case "notify" -> notify = v;
                case "orcpt" -> orcpt = v;
                case "reply" -> reply = v;
                default -> {
                    // unknown recipient attributes of a newer version are ignored
                }
            }
        }
        return new Recipient(new Envelope.Recipient(xtext(parts[0]), notify, orcpt), state, reply);
    }
}

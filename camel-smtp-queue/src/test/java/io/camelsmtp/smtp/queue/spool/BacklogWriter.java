package io.camelsmtp.smtp.queue.spool;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32;

import io.camelsmtp.smtp.common.Envelope;
import io.camelsmtp.smtp.common.QueueIds;

/**
 * Writes a backlog into a spool as an outage leaves it: {@code count} messages of {@code size} octets, each tried once
 * and deferred, so each has its pair of files in {@code deferred/} ({@code <id>.eml} and {@code <id>.env}, the
 * envelope block written by the queue's own {@link EnvelopeCodec}, exactly as {@link DeferredFiles} writes it).
 * Unlike the queue it does not fsync each file (a million fsyncs would take hours): run {@code sync} after it. For
 * the start-up benchmark ({@code bench/backlog.sh}) and the crash tests of background recovery.
 * <p>
 * Each message carries a {@code Received:} header naming its queue id the way {@code smtp-server} writes it, so a
 * receiving smtp-sink's dumps say which message arrived.
 * <pre>
 * java -cp ... io.camelsmtp.smtp.queue.spool.BacklogWriter SPOOL_DIR COUNT SIZE DUE_IN_SECONDS RCPT_DOMAIN
 * </pre>
 * Prints one id per line to standard output when the system property {@code backlog.ids} is {@code true}.
 */
public final class BacklogWriter {

    private BacklogWriter() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 5) {
            System.err.println("usage: BacklogWriter SPOOL_DIR COUNT SIZE DUE_IN_SECONDS RCPT_DOMAIN");
            System.exit(2);
        }
        long t0 = System.nanoTime();
        List<String> ids = write(Path.of(args[0]), Integer.parseInt(args[1]), Integer.parseInt(args[2]),
                Long.parseLong(args[3]) * 1000, args[4]);
        if (Boolean.getBoolean("backlog.ids")) {
            ids.forEach(System.out::println);
        }
        System.err.printf("BacklogWriter: %d deferred message(s) of %s octets written to %s in %d ms%n", ids.size(),
                args[2], args[0], (System.nanoTime() - t0) / 1_000_000);
    }

    /** Writes the messages and returns their queue ids; the spool must not be open. */
    public static List<String> write(Path spool, int count, int size, long dueInMillis, String domain) throws IOException {
        SpoolFiles files = new SpoolFiles(spool);
        files.directory(spool);
        DeferredFiles deferred = new DeferredFiles(spool.resolve("deferred"), files);
        files.directory(deferred.directory());
        files.directory(spool.resolve("segments"));
        files.directory(spool.resolve("corrupt"));
        List<String> ids = new ArrayList<>(count);
        long now = System.currentTimeMillis();
        for (int i = 0; i < count; i++) {
            String id = QueueIds.next();
            byte[] body = message(id, i, size, domain);
            CRC32 crc = new CRC32();
            crc.update(body);
            Envelope env = new Envelope("sender" + i + "@backlog.test",
                    List.of(new Envelope.Recipient("rcpt" + i + "@" + domain, null, null)), null, false, null, null, id);
            RetryState.Status[] status = { RetryState.Status.PENDING };
            RetryState retry = new RetryState(new RetryState.Snapshot(status, new String[1], 1, now + dueInMillis,
                    "451 4.4.1 next hop down (backlog)", false, false));
            SpoolEntry e = new SpoolEntry(id, Instant.ofEpochMilli(now - 60_000), SpoolEntry.Kind.MAIL, env,
                    body.length, crc.getValue(), retry);
            Files.write(deferred.eml(id), body);
            Files.write(deferred.env(id), EnvelopeCodec.encode(e, true));
            ids.add(id);
        }
        return ids;
    }

    private static byte[] message(String id, int n, int size, String domain) {
        StringBuilder b = new StringBuilder();
        b.append("Received: from backlog.test by mx.backlog.test (camel-smtp) with ESMTP id ").append(id)
                .append(";\r\n\tMon, 7 Dec 2026 00:00:00 +0000\r\n");
        b.append("From: <sender").append(n).append("@backlog.test>\r\nTo: <rcpt").append(n).append('@').append(domain)
                .append(">\r\nSubject: backlog message ").append(n).append("\r\n\r\n");
        char[] line = new char[76];
        Arrays.fill(line, 'x');
        String filler = new String(line) + "\r\n";
        while (b.length() + filler.length() <= size) {
            b.append(filler);
        }
        while (b.length() < size - 2) {
            b.append('y');
        }
        if (b.length() < size) {
            b.append("\r\n");
        }
        return b.toString().getBytes(StandardCharsets.US_ASCII);
    }
}

package io.camelsmtp.smtp.queue.spool;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;

import io.camelsmtp.smtp.common.Envelope;
import io.camelsmtp.smtp.common.Xtext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Crash recovery: reads what a previous run left in a spool and returns every message still to be delivered, with
 * the segments that hold them. Each segment is read record by record and checked (block check sum, message CRC-32);
 * its state log says which recipients were decided and which messages left it. A record cut short at the end of a
 * segment was being written when the process stopped, so it was never acknowledged and is dropped; damage anywhere
 * else moves the intact messages to {@code deferred/} and the segment aside to {@code corrupt/}, with a log line. A
 * damaged envelope file in {@code deferred/} is read as far as it goes and its message queued again when its
 * sender, recipients and message file are there. Every message left out or guessed at is reported
 * ({@link SpoolDamage}), so that no recipient is dropped silently.
 * Runs once, single-threaded: before the spool takes new messages ({@link Spool#open}), or in the background while
 * it does ({@link Spool#openInBackground}). Then it reads only the segments numbered below the first one this run
 * writes, and leaves alone every file whose id the {@link Backlog} says belongs to this run; each message is published
 * once it is checked, each segment's messages once the whole segment is.
 */
final class SpoolRecovery {

    private static final Logger LOG = LoggerFactory.getLogger(SpoolRecovery.class);

    private final SpoolFiles files;
    private final Path segments;
    private final DeferredFiles deferred;
    private final Path corrupt;
    private final Backlog backlog;
    private final Map<Long, Segment> open;
    private final long firstLive;
    private final List<SpoolDamage> damage = new ArrayList<>();

    /**
     * @param open      the spool's open segments, where each recovered segment still holding messages goes
     * @param firstLive the number of the first segment this run writes: only older ones are read
     */
    SpoolRecovery(SpoolFiles files, Path segments, DeferredFiles deferred, Path corrupt, Backlog backlog,
                  Map<Long, Segment> open, long firstLive) {
        this.files = files;
        this.segments = segments;
        this.deferred = deferred;
        this.corrupt = corrupt;
        this.backlog = backlog;
        this.open = open;
        this.firstLive = firstLive;
    }

    /** Reads the backlog; returns the damage found on the way. */
    List<SpoolDamage> run() throws IOException {
        recoverDeferred();
        recoverSegments();
        return damage;
    }

    /** The id a file of {@code deferred/} belongs to: its name up to the first dot. */
    private static String idOf(Path p) {
        String n = p.getFileName().toString();
        int dot = n.indexOf('.');
        return dot < 0 ? n : n.substring(0, dot);
    }

    private void recoverDeferred() throws IOException {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(deferred.directory())) {
            for (Path p : files) {
                backlog.checkStopping();
                String name = p.getFileName().toString();
                if (backlog.known(idOf(p))) {
                    continue; // this run's: written, replaced or deleted by the queue since it opened
                }
                if (name.endsWith(".tmp")) {
                    Files.deleteIfExists(p);
                } else if (name.endsWith(".env")) {
                    recoverDeferred(p, deferred.eml(name.substring(0, name.length() - 4)));
                }
            }
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(deferred.directory(), "*.eml")) {
            for (Path p : files) {
                backlog.checkStopping();
                String id = idOf(p);
                if (!backlog.known(id) && !Files.exists(deferred.env(id))) {
                    // written just before a stop, its envelope never was: the message is still in its segment
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    private void recoverDeferred(Path env, Path eml) throws IOException {
        SpoolEntry e;
        try (InputStream in = new BufferedInputStream(Files.newInputStream(env))) {
            EnvelopeCodec.Decoded d = EnvelopeCodec.decode(in, Files.size(env));
            if (d == null) {
                throw new TruncatedException("empty envelope file");
            }
            e = d.entry();
        } catch (CorruptSpoolException damaged) {
            salvageDeferred(env, eml, damaged.getMessage());
            return;
        }
        if (e.pending().isEmpty()) {
            // every recipient decided (a failure only once its notice was stored) and saved, the files not yet
            // removed when the process stopped: finished, not to be queued (it would wait for ever, never tried)
            LOG.info("Spool: message {} in deferred/ was finished when the process stopped; its files are removed", e.id());
            deferred.delete(e.id());
            return;
        }
        String problem = !Files.exists(eml) ? "its message file " + eml.getFileName() + " is missing" : null;
        if (problem == null) {
            long[] found = SpoolScan.measure(eml);
            if (found[0] != e.size() || found[1] != e.crc()) {
                problem = "message file has " + found[0] + " octets / crc " + Long.toHexString(found[1]) + ", envelope says "
                          + e.size() + " / " + Long.toHexString(e.crc());
            }
        }
        if (problem == null) {
            backlog.publish(e);
            return;
        }
        // the envelope is whole but the message is not: nothing safe to deliver, but the postmaster learns for whom
        List<String> rcpts = e.pending().stream().map(SpoolEntry.Recipient::address).toList();
        setAside(new SpoolDamage(e.id(), e.sender(), rcpts, false, problem, List.of()), env, eml);
    }

    /**
     * An envelope file that does not decode: what parses of it is kept. With an id, a sender, a pending recipient
     * and its message file (matching the size and CRC-32 when those still read), the message goes back in the queue
     * under a new envelope file and is tried at once; otherwise both files go to {@code corrupt/}. Either way the
     * damaged file is kept in {@code corrupt/} and reported.
     */
    private void salvageDeferred(Path env, Path eml, String problem) throws IOException {
        String id = env.getFileName().toString().replace(".env", ""); // the file name pairs it with its message file
        EnvelopeCodec.Fields s = EnvelopeCodec.salvage(Files.readAllBytes(env));
        List<String> rcpts = new ArrayList<>();
        List<Envelope.Recipient> envelope = new ArrayList<>();
        List<RetryState.Status> status = new ArrayList<>();
        for (EnvelopeCodec.Recipient r : s.recipients) {
            envelope.add(r.envelope());
            status.add(r.status());
            rcpts.add(r.envelope().address() + (r.status() == RetryState.Status.PENDING ? ""
                    : " (" + r.status().name().toLowerCase() + ")"));
        }
        s.unreadable.forEach(l -> rcpts.add("unreadable: " + l));
        boolean requeue = s.sender != null && status.contains(RetryState.Status.PENDING) && Files.exists(eml);
        long[] found = requeue ? SpoolScan.measure(eml) : null;
        if (requeue && (s.size >= 0 && s.size != found[0] || s.crc >= 0 && s.crc != found[1])) {
            requeue = false;
            problem += "; its message file does not match the size or CRC-32 that could be read";
        }
        if (!requeue) {
            setAside(new SpoolDamage(id, s.sender, rcpts, false, problem, List.of()), env, eml);
            return;
        }
        Path copy = corrupt.resolve(env.getFileName() + "." + System.currentTimeMillis());
        Files.copy(env, copy, StandardCopyOption.REPLACE_EXISTING);
        files.restrict(copy);
        long now = System.currentTimeMillis();
        Envelope env2 = new Envelope(s.sender, envelope, s.body, s.utf8, s.ret, s.envid, id, s.requireTls);
        RetryState retry = new RetryState(new RetryState.Snapshot(status.toArray(RetryState.Status[]::new),
                new String[envelope.size()], Math.max(0, s.attempts), now, null, s.held, false));
        SpoolEntry e = new SpoolEntry(id, s.arrival != null ? s.arrival : Instant.ofEpochMilli(now),
                s.kind, env2, found[0], found[1], retry);
        deferred.writeEnvelope(e); // replaces the damaged file atomically: the message file is never without one
        backlog.publish(e);
        LOG.error("Spool file {} is damaged ({}); message {} from <{}> is queued again for {} (the damaged file is {})",
                env, problem, id, s.sender, e.pending().stream().map(SpoolEntry.Recipient::address).toList(), copy);
        damage.add(new SpoolDamage(id, s.sender, rcpts, true, problem, List.of(copy)));
    }

    private void setAside(SpoolDamage d, Path env, Path eml) throws IOException {
        List<Path> moved = new ArrayList<>();
        for (Path p : List.of(env, eml)) {
            Path to = moveAside(p);
            if (to != null) {
                moved.add(to);
            }
        }
        LOG.error("Spool file {} is damaged ({}); moved to {} and left out of the queue: {} from <{}> to {}", env,
                d.reason(), moved, d.id(), d.sender(), d.recipients());
        damage.add(new SpoolDamage(d.id(), d.sender(), d.recipients(), false, d.reason(), moved));
    }

    /** Moves a file into {@code corrupt/}; returns where it is now, or null when there was no such file. */
    private Path moveAside(Path p) throws IOException {
        if (!Files.exists(p)) {
            return null;
        }
        Path to = corrupt.resolve(p.getFileName().toString() + "." + System.currentTimeMillis());
        Files.move(p, to, StandardCopyOption.REPLACE_EXISTING);
        return to;
    }

    private void recoverSegments() throws IOException {
        for (Map.Entry<Long, Path> f : SpoolScan.segmentFiles(segments).headMap(firstLive).entrySet()) {
            backlog.checkStopping();
            recoverSegment(f.getKey(), f.getValue());
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(segments, "*.state")) {
            for (Path p : files) {
                String n = p.getFileName().toString();
                long number;
                try {
                    number = Long.parseLong(n.substring(0, n.length() - 6));
                } catch (NumberFormatException e) {
                    continue;
                }
                if (number < firstLive && !Files.exists(segments.resolve(n.replace(".state", ".seg")))) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    private void recoverSegment(long number, Path file) throws IOException {
        Map<String, List<String[]>> state = SpoolScan.readStateLog(segments.resolve(Segment.name(number) + ".state"));
        List<SpoolEntry> live = new ArrayList<>();
        List<Long> offsets = new ArrayList<>();
        long size = Files.size(file);
        long valid;
        List<long[]> ranges = new ArrayList<>();
        List<String> damaged = new ArrayList<>();
        long from = 0;
        while (true) {
            Parsed parsed = parseRecords(file, from, state, live, offsets);
            if (parsed.failure() == null) {
                valid = parsed.end();
                break;
            }
            long next = SpoolScan.findRecordStart(file, parsed.end() + 1);
            if (next < 0) {
                // nothing readable follows: the tail the process was writing when it stopped, never acknowledged
                LOG.warn("Segment {}: the record at offset {} is incomplete ({}); it was being written when the "
                         + "process stopped and was never acknowledged, so it is cut off", file, parsed.end(),
                        parsed.failure().getMessage());
                valid = parsed.end();
                break;
            }
            ranges.add(new long[] { parsed.end(), next });
            damaged.add("offset " + parsed.end() + " to " + next + ": " + parsed.failure().getMessage());
            from = next;
        }
        Segment seg = Segment.reopen(files, segments, number, ranges.isEmpty() ? valid : size);
        for (int i = 0; i < live.size(); i++) {
            seg.adopt(live.get(i), offsets.get(i));
        }
        if (!ranges.isEmpty()) {
            LOG.error("Segment {} is damaged ({}); the {} intact waiting message(s) before and after the damage are "
                      + "moved to deferred/ and the segment to {}", file, String.join("; ", damaged), live.size(), corrupt);
            for (SpoolEntry e : live) {
                deferred.moveOut(e, seg);
                e.place(null, 0);
            }
            seg.close();
            live.forEach(backlog::publish);
            List<EnvelopeCodec.Fields> lost = new ArrayList<>();
            for (long[] r : ranges) {
                lost.add(EnvelopeCodec.salvage(SpoolScan.readBlock(file, r[0], r[1])));
            }
            Path aside = moveAside(file);
            moveAside(segments.resolve(Segment.name(number) + ".state"));
            for (int i = 0; i < lost.size(); i++) {
                EnvelopeCodec.Fields s = lost.get(i);
                List<String> rcpts = s.recipients.stream().map(r -> r.envelope().address()).toList();
                LOG.error("Segment {}: the damaged record at {} is left out of the queue (in {}): {} from <{}> to {}",
                        file, damaged.get(i), aside, s.id, s.sender, rcpts);
                damage.add(new SpoolDamage(s.id, s.sender, rcpts, false, damaged.get(i), List.of(aside)));
            }
        } else if (seg.live() == 0) {
            seg.delete();
        } else {
            open.put(number, seg); // before its messages are published: their delivery writes its state log
            live.forEach(backlog::publish);
        }
    }

    /** Records read from one offset: where reading stopped, and why when it was not the clean end of the file. */
    private record Parsed(long end, CorruptSpoolException failure) {
    }

    /** Reads records from {@code from} until the end of the file or the first record that does not read back intact. */
    private Parsed parseRecords(Path file, long from, Map<String, List<String[]>> state, List<SpoolEntry> live,
                                List<Long> offsets) throws IOException {
        long fileLength = Files.size(file);
        try (InputStream raw = Files.newInputStream(file)) {
            raw.skipNBytes(from);
            CountingStream in = new CountingStream(new BufferedInputStream(raw, 65536));
            byte[] buf = new byte[65536];
            while (true) {
                long start = from + in.count();
                try {
                    EnvelopeCodec.Decoded d = EnvelopeCodec.decode(in, fileLength - start);
                    if (d == null) {
                        return new Parsed(start, null);
                    }
                    SpoolEntry e = d.entry();
                    long bodyStart = from + in.count();
                    CRC32 crc = new CRC32();
                    long left = e.size();
                    while (left > 0) {
                        int r = in.read(buf, 0, (int) Math.min(buf.length, left));
                        if (r < 0) {
                            throw new TruncatedException("message ends after " + (e.size() - left) + " of " + e.size() + " octets");
                        }
                        crc.update(buf, 0, r);
                        left -= r;
                    }
                    if (crc.getValue() != e.crc()) {
                        throw new CorruptSpoolException("message " + e.id() + " fails its CRC-32");
                    }
                    if (apply(e, state.get(e.id()))) {
                        live.add(e);
                        offsets.add(bodyStart);
                    }
                } catch (CorruptSpoolException c) {
                    return new Parsed(start, c);
                }
            }
        }
    }

    /** Applies the state log to a recovered message; false when it needs no delivery any more. */
    private boolean apply(SpoolEntry e, List<String[]> changes) {
        if (backlog.known(e.id())) {
            return false; // moved to deferred/, which holds the newer state (and may be delivered by now)
        }
        if (changes == null) {
            return true;
        }
        for (String[] c : changes) {
            switch (c[1]) {
                case "done", "moved" -> {
                    return false;
                }
                case "delivered", "failed" -> {
                    if (c.length > 2) {
                        String rcpt = Xtext.decode(c[2]);
                        for (SpoolEntry.Recipient r : e.recipients()) {
                            if (r.address().equals(rcpt)) {
                                e.retry().status(r.index(), "delivered".equals(c[1]) ? RetryState.Status.DELIVERED
                                        : RetryState.Status.FAILED);
                            }
                        }
                    }
                }
                default -> LOG.warn("Unknown state line for {}: {}", e.id(), String.join(" ", c));
            }
        }
        return !e.pending().isEmpty();
    }

}

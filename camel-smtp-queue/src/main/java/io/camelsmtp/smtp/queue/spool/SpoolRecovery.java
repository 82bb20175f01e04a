package io.camelsmtp.smtp.queue.spool;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.zip.CRC32;

import io.camelsmtp.smtp.common.Xtext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Crash recovery: reads what a previous run left in a spool and returns every message still to be delivered, with
 * the segments that hold them. Each segment is read record by record and checked (block check sum, message CRC-32);
 * its state log says which recipients were decided and which messages left it. A record cut short at the end of a
 * segment was being written when the process stopped, so it was never acknowledged and is dropped; damage anywhere
 * else moves the intact messages to {@code deferred/} and the segment aside to {@code corrupt/}, with a log line.
 * Runs once, single-threaded, before the spool takes new messages.
 */
final class SpoolRecovery {

    private static final Logger LOG = LoggerFactory.getLogger(SpoolRecovery.class);

    /** What was found: the messages by id, the segments still holding some, and the number for the next segment. */
    record Recovered(Map<String, SpoolEntry> entries, Map<Long, Segment> segments, long nextSegment) {
    }

    private final SpoolFiles files;
    private final Path segments;
    private final DeferredFiles deferred;
    private final Path corrupt;
    private final Map<String, SpoolEntry> entries = new ConcurrentHashMap<>();
    private final Map<Long, Segment> open = new ConcurrentHashMap<>();
    private long nextSegment;

    SpoolRecovery(SpoolFiles files, Path segments, DeferredFiles deferred, Path corrupt) {
        this.files = files;
        this.segments = segments;
        this.deferred = deferred;
        this.corrupt = corrupt;
    }

    Recovered run() throws IOException {
        recoverDeferred();
        recoverSegments();
        return new Recovered(entries, open, nextSegment);
    }

    private void recoverDeferred() throws IOException {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(deferred.directory())) {
            for (Path p : files) {
                String name = p.getFileName().toString();
                if (name.endsWith(".tmp")) {
                    Files.delete(p);
                } else if (name.endsWith(".env")) {
                    recoverDeferred(p, deferred.eml(name.substring(0, name.length() - 4)));
                }
            }
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(deferred.directory(), "*.eml")) {
            for (Path p : files) {
                String id = p.getFileName().toString().replace(".eml", "");
                if (!entries.containsKey(id) && !Files.exists(deferred.env(id))) {
                    // written just before a stop, its envelope never was: the message is still in its segment
                    Files.delete(p);
                }
            }
        }
    }

    private void recoverDeferred(Path env, Path eml) throws IOException {
        try {
            SpoolEntry e;
            try (InputStream in = new BufferedInputStream(Files.newInputStream(env))) {
                EnvelopeCodec.Decoded d = EnvelopeCodec.decode(in);
                if (d == null) {
                    throw new TruncatedException("empty envelope file");
                }
                e = d.entry();
            }
            if (!Files.exists(eml)) {
                throw new CorruptSpoolException("its message file " + eml.getFileName() + " is missing");
            }
            CRC32 crc = new CRC32();
            long n = 0;
            try (InputStream in = Files.newInputStream(eml)) {
                byte[] buf = new byte[65536];
                int r;
                while ((r = in.read(buf)) > 0) {
                    crc.update(buf, 0, r);
                    n += r;
                }
            }
            if (n != e.size() || crc.getValue() != e.crc()) {
                throw new CorruptSpoolException("message file has " + n + " octets / crc " + Long.toHexString(crc.getValue())
                        + ", envelope says " + e.size() + " / " + Long.toHexString(e.crc()));
            }
            entries.put(e.id(), e);
        } catch (CorruptSpoolException e) {
            LOG.error("Spool file {} is damaged ({}); moved to {} and left out of the queue", env, e.getMessage(), corrupt);
            moveAside(env);
            moveAside(eml);
        }
    }

    private void moveAside(Path p) throws IOException {
        if (Files.exists(p)) {
            Files.move(p, corrupt.resolve(p.getFileName().toString() + "." + System.currentTimeMillis()),
                    StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private void recoverSegments() throws IOException {
        TreeMap<Long, Path> found = new TreeMap<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(segments, "*.seg")) {
            for (Path p : files) {
                String n = p.getFileName().toString();
                try {
                    found.put(Long.parseLong(n.substring(0, n.length() - 4)), p);
                } catch (NumberFormatException e) {
                    LOG.warn("Ignoring {} in the spool: not a segment name", p);
                }
            }
        }
        nextSegment = found.isEmpty() ? 1 : found.lastKey() + 1;
        for (Map.Entry<Long, Path> f : found.entrySet()) {
            recoverSegment(f.getKey(), f.getValue());
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(segments, "*.state")) {
            for (Path p : files) {
                String n = p.getFileName().toString();
                if (!Files.exists(segments.resolve(n.replace(".state", ".seg")))) {
                    Files.delete(p);
                }
            }
        }
    }

    private void recoverSegment(long number, Path file) throws IOException {
        Map<String, List<String[]>> state = readStateLog(segments.resolve(Segment.name(number) + ".state"));
        List<SpoolEntry> live = new ArrayList<>();
        List<Long> offsets = new ArrayList<>();
        long size = Files.size(file);
        long valid;
        List<String> damage = new ArrayList<>();
        long from = 0;
        while (true) {
            Parsed parsed = parseRecords(file, from, state, live, offsets);
            if (parsed.failure() == null) {
                valid = parsed.end();
                break;
            }
            long next = findRecordStart(file, parsed.end() + 1);
            if (next < 0) {
                // nothing readable follows: the tail the process was writing when it stopped, never acknowledged
                LOG.warn("Segment {}: the record at offset {} is incomplete ({}); it was being written when the "
                         + "process stopped and was never acknowledged, so it is cut off", file, parsed.end(),
                        parsed.failure().getMessage());
                valid = parsed.end();
                break;
            }
            damage.add("offset " + parsed.end() + " to " + next + ": " + parsed.failure().getMessage());
            from = next;
        }
        Segment seg = Segment.reopen(files, segments, number, damage.isEmpty() ? valid : size);
        open.put(number, seg);
        for (int i = 0; i < live.size(); i++) {
            seg.adopt(live.get(i), offsets.get(i));
            entries.put(live.get(i).id(), live.get(i));
        }
        if (!damage.isEmpty()) {
            LOG.error("Segment {} is damaged ({}); the {} intact waiting message(s) before and after the damage are "
                      + "moved to deferred/ and the segment to {}", file, String.join("; ", damage), live.size(), corrupt);
            for (SpoolEntry e : live) {
                deferred.moveOut(e, seg);
                e.place(null, 0);
            }
            open.remove(number);
            seg.close();
            moveAside(file);
            moveAside(segments.resolve(Segment.name(number) + ".state"));
        } else if (seg.live() == 0) {
            open.remove(number);
            seg.delete();
        }
    }

    /** Records read from one offset: where reading stopped, and why when it was not the clean end of the file. */
    private record Parsed(long end, CorruptSpoolException failure) {
    }

    /** Reads records from {@code from} until the end of the file or the first record that does not read back intact. */
    private Parsed parseRecords(Path file, long from, Map<String, List<String[]>> state, List<SpoolEntry> live,
                                List<Long> offsets) throws IOException {
        try (InputStream raw = Files.newInputStream(file)) {
            raw.skipNBytes(from);
            CountingStream in = new CountingStream(new BufferedInputStream(raw, 65536));
            byte[] buf = new byte[65536];
            while (true) {
                long start = from + in.count();
                try {
                    EnvelopeCodec.Decoded d = EnvelopeCodec.decode(in);
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

    /** Offset of the next line that starts a record at or after {@code from}, or -1. */
    private static long findRecordStart(Path file, long from) throws IOException {
        byte[] magic = (EnvelopeCodec.MAGIC + "\n").getBytes(StandardCharsets.US_ASCII);
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 65536)) {
            in.skipNBytes(Math.min(from, Files.size(file)));
            long pos = from;
            int matched = 0;
            int c;
            while ((c = in.read()) >= 0) {
                if (c == magic[matched]) {
                    if (++matched == magic.length) {
                        return pos - magic.length + 1;
                    }
                } else {
                    matched = c == magic[0] ? 1 : 0;
                }
                pos++;
            }
            return -1;
        }
    }

    /** Applies the state log to a recovered message; false when it needs no delivery any more. */
    private boolean apply(SpoolEntry e, List<String[]> changes) {
        if (entries.containsKey(e.id())) {
            return false; // moved to deferred/, which holds the newer state
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

    private static Map<String, List<String[]>> readStateLog(Path p) throws IOException {
        Map<String, List<String[]>> state = new HashMap<>();
        if (!Files.exists(p)) {
            return state;
        }
        byte[] all = Files.readAllBytes(p);
        int lastNl = lastNewline(all);
        String text = new String(all, 0, lastNl + 1, StandardCharsets.UTF_8);
        for (String line : text.split("\n")) {
            String[] f = line.split(" ");
            if (f.length >= 2) {
                state.computeIfAbsent(f[0], k -> new ArrayList<>()).add(f);
            }
        }
        return state;
    }

    private static int lastNewline(byte[] b) {
        for (int i = b.length - 1; i >= 0; i--) {
            if (b[i] == '\n') {
                return i;
            }
        }
        return -1;
    }
}

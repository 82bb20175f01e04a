package io.camelsmtp.smtp.queue.spool;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.CRC32;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** What {@link SpoolRecovery} reads of a spool's files without judging it: names, check sums, blocks, state logs. */
final class SpoolScan {

    private static final Logger LOG = LoggerFactory.getLogger(SpoolScan.class);

    private SpoolScan() {
    }

    /** The highest segment number in the directory, 0 when there is none: a listing of names, no file is read. */
    static long lastSegment(Path segments) throws IOException {
        return segmentFiles(segments).keySet().stream().mapToLong(Long::longValue).max().orElse(0);
    }

    static TreeMap<Long, Path> segmentFiles(Path segments) throws IOException {
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
        return found;
    }

    /** Size and CRC-32 of a file. */
    static long[] measure(Path file) throws IOException {
        CRC32 crc = new CRC32();
        long n = 0;
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[65536];
            int r;
            while ((r = in.read(buf)) > 0) {
                crc.update(buf, 0, r);
                n += r;
            }
        }
        return new long[] { n, crc.getValue() };
    }

    /** The envelope block that starts at {@code from}: up to its empty line, at most up to {@code to}. */
    static byte[] readBlock(Path file, long from, long to) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 65536)) {
            in.skipNBytes(from);
            int previous = -1;
            int c;
            for (long pos = from; pos < to && (c = in.read()) >= 0; pos++) {
                out.write(c);
                if (c == '\n' && previous == '\n') {
                    break;
                }
                previous = c;
            }
        }
        return out.toByteArray();
    }

    /** Offset of the next line that starts a record at or after {@code from}, or -1. */
    static long findRecordStart(Path file, long from) throws IOException {
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

    static Map<String, List<String[]>> readStateLog(Path p) throws IOException {
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

    static int lastNewline(byte[] b) {
        for (int i = b.length - 1; i >= 0; i--) {
            if (b[i] == '\n') {
                return i;
            }
        }
        return -1;
    }
}

package io.camelsmtp.smtp.relay.tlsrpt;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a {@link TlsReportCollector}'s days across restarts: one file per day, {@code tlsrpt-2024-05-01.json} in the
 * {@code tlsReportDirectory}, written whole to a temporary file, forced to disk and renamed over the old one, so a
 * crash leaves either the previous or the new state, never half of one. Sessions counted since the last write are
 * lost in a crash (not in a clean stop, which writes). Reading fails closed: a file that is too large, not this
 * format, or has a single bad value is set aside as {@code .bad} and its day starts from zero; what is read goes
 * through the collector's caps again.
 */
public final class TlsReportStore {

    /** Largest state file read back. */
    public static final long MAX_FILE_SIZE = 32L * 1024 * 1024;
    private static final String FORMAT = "camel-smtp-tlsrpt-state/1";
    private static final Pattern FILE = Pattern.compile("tlsrpt-(\\d{4}-\\d{2}-\\d{2})\\.json");
    private static final Logger LOG = LoggerFactory.getLogger(TlsReportStore.class);
    private static final ObjectMapper JSON = new ObjectMapper(JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(8).maxStringLength(64 * 1024).build())
            .build());

    private final Path directory;

    public TlsReportStore(Path directory) {
        this.directory = directory;
    }

    /** Reads every day's file into {@code collector}; returns the days read. */
    public List<LocalDate> load(TlsReportCollector collector) throws IOException {
        Files.createDirectories(directory);
        List<LocalDate> loaded = new ArrayList<>();
        int files = 0;
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(directory, "tlsrpt-*.json")) {
            for (Path file : dir) {
                Matcher m = FILE.matcher(file.getFileName().toString());
                if (!m.matches()) {
                    continue;
                }
                if (++files > collector.limits().maxDays() * 2) {
                    LOG.warn("More TLS report state files than days kept in {}; ignoring {}", directory, file);
                    continue;
                }
                LocalDate day;
                try {
                    day = LocalDate.parse(m.group(1));
                } catch (DateTimeParseException e) {
                    setAside(file, "its name is not a date");
                    continue;
                }
                String why = read(file, day, collector);
                if (why == null) {
                    loaded.add(day);
                } else {
                    setAside(file, why);
                }
            }
        }
        return loaded;
    }

    /** Reads one file; null when it was read, else why not (and nothing of it was counted). */
    private static String read(Path file, LocalDate day, TlsReportCollector collector) {
        JsonNode root;
        try {
            if (Files.size(file) > MAX_FILE_SIZE) {
                return "it is larger than " + MAX_FILE_SIZE + " octets";
            }
            try (InputStream in = Files.newInputStream(file)) {
                root = JSON.readTree(in);
            }
        } catch (IOException e) {
            return "it cannot be read as JSON: " + e.getMessage();
        }
        List<TlsReportCollector.PolicyCounts> policies = new ArrayList<>();
        long overflow;
        try {
            if (root == null || !FORMAT.equals(root.path("format").asText(null))
                || !day.toString().equals(root.path("day").asText(null))) {
                return "it is not a state file of this day";
            }
            overflow = count(root.get("overflow"));
            JsonNode list = root.get("policies");
            if (list == null || !list.isArray()) {
                return "it has no policies";
            }
            for (JsonNode p : list) {
                policies.add(policy(p));
            }
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
        for (TlsReportCollector.PolicyCounts p : policies) {
            collector.restore(day, p);
        }
        collector.restoreOverflow(day, overflow);
        return null;
    }

    private static TlsReportCollector.PolicyCounts policy(JsonNode p) {
        TlsAttempt.PolicyType type = TlsAttempt.PolicyType.of(text(p.get("policy-type")));
        String domain = text(p.get("policy-domain"));
        if (type == null || domain == null || domain.isBlank()) {
            throw new IllegalArgumentException("a policy has no valid type or domain");
        }
        List<TlsReportCollector.FailureRow> rows = new ArrayList<>();
        JsonNode details = p.get("failure-details");
        if (details != null) {
            if (!details.isArray()) {
                throw new IllegalArgumentException("failure-details is not a list");
            }
            for (JsonNode d : details) {
                String result = text(d.get("result-type"));
                if (result == null) {
                    throw new IllegalArgumentException("a failure row has no result type");
                }
                rows.add(new TlsReportCollector.FailureRow(result, optional(d, "sending-mta-ip"),
                        optional(d, "receiving-mx-hostname"), optional(d, "receiving-ip"),
                        optional(d, "additional-information"), count(d.get("failed-session-count"))));
            }
        }
        return new TlsReportCollector.PolicyCounts(type, domain, strings(p.get("policy-string")),
                strings(p.get("mx-host")), count(p.get("successful")), count(p.get("failed")), rows);
    }

    private static String optional(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? null : text(v);
    }

    private static String text(JsonNode v) {
        if (v == null || !v.isTextual()) {
            throw new IllegalArgumentException("a value that should be text is not");
        }
        return v.asText();
    }

    private static List<String> strings(JsonNode v) {
        if (v == null) {
            return List.of();
        }
        if (!v.isArray()) {
            throw new IllegalArgumentException("a list of strings is not a list");
        }
        List<String> out = new ArrayList<>();
        for (JsonNode s : v) {
            out.add(text(s));
        }
        return out;
    }

    private static long count(JsonNode v) {
        if (v == null || !v.canConvertToLong() || !v.isIntegralNumber() || v.asLong() < 0) {
            throw new IllegalArgumentException("a count is not a non-negative integer");
        }
        return v.asLong();
    }

    private void setAside(Path file, String why) {
        LOG.warn("TLS report state {} not read, its day's counts start from zero: {}", file, why);
        try {
            Files.move(file, file.resolveSibling(file.getFileName() + ".bad"), StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            LOG.warn("Cannot set {} aside: {}", file, e.getMessage());
        }
    }

    /** Writes every day {@code collector} holds, and deletes the files of days it no longer holds (reported). */
    public void save(TlsReportCollector collector) throws IOException {
        Files.createDirectories(directory);
        Set<String> kept = new HashSet<>();
        for (LocalDate day : collector.days()) {
            Path file = directory.resolve("tlsrpt-" + day + ".json");
            write(file, state(collector, day));
            kept.add(file.getFileName().toString());
        }
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(directory, "tlsrpt-*.json")) {
            for (Path file : dir) {
                if (FILE.matcher(file.getFileName().toString()).matches() && !kept.contains(file.getFileName().toString())) {
                    Files.deleteIfExists(file);
                }
            }
        }
    }

    private static ObjectNode state(TlsReportCollector collector, LocalDate day) {
        ObjectNode root = JSON.createObjectNode();
        root.put("format", FORMAT);
        root.put("day", day.toString());
        root.put("overflow", collector.overflow(day));
        ArrayNode policies = root.putArray("policies");
        for (String domain : collector.domains(day)) {
            for (TlsReportCollector.PolicyCounts p : collector.counts(day, domain)) {
                ObjectNode n = policies.addObject();
                n.put("policy-type", p.type().token());
                n.put("policy-domain", p.domain());
                p.strings().forEach(n.putArray("policy-string")::add);
                p.mxPatterns().forEach(n.putArray("mx-host")::add);
                n.put("successful", p.successful());
                n.put("failed", p.failed());
                ArrayNode rows = n.putArray("failure-details");
                for (TlsReportCollector.FailureRow r : p.failures()) {
                    ObjectNode row = rows.addObject();
                    row.put("result-type", r.resultType());
                    row.put("sending-mta-ip", r.sendingIp());
                    row.put("receiving-mx-hostname", r.receivingMx());
                    row.put("receiving-ip", r.receivingIp());
                    row.put("additional-information", r.additionalInfo());
                    row.put("failed-session-count", r.count());
                }
            }
        }
        return root;
    }

    private static void write(Path file, ObjectNode state) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (OutputStream out = Files.newOutputStream(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)) {
            out.write(JSON.writeValueAsBytes(state));
        }
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
        try {
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        }
        try (FileChannel dir = FileChannel.open(file.getParent(), StandardOpenOption.READ)) {
            dir.force(true); // the rename itself
        } catch (IOException e) {
            // not every file system lets a directory be opened; the rename is still atomic
        }
    }
}

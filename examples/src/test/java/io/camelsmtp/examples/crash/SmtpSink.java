package io.camelsmtp.examples.crash;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Postfix's {@code smtp-sink} on 127.0.0.1, dumping every message it accepts to a file of its own
 * ({@code -d dump/m.}: smtp-sink appends a random suffix and creates the file with O_EXCL, so no dump overwrites
 * another; a transaction the client abandons before the final dot leaves no file).
 * <p>
 * A message is identified by the queue id in the {@code Received:} header our smtp-server prepended
 * ({@code by crash.test (camel-smtp) with SMTP id 6611B5...}): the same id the client got in its
 * {@code 250 2.0.0 Ok: queued as 6611B5...}.
 */
final class SmtpSink implements AutoCloseable {

    private static final Pattern OUR_RECEIVED = Pattern.compile("\\(camel-smtp\\) with \\S+ id ([0-9A-Za-z]+)");

    private final Path dump;
    private final Path log;
    private final int port;
    private final Map<Path, String> identified = new HashMap<>();
    private Process process;

    SmtpSink(Path workDir, int port) {
        this.dump = workDir.resolve("sink-dump");
        this.log = workDir.resolve("sink.log");
        this.port = port;
    }

    void start(Path smtpSink, Path timeout) throws Exception {
        Files.createDirectories(dump);
        List<String> cmd = new ArrayList<>(List.of(timeout.toString(), "900", smtpSink.toString()));
        if (Tools.runningAsRoot()) {
            cmd.addAll(List.of("-u", "root")); // smtp-sink refuses to run as root without -u
        }
        cmd.addAll(List.of("-d", dump + "/m.", "127.0.0.1:" + port, "256"));
        process = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!Tools.await(Duration.ofSeconds(20), 50, () -> Tools.listening(port) || !process.isAlive())
            || !process.isAlive()) {
            throw new AssertionError("smtp-sink did not start on 127.0.0.1:" + port + ": " + Tools.tail(log, 20));
        }
    }

    int port() {
        return port;
    }

    Path dumpDirectory() {
        return dump;
    }

    /**
     * Reads the dump files not yet identified and returns how often each queue id was received. A file still being
     * written may not show its id yet; it is read again at the next call.
     */
    synchronized Map<String, Integer> received() throws IOException {
        try (Stream<Path> files = Files.list(dump)) {
            for (Path f : files.toList()) {
                if (identified.containsKey(f)) {
                    continue;
                }
                String text;
                try {
                    text = Files.readString(f, StandardCharsets.ISO_8859_1);
                } catch (NoSuchFileException gone) {
                    continue; // an abandoned transaction, removed by smtp-sink
                }
                Matcher m = OUR_RECEIVED.matcher(text);
                if (m.find()) {
                    identified.put(f, m.group(1));
                }
            }
        }
        Map<String, Integer> counts = new TreeMap<>();
        identified.values().forEach(id -> counts.merge(id, 1, Integer::sum));
        return counts;
    }

    /** Dump files in which no queue id of ours was found (after {@link #received()}). */
    synchronized List<Path> unidentified() throws IOException {
        try (Stream<Path> files = Files.list(dump)) {
            return files.filter(f -> !identified.containsKey(f)).sorted().toList();
        }
    }

    /** The dump file(s) of one queue id, for the report. */
    synchronized List<Path> filesOf(String id) {
        return identified.entrySet().stream().filter(e -> e.getValue().equals(id)).map(Map.Entry::getKey).sorted().toList();
    }

    long fileCount() throws IOException {
        try (Stream<Path> files = Files.list(dump)) {
            return files.count();
        }
    }

    /** Waits until no new dump file appeared for {@code quiet}, at most {@code limit}; returns whether it got quiet. */
    boolean awaitQuiet(Duration quiet, Duration limit) throws Exception {
        long deadline = System.nanoTime() + limit.toNanos();
        long last = fileCount();
        long since = System.nanoTime();
        while (System.nanoTime() - deadline < 0) {
            Thread.sleep(100);
            long now = fileCount();
            if (now != last) {
                last = now;
                since = System.nanoTime();
            } else if (System.nanoTime() - since >= quiet.toNanos()) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void close() {
        Tools.stop(process);
    }
}

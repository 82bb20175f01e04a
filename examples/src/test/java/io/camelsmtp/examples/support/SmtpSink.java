package io.camelsmtp.examples.support;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
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
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Postfix's smtp-sink as a receiving MTA: the smart host or next hop of the example tests, the mail exchangers of the
 * MX test, the receiver of the crash test. It dumps every message it accepts into a file of its own under
 * {@code DIR/sink-dump} ({@code -d DIR/sink-dump/m.}: smtp-sink appends a random suffix and creates the file with
 * O_EXCL, so no dump overwrites another; a transaction the client abandons before the final dot leaves no file), the
 * envelope first ({@code X-Mail-Args}, {@code X-Rcpt-Args}, {@code X-Helo-Args} lines), then the message; its own
 * output goes to {@code DIR/sink.log}.
 * <p>
 * A message is found by the queue id in the {@code Received:} header our smtp-server prepended
 * ({@code by mx.test (camel-smtp) with ESMTP id 6611B5...}): the id the client got in its
 * {@code 250 2.0.0 Ok: queued as 6611B5...}.
 * <p>
 * smtp-sink runs under timeout(1), so that it cannot outlive a killed test JVM by more than 15 minutes. Tests check
 * {@link Peers#smtpSink()} first and skip when it is not installed.
 */
public final class SmtpSink implements AutoCloseable {

    private static final Pattern OUR_RECEIVED = Pattern.compile("\\(camel-smtp\\) with \\S+ id ([0-9A-Za-z]+)");
    /** Longer than any test; only a sink whose test JVM was killed ever reaches it. */
    private static final String LIFETIME_SECONDS = "900";
    /** smtp-sink's listen backlog: the crash test's 20 sessions plus the relay's connections, with room to spare. */
    private static final String BACKLOG = "256";

    private final Process process;
    private final Path dumps;
    private final int port;
    private final Map<Path, String> identified = new HashMap<>();

    private SmtpSink(Process process, Path dumps, int port) {
        this.process = process;
        this.dumps = dumps;
        this.port = port;
    }

    /** Starts smtp-sink on 127.0.0.1 and a free port, dumps and log under {@code dir}. */
    public static SmtpSink start(Path dir) throws Exception {
        return start(dir, "127.0.0.1", Peers.freePort());
    }

    /** Starts smtp-sink on 127.0.0.1 and {@code port} (one the app was told about before the sink came up). */
    public static SmtpSink start(Path dir, int port) throws Exception {
        return start(dir, "127.0.0.1", port);
    }

    /**
     * Starts smtp-sink on {@code host:port} with further smtp-sink {@code options} (such as {@code -f RCPT -B "550
     * 5.1.1 No such user here"}, a mail exchanger refusing every recipient), dumps and log under {@code dir}, and
     * returns once it accepts connections.
     */
    public static SmtpSink start(Path dir, String host, int port, String... options) throws Exception {
        String smtpSink = Peers.smtpSink();
        if (smtpSink == null) {
            throw new IllegalStateException("smtp-sink (Debian package postfix) is not installed: check Peers.smtpSink()"
                                            + " first and skip");
        }
        Path dumps = Files.createDirectories(dir.resolve("sink-dump"));
        Path log = dir.resolve("sink.log");
        List<String> cmd = new ArrayList<>(List.of("timeout", LIFETIME_SECONDS, smtpSink));
        if (runningAsRoot()) {
            cmd.addAll(List.of("-u", "root")); // smtp-sink refuses to run as root without -u
        }
        cmd.addAll(List.of(options));
        cmd.addAll(List.of("-d", dumps + "/m.", host + ":" + port, BACKLOG));
        Process process = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline && process.isAlive()) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(host, port), 500);
                return new SmtpSink(process, dumps, port);
            } catch (IOException notYet) {
                Thread.sleep(50);
            }
        }
        Peers.stop(process);
        throw new AssertionError("smtp-sink did not start on " + host + ":" + port + ": " + Files.readString(log));
    }

    private static boolean runningAsRoot() {
        try {
            return ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0;
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return "root".equals(System.getProperty("user.name"));
        }
    }

    public int port() {
        return port;
    }

    /** The messages received so far, one file each, in name order. */
    public List<Path> dumped() throws IOException {
        try (Stream<Path> files = Files.list(dumps)) {
            return files.filter(Files::isRegularFile).sorted().toList();
        }
    }

    /** Waits up to {@code seconds} for a message carrying this queue id and returns it. */
    public String awaitDump(String queueId, int seconds) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            for (Path f : dumped()) {
                String text;
                try {
                    text = Files.readString(f, StandardCharsets.ISO_8859_1);
                } catch (NoSuchFileException gone) {
                    continue; // an abandoned transaction, removed by smtp-sink
                }
                if (text.contains(" id " + queueId)) {
                    return text;
                }
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no message with id " + queueId + " arrived at smtp-sink; dumps: " + dumped());
    }

    /**
     * Reads the dump files not yet identified and returns how often each queue id was received. A file still being
     * written may not show its id yet; it is read again at the next call.
     */
    public synchronized Map<String, Integer> received() throws IOException {
        for (Path f : dumped()) {
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
        Map<String, Integer> counts = new TreeMap<>();
        identified.values().forEach(id -> counts.merge(id, 1, Integer::sum));
        return counts;
    }

    /** Dump files in which no queue id of ours was found (after {@link #received()}). */
    public synchronized List<Path> unidentified() throws IOException {
        return dumped().stream().filter(f -> !identified.containsKey(f)).toList();
    }

    /** The dump file(s) of one queue id (after {@link #received()}), for a report. */
    public synchronized List<Path> filesOf(String id) {
        return identified.entrySet().stream().filter(e -> e.getValue().equals(id)).map(Map.Entry::getKey).sorted()
                .toList();
    }

    public long fileCount() throws IOException {
        return dumped().size();
    }

    /** Waits until no new dump file appeared for {@code quiet}, at most {@code limit}; returns whether it got quiet. */
    public boolean awaitQuiet(Duration quiet, Duration limit) throws Exception {
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
        Peers.stop(process);
    }
}

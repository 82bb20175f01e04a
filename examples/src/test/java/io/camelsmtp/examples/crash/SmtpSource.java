package io.camelsmtp.examples.crash;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.camelsmtp.examples.support.Peers;

/**
 * One run of Postfix's {@code smtp-source} load generator, with {@code -v} so that it prints every reply it reads
 * ({@code smtp-source: <<< 250 2.0.0 Ok: queued as 6611B5...}). Those lines are the exact set of messages that got
 * their {@code 250}: smtp-source is one process with an event loop, so each line is written whole; it prints a reply
 * as soon as it has read it; and its stderr goes straight to a file (no pipe, nothing buffered in this JVM). The file
 * is parsed incrementally while smtp-source runs, so the test can watch the count grow.
 */
final class SmtpSource implements AutoCloseable {

    static final Pattern ACK = Pattern.compile("<<< 250 \\S+ Ok: queued as ([0-9A-Za-z]+)\\s*$");

    private final Path log;
    private final List<String> command;
    private final Set<String> acked = new LinkedHashSet<>();
    private final List<String> ackLines = new ArrayList<>();
    private final List<String> complaints = new ArrayList<>();
    private final StringBuilder partial = new StringBuilder();
    private long offset;
    private int duplicateAcks;
    private Process process;

    /**
     * {@code smtp-source -v -s sessions -m messages [-l length] -M source.test -f sender -t recipient 127.0.0.1:port}:
     * a new connection per message, HELO source.test, smtp-source's own message (four short lines, or {@code length}
     * octets of payload when {@code length > 0}).
     */
    SmtpSource(Path smtpSource, Path timeout, Path log, int port, int sessions, int messages, int length) {
        this.log = log;
        List<String> cmd = new ArrayList<>(List.of(timeout.toString(), "300", smtpSource.toString(), "-v", "-s",
                String.valueOf(sessions), "-m", String.valueOf(messages)));
        if (length > 0) {
            cmd.addAll(List.of("-l", String.valueOf(length)));
        }
        cmd.addAll(List.of("-M", "source.test", "-f", "sender@source.test", "-t", "rcpt@sink.test", "127.0.0.1:" + port));
        this.command = List.copyOf(cmd);
    }

    SmtpSource start() throws IOException {
        process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        return this;
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** Waits for smtp-source to exit (killing it after {@code limit}); returns its exit value, -1 when killed. */
    int await(Duration limit) throws InterruptedException {
        boolean done = process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS);
        if (!done) {
            Peers.stop(process);
        }
        poll();
        return done ? process.exitValue() : -1;
    }

    /** Reads what smtp-source printed since the last call; returns how many messages got a 250 so far. */
    synchronized int poll() {
        if (!Files.exists(log)) {
            return 0;
        }
        try (SeekableByteChannel ch = Files.newByteChannel(log)) {
            ch.position(offset);
            ByteBuffer buf = ByteBuffer.allocate(256 * 1024);
            int n;
            while ((n = ch.read(buf)) > 0) {
                offset += n;
                partial.append(new String(buf.array(), 0, n, StandardCharsets.ISO_8859_1));
                buf.clear();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        int nl;
        while ((nl = partial.indexOf("\n")) >= 0) {
            line(partial.substring(0, nl));
            partial.delete(0, nl + 1);
        }
        return acked.size();
    }

    private void line(String line) {
        Matcher m = ACK.matcher(line);
        if (m.find()) {
            if (!acked.add(m.group(1))) {
                duplicateAcks++;
            }
            ackLines.add(line);
        } else if (line.contains("fatal") || line.contains("warning") || line.contains("error")
                   || line.matches(".*<<< [45]\\d\\d .*")) {
            complaints.add(line);
        }
    }

    /** Queue ids of the messages that got a 250, in the order of the replies. */
    synchronized Set<String> acked() {
        return acked;
    }

    /** The same id acknowledged twice: would mean the server handed out an id twice. */
    synchronized int duplicateAcks() {
        return duplicateAcks;
    }

    /** fatal/warning lines and 4xx/5xx replies smtp-source printed. */
    synchronized List<String> complaints() {
        return complaints;
    }

    /** A line left without its newline at the end of the log (smtp-source stopped in mid-write), or "". */
    synchronized String unfinishedLine() {
        return partial.toString();
    }

    Path log() {
        return log;
    }

    String commandLine() {
        return String.join(" ", command);
    }

    @Override
    public void close() {
        Peers.stop(process);
    }
}

package io.camelsmtp.smtp.relay.testbed;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A real receiver for tests that look at the relay's connections from the other side: aiosmtpd ({@code peer_log.py})
 * on an address and port of the test's choosing, logging per message the peer's address and port and when the
 * connection was made (a monotonic clock). Skips the test (an assumption, with a message) without /usr/bin/python3 or
 * aiosmtpd. Needs no root when the port is above 1023.
 */
public final class LoggingPeer implements AutoCloseable {

    /** One accepted message: who sent it, over which connection, when that connection was made (seconds). */
    public record Line(String address, int port, double connectedAt, double dataAt, String recipients) {

        /** The connection: address and port of the peer. */
        public String connection() {
            return address + ":" + port;
        }
    }

    private final Process process;
    private final Path log;

    private LoggingPeer(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    /** Starts the receiver on {@code address:port}, its log and output under {@code dir}; waits until it listens. */
    public static LoggingPeer start(String address, int port, Path dir) throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/python3")), "SKIPPED: /usr/bin/python3 is not installed");
        assumeTrue(Testbed.python3Has("aiosmtpd"), "SKIPPED: aiosmtpd is not installed (Debian package python3-aiosmtpd)");
        Testbed.ensureFree(address, port);
        Path log = dir.resolve("peer-" + address + "-" + port + ".log");
        Process p = new ProcessBuilder("timeout", "300", "/usr/bin/python3",
                Testbed.resourceDirectory().resolve("peer_log.py").toString(), address, Integer.toString(port),
                log.toString()).redirectErrorStream(true).redirectOutput(dir.resolve("peer-" + port + ".out").toFile())
                .start();
        try {
            Testbed.waitListening(address, port, p);
        } catch (Exception | Error e) {
            p.destroy();
            throw e;
        }
        return new LoggingPeer(p, log);
    }

    /** The messages logged so far, in the order they were accepted. */
    public List<Line> lines() throws IOException {
        List<Line> out = new ArrayList<>();
        for (String l : Files.readAllLines(log, StandardCharsets.UTF_8)) {
            String[] f = l.split(" ", 5);
            if (f.length == 5) {
                out.add(new Line(f[0], Integer.parseInt(f[1]), Double.parseDouble(f[2]), Double.parseDouble(f[3]), f[4]));
            }
        }
        return out;
    }

    /** Waits up to 10 s for {@code count} messages to be logged and returns them. */
    public List<Line> awaitLines(int count) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        List<Line> got = lines();
        while (got.size() < count && System.nanoTime() < end) {
            Thread.sleep(20);
            got = lines();
        }
        return got;
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}

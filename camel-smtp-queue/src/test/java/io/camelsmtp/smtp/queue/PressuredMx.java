package io.camelsmtp.smtp.queue;

import java.io.File;
import java.io.IOException;
import java.net.Socket;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.apache.camel.test.AvailablePortFinder;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A receiving MX that behaves like a large provider under pressure: aiosmtpd running
 * {@code shaping/pressured_mx.py} (throttles after K messages, answers slowly, or accepts), logging every session,
 * refusal and accepted message with its time, so tests measure rates and suspensions on the receiver's side.
 */
final class PressuredMx implements AutoCloseable {

    private static final String PYTHON = "/usr/bin/python3";

    /** One line of the receiver's log. */
    record Event(long wallMillis, long monoNanos, String type, String peer, String what) {
    }

    final int port = AvailablePortFinder.getNextAvailable();
    private final Path log;
    private final Process process;

    private PressuredMx(Path dir, String name, String... mode) throws Exception {
        this.log = dir.resolve(name + ".log");
        List<String> cmd = new ArrayList<>(List.of(PYTHON, script(), String.valueOf(port), log.toString()));
        cmd.addAll(List.of(mode));
        process = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve(name + ".out").toFile()).start();
        long end = System.currentTimeMillis() + 15_000;
        while (true) {
            try (Socket s = new Socket("127.0.0.1", port)) {
                return;
            } catch (IOException e) {
                if (!process.isAlive()) {
                    String out = Files.readString(dir.resolve(name + ".out"));
                    assumeTrue(!out.contains("No module named"), "aiosmtpd is not installed: " + out);
                    fail("pressured_mx.py exited: " + out);
                }
                if (System.currentTimeMillis() > end) {
                    fail("pressured_mx.py did not listen on " + port);
                }
                Thread.sleep(50);
            }
        }
    }

    /** Starts one; skips the test loudly when Python's aiosmtpd is missing. */
    static PressuredMx start(Path dir, String name, String... mode) throws Exception {
        if (!new File(PYTHON).canExecute()) {
            System.err.println("*** SKIPPED: /usr/bin/python3 with aiosmtpd is needed (apt-get install python3-aiosmtpd)");
            assumeTrue(false, "/usr/bin/python3 with aiosmtpd is needed (apt-get install python3-aiosmtpd)");
        }
        return new PressuredMx(dir, name, mode);
    }

    private static String script() throws URISyntaxException {
        return Path.of(PressuredMx.class.getResource("/shaping/pressured_mx.py").toURI()).toString();
    }

    List<Event> events() throws IOException {
        List<Event> out = new ArrayList<>();
        if (!Files.exists(log)) {
            return out;
        }
        for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
            String[] p = line.split(" ", 5);
            if (p.length == 5) {
                out.add(new Event(Long.parseLong(p[0]), Long.parseLong(p[1]), p[2], p[3], p[4]));
            }
        }
        return out;
    }

    List<Event> events(String type) throws IOException {
        return events().stream().filter(e -> e.type().equals(type)).toList();
    }

    /** Accepted recipients, one per delivered copy (a duplicate shows twice). */
    List<String> accepted() throws IOException {
        return events("accept").stream().map(e -> e.what().split(" ")[0]).toList();
    }

    @Override
    public void close() {
        process.destroy();
    }
}

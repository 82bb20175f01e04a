package io.camelsmtp.smtp.relay;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.camelsmtp.smtp.relay.support.ScriptedPeer;
import io.camelsmtp.smtp.relay.support.SmallHeapRelay;
import org.apache.camel.test.AvailablePortFinder;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The relay in a JVM with a 64 MB heap ({@link SmallHeapRelay}) against a next hop whose EHLO reply never ends and
 * Postfix's smtp-sink as a healthy one, alternately, 20 times each: every hostile attempt is deferred with the reason,
 * every healthy one delivered, and nothing runs out of memory.
 */
class RelaySmallHeapTest {

    private static final int ROUNDS = 20;

    @Test
    void endlessRepliesNeitherExhaustTheHeapNorStopOtherMail() throws Exception {
        Path sink = smtpSink();
        assumeTrue(sink != null, "smtp-sink not installed: apt-get install postfix (debconf: No configuration)");
        Path work = Files.createDirectories(Path.of("target", "small-heap"));
        int sinkPort = AvailablePortFinder.getNextAvailable();
        Process sinkProcess = new ProcessBuilder("timeout", "120", sink.toString(), "-u", System.getProperty("user.name"),
                "127.0.0.1:" + sinkPort, "20").redirectErrorStream(true)
                .redirectOutput(work.resolve("smtp-sink.log").toFile()).start();
        try (ScriptedPeer hostile = ScriptedPeer.start(s -> {
            s.send("220 hostile.test ESMTP\r\n");
            s.readLine();
            byte[] lines = ("250-" + "X".repeat(70) + "\r\n").repeat(1000).getBytes(StandardCharsets.US_ASCII);
            while (s.alive()) {
                s.send(lines);
            }
        })) {
            waitListening(sinkPort, sinkProcess);
            Path log = work.resolve("relay.log");
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            Process relay = new ProcessBuilder(java, "-Xmx64m", "-cp", System.getProperty("java.class.path"),
                    SmallHeapRelay.class.getName(), String.valueOf(hostile.port()), String.valueOf(sinkPort),
                    String.valueOf(ROUNDS)).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            if (!relay.waitFor(90, TimeUnit.SECONDS)) {
                relay.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                fail("the relay JVM did not finish within 90 s:\n" + tail(log));
            }
            String out = Files.readString(log);
            assertEquals(0, relay.exitValue(), out);
            assertFalse(out.contains("OutOfMemoryError"), out);
            List<String> hostileLines = new ArrayList<>();
            List<String> healthyLines = new ArrayList<>();
            for (String line : out.split("\n")) {
                if (line.startsWith("hostile ")) {
                    hostileLines.add(line);
                } else if (line.startsWith("healthy ")) {
                    healthyLines.add(line);
                }
            }
            assertEquals(ROUNDS, hostileLines.size(), out);
            assertEquals(ROUNDS, healthyLines.size(), out);
            for (String line : hostileLines) {
                assertTrue(line.startsWith("hostile DEFERRED 451 4.4.2 ") && line.contains("more than 100 lines"), line);
            }
            for (String line : healthyLines) {
                assertTrue(line.startsWith("healthy DELIVERED 250"), line);
            }
            assertTrue(out.contains("DONE max heap"), out);
        } finally {
            sinkProcess.destroy();
            if (!sinkProcess.waitFor(5, TimeUnit.SECONDS)) {
                sinkProcess.destroyForcibly();
            }
        }
    }

    private static Path smtpSink() {
        List<String> dirs = new ArrayList<>(List.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)));
        dirs.add("/usr/sbin");
        for (String d : dirs) {
            Path p = Path.of(d.isEmpty() ? "." : d, "smtp-sink");
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }

    private static void waitListening(int port, Process p) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            try (java.net.Socket s = new java.net.Socket()) {
                s.connect(new java.net.InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (java.io.IOException e) {
                if (!p.isAlive() || System.nanoTime() > end) {
                    fail("smtp-sink not listening on 127.0.0.1:" + port + (p.isAlive() ? "" : ", exited " + p.exitValue()));
                }
                Thread.sleep(20);
            }
        }
    }

    private static String tail(Path log) throws java.io.IOException {
        String s = Files.exists(log) ? Files.readString(log) : "";
        return s.length() > 4000 ? s.substring(s.length() - 4000) : s;
    }
}

package io.camelsmtp.smtp.queue.crash;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import io.camelsmtp.smtp.queue.spool.BacklogWriter;
import org.apache.camel.test.AvailablePortFinder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * SIGKILL while the queue reads its backlog in the background. A spool holds {@code N} deferred messages (written with
 * the queue's own classes, {@link BacklogWriter}, all due now); the queue starts on it in a JVM of its own
 * ({@link BacklogQueueProcess}) and delivers through smtp-relay to Postfix's smtp-sink, which dumps every message it
 * receives. While the backlog is being read, Python's smtplib sends new mail (the replies' {@code queued as} ids are
 * recorded); once about a quarter of the backlog is read the JVM is killed with SIGKILL, started again on the same
 * spool, sent more new mail while it reads, and left to deliver everything.
 * <p>
 * Counted at smtp-sink by the queue id in each message's {@code Received:} header: every message (backlog and new)
 * arrives; one arrives twice only when its delivery was in flight at the kill (at most the queue's 20 workers: the
 * receiver had it, the spool did not yet say so), never three times. Skipped, naming the package, without smtp-sink
 * or python3.
 */
class BacklogRecoveryCrashTest {

    private static final int BACKLOG = Integer.getInteger("backlog.crash.messages", 30_000);
    private static final int NEW_PER_RUN = 30;
    /** smtp-queue's default concurrency: delivery attempts that can be in flight when the JVM dies. */
    private static final int DELIVERY_WORKERS = 20;
    private static final Pattern RECEIVED = Pattern.compile("\\(camel-smtp\\) with \\S+ id ([0-9A-Za-z]+)");
    private static final Pattern STATUS = Pattern.compile("STATUS (true|false) (\\d+) (\\d+).*");

    @TempDir
    Path work;

    private Process child;
    private Process sink;
    private final List<String> childOut = new CopyOnWriteArrayList<>();
    private volatile String lastStatus = "";

    @AfterEach
    void stop() throws Exception {
        for (Process p : new Process[] { child, sink }) {
            if (p != null && p.isAlive()) {
                p.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    @Timeout(value = 8, unit = TimeUnit.MINUTES)
    void killMinus9WhileTheBacklogIsReadLosesNothingAndDeliversOnce() throws Exception {
        assumeTrue(System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux"),
                "SKIPPED: the crash test needs Linux (SIGKILL via Process.destroyForcibly)");
        Path smtpSink = Stream.of("/usr/sbin/smtp-sink", "/usr/bin/smtp-sink").map(Path::of).filter(Files::isExecutable)
                .findFirst().orElse(null);
        assumeTrue(smtpSink != null, "SKIPPED: smtp-sink is the receiving MTA (Debian package postfix)");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/python3")), "SKIPPED: python3's smtplib sends the new mail "
                                                                    + "(Debian package python3)");
        Path spool = work.resolve("spool");
        long t0 = System.nanoTime();
        Set<String> expected = new LinkedHashSet<>(BacklogWriter.write(spool, BACKLOG, 4096, 0, "sink.test"));
        System.out.printf("[backlog-crash] %d deferred messages written in %d ms%n", BACKLOG,
                (System.nanoTime() - t0) / 1_000_000);
        int port = AvailablePortFinder.getNextAvailable();
        int sinkPort = AvailablePortFinder.getNextAvailable();
        Path dumps = Files.createDirectories(work.resolve("dumps"));
        startSink(smtpSink, sinkPort, dumps);

        // run 1: killed once about a quarter of the backlog is read, new mail sent meanwhile
        startChild(spool, port, sinkPort);
        await("the queue JVM to start", 60, () -> childOut.contains("READY") && status(1) >= 0);
        assertTrue(status(1) == 1, "the queue is reading its backlog right after the start: " + lastStatus);
        expected.addAll(send(port, NEW_PER_RUN, "run1"));
        await("a quarter of the backlog read", 120, () -> status(2) >= BACKLOG / 4 || status(1) == 0);
        String atKill = lastStatus;
        long dumpsAtKill = count(dumps);
        child.destroyForcibly(); // SIGKILL on Linux
        assertTrue(child.waitFor(30, TimeUnit.SECONDS), "the killed JVM is gone");
        assertEquals(137, child.exitValue(), "exit value of a JVM killed by SIGKILL is 128 + 9");
        System.out.printf("[backlog-crash] killed at %s (recovering, read, size); %d dumps at the sink%n", atKill,
                dumpsAtKill);
        assertTrue(atKill.startsWith("STATUS true"), "the kill came while the backlog was read: " + atKill);

        // run 2: reads the rest (and what run 1 left of its own), more new mail meanwhile, delivers everything
        childOut.clear();
        lastStatus = "";
        startChild(spool, port, sinkPort);
        await("the queue JVM to start again", 60, () -> childOut.contains("READY"));
        expected.addAll(send(port, NEW_PER_RUN, "run2"));
        await("every message at smtp-sink", 300, () -> received(dumps).keySet().containsAll(expected));
        awaitQuiet(dumps);
        Map<String, Integer> got = received(dumps);

        List<String> lost = expected.stream().filter(id -> !got.containsKey(id)).toList();
        Map<String, Integer> twice = new TreeMap<>();
        got.forEach((id, n) -> {
            if (n > 1) {
                twice.put(id, n);
            }
        });
        List<String> unknown = got.keySet().stream().filter(id -> !expected.contains(id)).toList();
        System.out.printf("[backlog-crash] RESULT backlog=%d new=%d expected=%d arrived=%d distinct, %d dumps; lost=%d "
                          + "duplicates=%d unknown=%d; %d s%n", BACKLOG, 2 * NEW_PER_RUN, expected.size(), got.size(),
                count(dumps), lost.size(), twice.size(), unknown.size(), (System.nanoTime() - t0) / 1_000_000_000);
        assertEquals(List.of(), lost, "messages lost");
        assertEquals(List.of(), unknown, "messages nobody sent");
        assertTrue(twice.size() <= DELIVERY_WORKERS, twice.size() + " duplicates, more than the " + DELIVERY_WORKERS
                                                     + " deliveries that can be in flight at the kill: " + twice);
        assertTrue(twice.values().stream().allMatch(n -> n == 2), "a message arrived three times or more: " + twice);
        await("the queue to be empty", 30, () -> status(3) == 0 && status(1) == 0);
        try (Stream<Path> left = Files.list(spool.resolve("deferred"))) {
            assertEquals(List.of(), left.toList(), "deferred/ is empty once everything is delivered");
        }
        try (Stream<Path> corrupt = Files.list(spool.resolve("corrupt"))) {
            assertEquals(List.of(), corrupt.toList(), "a crash is not damage");
        }
    }

    /** The queue JVMs' log lines (target/camel-test.log under their working directory) naming a message still queued. */
    private String logLines() {
        Path log = work.resolve("target/camel-test.log");
        Matcher m = Pattern.compile(" (\\w+):\\w+:").matcher(lastStatus);
        List<String> ids = new ArrayList<>();
        while (m.find()) {
            ids.add(m.group(1));
        }
        try (Stream<String> lines = Files.lines(log, StandardCharsets.ISO_8859_1)) {
            return "\n" + String.join("\n", lines.filter(l -> l.contains(" ERROR ") || ids.stream().anyMatch(l::contains))
                    .limit(60).toList());
        } catch (IOException | java.io.UncheckedIOException e) {
            return "(" + log + ": " + e + ")";
        }
    }

    /** Field {@code i} of the last STATUS line (1: recovering as 1/0, 2: read so far, 3: queue size); -1 before one. */
    private long status(int i) {
        Matcher m = STATUS.matcher(lastStatus);
        if (!m.matches()) {
            return -1;
        }
        return i == 1 ? ("true".equals(m.group(1)) ? 1 : 0) : Long.parseLong(m.group(i));
    }

    private void startSink(Path smtpSink, int port, Path dumps) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("timeout", "900", smtpSink.toString()));
        if ("root".equals(System.getProperty("user.name"))) {
            cmd.addAll(List.of("-u", "root"));
        }
        cmd.addAll(List.of("-d", dumps + "/m.", "127.0.0.1:" + port, "256"));
        sink = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(work.resolve("sink.log").toFile()).start();
        await("smtp-sink to listen", 20, () -> {
            try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
                return true;
            } catch (IOException notYet) {
                return false;
            }
        });
    }

    private void startChild(Path spool, int port, int sinkPort) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-Djava.io.tmpdir=" + work, "-cp", System.getProperty("java.class.path"),
                BacklogQueueProcess.class.getName(), spool.toString(), String.valueOf(port), String.valueOf(sinkPort)));
        child = new ProcessBuilder(cmd).directory(work.toFile()).redirectErrorStream(true).start();
        Process p = child;
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    if (line.startsWith("STATUS ")) {
                        lastStatus = line;
                    } else if (childOut.size() < 10_000) {
                        childOut.add(line);
                    }
                }
            } catch (IOException e) {
                // the process died: what it said is in childOut
            }
        }, "queue-jvm-output");
        reader.setDaemon(true);
        reader.start();
    }

    /** Python's smtplib sends {@code n} messages over one session; returns the ids of the {@code queued as} replies. */
    private List<String> send(int port, int n, String tag) throws Exception {
        String script = String.join("\n",
                "import smtplib, sys",
                "s = smtplib.SMTP('127.0.0.1', int(sys.argv[1]), timeout=30)",
                "s.ehlo('client.test')",
                "for i in range(int(sys.argv[2])):",
                "    s.mail('new@client.test')",
                "    s.rcpt('new%d@sink.test' % i)",
                "    code, reply = s.data('Subject: %s %d\\r\\n\\r\\nnew mail during recovery\\r\\n' % (sys.argv[3], i))",
                "    print('ACK', code, reply.decode())",
                "s.quit()");
        Process p = new ProcessBuilder("/usr/bin/python3", "-c", script, String.valueOf(port), String.valueOf(n), tag)
                .redirectErrorStream(true).start();
        boolean done = p.waitFor(60, TimeUnit.SECONDS);
        String out = new String(p.getInputStream().readNBytes(1 << 20), StandardCharsets.UTF_8);
        if (!done) {
            p.destroyForcibly();
            fail("smtplib did not finish in 60 s: " + out);
        }
        List<String> ids = new ArrayList<>();
        Matcher m = Pattern.compile("ACK 250 .*queued as (\\S+)").matcher(out);
        while (m.find()) {
            ids.add(m.group(1));
        }
        assertEquals(n, ids.size(), "every new message acknowledged with its queue id: " + out);
        System.out.printf("[backlog-crash] %s: %d new messages acknowledged while the queue said %s%n", tag, n,
                lastStatus);
        return ids;
    }

    /** Queue id -> how many dumps carry it. */
    private static Map<String, Integer> received(Path dumps) {
        Map<String, Integer> ids = new HashMap<>();
        try (Stream<Path> files = Files.list(dumps)) {
            for (Path f : files.toList()) {
                byte[] head;
                try (var in = Files.newInputStream(f)) {
                    head = in.readNBytes(2048);
                } catch (IOException vanished) {
                    continue;
                }
                Matcher m = RECEIVED.matcher(new String(head, StandardCharsets.ISO_8859_1));
                ids.merge(m.find() ? m.group(1) : "unidentified:" + f.getFileName(), 1, Integer::sum);
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return ids;
    }

    private static long count(Path dumps) throws IOException {
        try (Stream<Path> files = Files.list(dumps)) {
            return files.count();
        }
    }

    /** Waits (at most 60 s) until no dump has arrived for 3 s: late duplicates would be counted. */
    private static void awaitQuiet(Path dumps) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        long last = count(dumps);
        long quietSince = System.nanoTime();
        while (System.nanoTime() < end) {
            Thread.sleep(250);
            long now = count(dumps);
            if (now != last) {
                last = now;
                quietSince = System.nanoTime();
            } else if (System.nanoTime() - quietSince > TimeUnit.SECONDS.toNanos(3)) {
                return;
            }
        }
    }

    private void await(String what, int seconds, BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                fail("timed out waiting for: " + what + "; last " + lastStatus + "; the queue JVM said: "
                     + childOut.subList(Math.max(0, childOut.size() - 30), childOut.size()) + "; its log: "
                     + logLines());
            }
            Thread.sleep(20);
        }
    }
}

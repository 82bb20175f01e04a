package io.camelsmtp.examples.crash;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.camelsmtp.examples.support.SmtpSink;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Crash tests of the runnable app as an MTA ({@code src/test/resources/crash/mta.camel.yaml}: smtp-server ->
 * smtp-queue -> smtp-relay to a smart host), run in its own JVM ({@link MailRouterProcess}) between Postfix's
 * smtp-source (the senders) and smtp-sink (the receiving MTA, dumping every message to a file).
 * <p>
 * <b>How the acknowledged messages are known exactly.</b> Our {@code 250} after DATA is
 * {@code 250 2.0.0 Ok: queued as <id>}, and the same id is in the {@code Received:} header our server prepends
 * ({@code ... (camel-smtp) with SMTP id <id>}), which travels with the message to smtp-sink's dump. smtp-source
 * {@code -v} prints every reply it reads, so the ids in its {@code queued as} lines are exactly the messages that got a
 * 250 ({@link SmtpSource}); the ids in the dumps are what arrived ({@link SmtpSink}). Lost = acknowledged minus
 * arrived; duplicates = ids that arrived more than once. Bounds: a duplicate needs a delivery in flight at the crash
 * (at most the queue's 20 workers, each message at most twice, and never one whose delivery the crashed run had
 * logged, since that line comes after the state line is written); a message delivered without a 250 needs a session
 * inside DATA at the crash (at most the 20 sessions). Every ERROR in the app logs fails a test (the route's error
 * handler does not log: the queue logs each deferred attempt itself, at INFO), and so does anything in the spool's
 * corrupt/ after a crash: a crash is not damage. The recovery's WARN that it cut off a record the crash left
 * incomplete is expected now and then, and counted in the result line.
 * <p>
 * Everything a run leaves (app logs, smtp-source logs, the spool as the crash left it, the dumps, {@code report.txt})
 * stays under {@code target/crash/<test>/}; every run also appends a summary line to {@code target/crash/runs.txt}.
 * {@code -Dcrash.killAt=N} fixes the crash point (default: a random count in the test's range of acknowledged
 * messages, printed in the report; a test with no more than N messages is skipped). Skipped, naming the program,
 * without smtp-source, smtp-sink (Debian package postfix) or timeout.
 */
class CrashRecoveryTest {

    private static final int MESSAGES = 5000;
    private static final int SESSIONS = 20;
    /** smtp-queue's default concurrency: delivery attempts that can be in flight when the app dies. */
    private static final int DELIVERY_WORKERS = 20;
    private static final Duration STARTUP = Duration.ofSeconds(60);
    private static final Pattern DEFERRED = Pattern.compile("smtp-queue:crash (\\S+): to=<[^>]*> deferred");
    /** Logged after the delivered state line is written to the spool (DeliveryScheduler.finishJob). */
    private static final Pattern DELIVERED = Pattern.compile("smtp-queue:crash (\\S+): to=<[^>]*> delivered");
    /** The queue deferring a message again, on its first retry. */
    private static final Pattern RETRIED = Pattern.compile("smtp-queue:crash (\\S+): to=<[^>]*> deferred \\(attempt 2,");
    /** The spool's recovery cutting off the record that was being appended when the process died (a WARN). */
    private static final Pattern CUT_OFF = Pattern.compile(
            "Segment (\\S+): the record at offset (\\d+) is incomplete");

    private Path smtpSource;
    private Path timeout;
    private final List<AutoCloseable> running = new ArrayList<>();
    private final StringBuilder report = new StringBuilder();
    private Path work;

    @BeforeEach
    void requireTools() {
        Assumptions.assumeTrue(System.getProperty("os.name", "").toLowerCase().contains("linux"),
                "the crash test needs Linux (SIGKILL via Process.destroyForcibly, /proc)");
        timeout = Tools.require("timeout", "coreutils");
        smtpSource = Tools.require("smtp-source", "postfix");
        Tools.require("smtp-sink", "postfix"); // SmtpSink starts it
    }

    @AfterEach
    void stopEverything() throws Exception {
        for (int i = running.size() - 1; i >= 0; i--) {
            running.get(i).close();
        }
        running.clear();
        if (work != null && report.length() > 0) {
            Files.writeString(work.resolve("report.txt"), report, StandardCharsets.UTF_8);
        }
    }

    /**
     * The issue's crash test: 5,000 messages from smtp-source over 20 sessions, SIGKILL of the app in the middle,
     * a restart on the same spool (and the rest of the 5,000 sent to the restarted app), then every acknowledged
     * message must arrive at smtp-sink; duplicates are possible only for deliveries in flight at the crash.
     */
    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void killMinus9UnderLoadLosesNoAcknowledgedMessage() throws Exception {
        crashUnderLoad("kill9", MESSAGES, 0, 1500, 2500);
    }

    /**
     * The same with 2,000 messages of 60,000 octets, the crash after 600 to 1,000: the app is then more often killed
     * while it appends a message to the spool segment.
     */
    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void killMinus9WithLargeMessagesLosesNoAcknowledgedMessage() throws Exception {
        crashUnderLoad("kill9-large", 2000, 60_000, 600, 1000);
    }

    /**
     * smtp-source sends {@code messages} ({@code length} octets each, 0 = its small default) over 20 sessions; once
     * between {@code killFrom} and {@code killTo} (random; {@code -Dcrash.killAt} fixes it) got their 250, the app is
     * killed with SIGKILL and started again on the same spool, and the rest are sent to it.
     */
    private void crashUnderLoad(String name, int messages, int length, int killFrom, int killTo) throws Exception {
        int killAt = Integer.getInteger("crash.killAt", killFrom + ThreadLocalRandom.current().nextInt(killTo - killFrom + 1));
        Assumptions.assumeTrue(killAt < messages, "-Dcrash.killAt=" + killAt + " is not below the " + messages
                + " messages of this test: no crash to test");
        work = workDir(name);
        long t0 = System.nanoTime();
        int appPort = Tools.freePort();
        int sinkPort = Tools.freePort();
        Path spool = work.resolve("spool");
        SmtpSink sink = track(SmtpSink.start(work, sinkPort));
        MailRouterProcess app = track(new MailRouterProcess(work, routes(), properties(appPort, spool, sinkPort)));
        app.start(STARTUP);
        say("app pid %d on 127.0.0.1:%d, spool %s, smtp-sink on 127.0.0.1:%d", app.pid(), appPort, spool, sinkPort);

        SmtpSource first = track(new SmtpSource(smtpSource, timeout, work.resolve("source-1.log"), appPort, SESSIONS,
                messages, length));
        first.start();
        say("smtp-source: %s", first.commandLine());
        boolean reached = Tools.await(Duration.ofSeconds(120), 2, () -> first.poll() >= killAt || !first.isAlive());
        int ackedAtKill = first.poll();
        assertTrue(reached && first.isAlive(), "smtp-source should still be sending when the app is killed at " + killAt
                + " acknowledged messages; it has " + ackedAtKill + ", alive=" + first.isAlive() + "\n"
                + Tools.tail(first.log(), 20));

        Instant killTime = Instant.now();
        int exit = app.kill9();
        long dyingMillis = Duration.between(killTime, Instant.now()).toMillis();
        long sinkFilesAtKill = sink.fileCount();
        assertEquals(137, exit, "exit value of a JVM killed by SIGKILL is 128 + 9");
        int sourceExit = first.await(Duration.ofSeconds(60));
        int acked1 = first.poll();
        Tools.copyTree(spool, work.resolve("spool-after-kill"));
        say("SIGKILL at %d acknowledged (target %d), the JVM was gone %d ms later; smtp-source saw %d acknowledged in "
            + "all, exit %d; %d dumps at the sink at the kill", ackedAtKill, killAt, dyingMillis, acked1, sourceExit,
                sinkFilesAtKill);
        say("smtp-source's complaints: %s", first.complaints());
        say("spool as the crash left it (copied to spool-after-kill/): %s", Tools.listing(spool));

        app.start(STARTUP);
        Matcher opened = app.awaitLog(MailRouterProcess.SPOOL_OPENED, Duration.ofSeconds(5));
        say("restart: %s", opened.group());

        int remaining = messages - acked1;
        SmtpSource second = track(new SmtpSource(smtpSource, timeout, work.resolve("source-2.log"), appPort, SESSIONS,
                remaining, length));
        second.start();
        int secondExit = second.await(Duration.ofSeconds(120));
        say("after the restart smtp-source sent the other %d: %d acknowledged, exit %d, complaints %s", remaining,
                second.acked().size(), secondExit, second.complaints());
        assertEquals(0, secondExit, "smtp-source against the restarted app\n" + Tools.tail(second.log(), 20));
        assertEquals(remaining, second.acked().size(), "acknowledged by the restarted app");

        Set<String> acked = new LinkedHashSet<>(first.acked());
        acked.addAll(second.acked());
        assertEquals(acked1 + remaining, acked.size(), "distinct queue ids acknowledged");
        assertEquals(0, first.duplicateAcks() + second.duplicateAcks(), "a queue id acknowledged twice");

        boolean allArrived = Tools.await(Duration.ofSeconds(120), 250, () -> {
            try {
                return sink.received().keySet().containsAll(acked);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        say("every acknowledged message at the sink: %s after %d ms", allArrived, (System.nanoTime() - t0) / 1_000_000);
        sink.awaitQuiet(Duration.ofSeconds(3), Duration.ofSeconds(60));

        // a clean stop and a third start: the queue must be empty, nothing left behind in the spool
        int stopExit = app.terminate(Duration.ofSeconds(90));
        app.start(STARTUP);
        Matcher reopened = app.awaitLog(MailRouterProcess.SPOOL_OPENED, Duration.ofSeconds(5));
        int leftOver = Integer.parseInt(reopened.group(3));
        if (leftOver > 0) {
            sink.awaitQuiet(Duration.ofSeconds(5), Duration.ofSeconds(60));
        }
        int finalExit = app.terminate(Duration.ofSeconds(90));
        say("SIGTERM exit %d; third start: %s; SIGTERM exit %d", stopExit, reopened.group(), finalExit);

        Map<String, Integer> received = sink.received();
        Outcome o = outcome(acked, received, sink, killTime);
        List<String> errors = reportWarnings(app);
        List<String> cutOff = cutOffRecords(app);
        List<String> corrupt = Tools.listing(spool.resolve("corrupt"));
        say("spool at the end: %s", Tools.listing(spool));
        long seconds = (System.nanoTime() - t0) / 1_000_000_000;
        say("RESULT %s: length=%d killAt=%d acked=%d (before kill %d, after restart %d) delivered=%d distinct, %d dumps; "
            + "lost=%d duplicates=%d delivered-without-250=%d unidentified-dumps=%d; incomplete records cut off=%d "
            + "ERROR events=%d corrupt/=%d; %d s", name, length, killAt, acked.size(), acked1, remaining, received.size(),
                sink.fileCount(), o.lost.size(), o.duplicates.size(), o.unacked.size(), o.unidentified.size(),
                cutOff.size(), errors.size(), corrupt.size(), seconds);
        summary(name, "length=%d killAt=%d acked=%d/%d+%d delivered=%d lost=%d dups=%d unacked-delivered=%d cut-off=%d "
                      + "errors=%d corrupt=%d %ds", length, killAt, acked.size(), acked1, remaining, received.size(),
                o.lost.size(), o.duplicates.size(), o.unacked.size(), cutOff.size(), errors.size(), corrupt.size(),
                seconds);

        assertTrue(o.lost.isEmpty(), o.lost.size() + " acknowledged message(s) lost: " + o.lost + " (see " + work
                                     + "/report.txt)");
        assertTrue(o.unidentified.isEmpty(), "dumps without our queue id: " + o.unidentified);
        assertTrue(o.duplicates.size() <= DELIVERY_WORKERS, o.duplicates.size() + " duplicates, more than the "
                + DELIVERY_WORKERS + " deliveries that can be in flight at the crash: " + o.duplicates.keySet());
        assertTrue(o.duplicates.values().stream().allMatch(n -> n == 2), "a message arrived 3 times or more: "
                                                                        + o.duplicates);
        assertTrue(o.unacked.size() <= SESSIONS, o.unacked.size() + " delivered messages never acknowledged, more than "
                + SESSIONS + " sessions could have had in DATA at the crash: " + o.unacked);
        assertTrue(o.recordedThenResent.isEmpty(), "delivered again after the restart although the crashed run had "
                + "already logged their delivery (so their state line was written): " + o.recordedThenResent);
        assertEquals(0, leftOver, "messages left in the spool after everything was delivered");
        assertTrue(errors.isEmpty(), "ERROR events in the app logs (see " + work + "/report.txt):\n"
                                     + String.join("\n", errors));
        assertTrue(corrupt.isEmpty(), "a crash is not damage, yet the spool's corrupt/ holds " + corrupt
                                      + " (the spool as the crash left it: " + work.resolve("spool-after-kill") + ")");
    }

    /**
     * What a SIGKILL in the middle of an append leaves at the end of the active segment is not damage.
     * {@code Segment.append} writes a record's message octets first and its envelope block last, so a crash in between
     * leaves zero octets (the block not yet written) followed by message octets up to the end of the file. Found by the
     * crash tests above (the recovery took it for damage: an ERROR, the segment moved to corrupt/) and fixed in
     * {@code Spool.recoverSegment}: with no readable record after it, it is the unacknowledged tail and is cut off with
     * a WARN. Here the cut record is written after a real SIGKILL, byte for byte in the layout those crashes left
     * (204 zero octets, then the message).
     */
    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void aRecordTheCrashCutShortIsNotTakenForDamage() throws Exception {
        work = workDir("cut-record");
        int appPort = Tools.freePort();
        int sinkPort = Tools.freePort();
        Path spool = work.resolve("spool");
        SmtpSink sink = track(SmtpSink.start(work, sinkPort));
        MailRouterProcess app = track(new MailRouterProcess(work, routes(), properties(appPort, spool, sinkPort)));
        app.start(STARTUP);
        SmtpSource source = track(new SmtpSource(smtpSource, timeout, work.resolve("source.log"), appPort, 5, 50, 0));
        source.start();
        assertEquals(0, source.await(Duration.ofSeconds(60)), Tools.tail(source.log(), 20));
        Set<String> acked = new LinkedHashSet<>(source.acked());
        assertEquals(50, acked.size(), "acknowledged");
        assertTrue(Tools.await(Duration.ofSeconds(60), 100, () -> {
            try {
                return sink.received().keySet().containsAll(acked);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }), "the 50 messages were not delivered");
        // the sink has them as soon as the relay's DATA is answered; the queue records "delivered" a moment later
        // (before it logs it). Kill only then, so no delivery is still in flight and "exactly once" is a fair demand.
        assertTrue(Tools.await(Duration.ofSeconds(30), 50, () -> deliveredIds(app.currentLog()).containsAll(acked)),
                "the queue did not log the 50 deliveries");
        assertEquals(137, app.kill9());

        Path segment;
        try (var files = Files.list(spool.resolve("segments"))) {
            segment = files.filter(f -> f.toString().endsWith(".seg")).max(Path::compareTo).orElseThrow();
        }
        long cutAt = Files.size(segment);
        String cutId = "6611CCCCCCCCCCCCCC";
        byte[] message = ("Received: from source.test ([127.0.0.1])\r\n\tby crash.test (camel-smtp) with SMTP id " + cutId
                          + "\r\n\tfor <rcpt@sink.test>; Wed, 25 Nov 2026 15:31:39 +0000\r\nFrom: <sender@source.test>\r\n"
                          + "To: <rcpt@sink.test>\r\nSubject: cut short\r\n\r\nnever acknowledged\r\n")
                .getBytes(StandardCharsets.US_ASCII);
        byte[] cut = new byte[204 + message.length];
        System.arraycopy(message, 0, cut, 204, message.length);
        Files.write(segment, cut, StandardOpenOption.APPEND);
        Tools.copyTree(spool, work.resolve("spool-after-kill"));
        say("after SIGKILL, appended to %s at offset %d what a crash inside Segment.append leaves: 204 zero octets "
            + "(the envelope block, written last) and the %d octets of message %s", segment.getFileName(), cutAt,
                message.length, cutId);

        app.start(STARTUP);
        Matcher opened = app.awaitLog(MailRouterProcess.SPOOL_OPENED, Duration.ofSeconds(5));
        say("restart: %s", opened.group());
        sink.awaitQuiet(Duration.ofSeconds(3), Duration.ofSeconds(30));
        app.terminate(Duration.ofSeconds(90));
        List<String> errors = reportWarnings(app);
        List<String> cutOff = cutOffRecords(app);
        List<String> corrupt = Tools.listing(spool.resolve("corrupt"));
        Map<String, Integer> received = sink.received();
        say("RESULT cut-record: cut off %s, ERROR events %d, corrupt/ %s, the cut message delivered %s, the 50 delivered "
            + "once: %s", cutOff, errors.size(), corrupt, received.containsKey(cutId),
                acked.stream().allMatch(id -> received.getOrDefault(id, 0) == 1));
        summary("cut-record", "cut-off=%s errors=%d corrupt=%d", cutOff, errors.size(), corrupt.size());

        assertTrue(errors.isEmpty(), "a record the crash cut short is not damage; ERROR events:\n"
                                     + String.join("\n", errors));
        assertTrue(corrupt.isEmpty(), "nothing is damaged, yet corrupt/ holds " + corrupt);
        assertEquals(List.of(segment.getFileName() + "@" + cutAt), cutOff,
                "the recovery should say (WARN) that the record at offset " + cutAt + " of " + segment.getFileName()
                + " is incomplete and cut it off");
        assertTrue(!received.containsKey(cutId), "the cut record was never acknowledged and must not be delivered");
        assertTrue(acked.stream().allMatch(id -> received.getOrDefault(id, 0) == 1), "each of the 50 exactly once");
    }

    /**
     * A clean stop (SIGTERM) while every message waits in the queue for a retry (the smart host is down), then a
     * restart with the smart host up: everything arrives, exactly once.
     */
    @Test
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void cleanStopWithDeferredMailDeliversEverythingOnceAfterRestart() throws Exception {
        int messages = 300;
        work = workDir("sigterm-deferred");
        long t0 = System.nanoTime();
        int appPort = Tools.freePort();
        int sinkPort = Tools.freePort(); // nothing listens there until the restart
        Path spool = work.resolve("spool");
        MailRouterProcess app = track(new MailRouterProcess(work, routes(), properties(appPort, spool, sinkPort)));
        app.start(STARTUP);

        SmtpSource source = track(new SmtpSource(smtpSource, timeout, work.resolve("source.log"), appPort, 10, messages, 0));
        source.start();
        int sourceExit = source.await(Duration.ofSeconds(60));
        Set<String> acked = new LinkedHashSet<>(source.acked());
        assertEquals(0, sourceExit, Tools.tail(source.log(), 20));
        assertEquals(messages, acked.size(), "acknowledged");

        // every message has had (at least) one failed attempt and waits for its retry
        boolean allDeferred = Tools.await(Duration.ofSeconds(60), 100, () -> deferredIds(app.currentLog()).containsAll(acked));
        assertTrue(allDeferred, "not every message was deferred: " + Tools.tail(app.currentLog(), 20));
        // and retried: the route's error handler leaves the failure on the exchange for the queue, which defers again
        boolean allRetried = Tools.await(Duration.ofSeconds(60), 100,
                () -> idsLogged(app.currentLog(), RETRIED).containsAll(acked));
        assertTrue(allRetried, "not every message was retried (attempt 2): " + Tools.tail(app.currentLog(), 20));
        int stopExit = app.terminate(Duration.ofSeconds(90));
        Tools.copyTree(spool, work.resolve("spool-after-stop"));
        say("%d acknowledged, deferred and retried (smart host down); SIGTERM exit %d; spool: %d files (copied to "
            + "spool-after-stop/)", acked.size(), stopExit, Tools.listing(spool).size());

        SmtpSink sink = track(SmtpSink.start(work, sinkPort));
        app.start(STARTUP);
        Matcher opened = app.awaitLog(MailRouterProcess.SPOOL_OPENED, Duration.ofSeconds(5));
        say("restart with the smart host up: %s", opened.group());
        boolean allArrived = Tools.await(Duration.ofSeconds(60), 250, () -> {
            try {
                return sink.received().keySet().containsAll(acked);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        sink.awaitQuiet(Duration.ofSeconds(3), Duration.ofSeconds(30));
        int finalExit = app.terminate(Duration.ofSeconds(90));

        Map<String, Integer> received = sink.received();
        Outcome o = outcome(acked, received, sink, null);
        List<String> errors = reportWarnings(app);
        List<String> corrupt = Tools.listing(spool.resolve("corrupt"));
        long seconds = (System.nanoTime() - t0) / 1_000_000_000;
        say("RESULT sigterm-deferred: acked=%d waiting-at-restart=%s delivered=%d distinct, %d dumps; lost=%d "
            + "duplicates=%d delivered-without-250=%d; all arrived=%s; SIGTERM exit %d; %d s", acked.size(),
                opened.group(3), received.size(), sink.fileCount(), o.lost.size(), o.duplicates.size(), o.unacked.size(),
                allArrived, finalExit, seconds);
        summary("sigterm-deferred", "acked=%d waiting=%s delivered=%d lost=%d dups=%d %ds", acked.size(), opened.group(3),
                received.size(), o.lost.size(), o.duplicates.size(), seconds);

        assertEquals(String.valueOf(messages), opened.group(3), "messages waiting in the spool at the restart");
        assertTrue(o.lost.isEmpty(), "lost: " + o.lost);
        assertTrue(o.duplicates.isEmpty(), "a clean stop must not cause duplicates: " + o.duplicates);
        assertTrue(o.unacked.isEmpty(), "delivered but never acknowledged: " + o.unacked);
        assertTrue(o.unidentified.isEmpty(), "dumps without our queue id: " + o.unidentified);
        assertEquals(messages, sink.fileCount(), "dumps at the sink");
        assertTrue(errors.isEmpty(), "ERROR events in the app logs:\n" + String.join("\n", errors));
        assertTrue(corrupt.isEmpty(), "the spool's corrupt/ holds " + corrupt);
    }

    // ---- comparing what was acknowledged with what arrived

    private record Outcome(Set<String> lost, Map<String, Integer> duplicates, Set<String> unacked, List<Path> unidentified,
                           Set<String> recordedThenResent) {
    }

    private Outcome outcome(Set<String> acked, Map<String, Integer> received, SmtpSink sink, Instant killTime)
            throws IOException {
        Set<String> lost = new TreeSet<>(acked);
        lost.removeAll(received.keySet());
        Map<String, Integer> duplicates = new LinkedHashMap<>();
        received.forEach((id, n) -> {
            if (n > 1) {
                duplicates.put(id, n);
            }
        });
        Set<String> unacked = new TreeSet<>(received.keySet());
        unacked.removeAll(acked);
        List<Path> unidentified = sink.unidentified();

        for (String id : lost) {
            say("LOST %s (acknowledged, never arrived); app log lines:%s", id, grepLogs(id));
        }
        Set<String> deliveredBeforeCrash = killTime == null ? Set.of() : deliveredIds(work.resolve("app-1.log"));
        Set<String> recordedThenResent = new TreeSet<>();
        for (Map.Entry<String, Integer> d : duplicates.entrySet()) {
            if (deliveredBeforeCrash.contains(d.getKey())) {
                recordedThenResent.add(d.getKey());
            }
            StringBuilder when = new StringBuilder();
            for (Path f : sink.filesOf(d.getKey())) {
                Instant t = Files.getLastModifiedTime(f).toInstant();
                when.append(' ').append(f.getFileName());
                if (killTime != null) {
                    when.append(String.format(" (%+d ms from the kill)", Duration.between(killTime, t).toMillis()));
                }
            }
            say("DUPLICATE %s x%d:%s; the crashed run %s its delivery", d.getKey(), d.getValue(), when,
                    deliveredBeforeCrash.contains(d.getKey()) ? "HAD LOGGED (and so recorded)" : "had not logged");
        }
        for (String id : unacked) {
            say("delivered without a 250 seen by smtp-source (in DATA at the crash): %s %s", id, sink.filesOf(id));
        }
        for (Path f : unidentified) {
            say("UNIDENTIFIED dump %s", f);
        }
        return new Outcome(lost, duplicates, unacked, unidentified, recordedThenResent);
    }

    /** Reports every WARN/ERROR event of the app's logs and returns the ERROR events (each fails the test). */
    private List<String> reportWarnings(MailRouterProcess app) throws IOException {
        List<MailRouterProcess.LogEvent> events = app.warnings();
        say("app logs: %d WARN/ERROR event(s)%s", events.size(), events.isEmpty() ? "" : ":");
        events.forEach(e -> say("  %s", e.brief(6)));
        return events.stream().filter(MailRouterProcess.LogEvent::isError).map(e -> e.brief(30)).toList();
    }

    /** "segment@offset" of each record the recovery cut off as incomplete (its WARN), in every run's log. */
    private static List<String> cutOffRecords(MailRouterProcess app) throws IOException {
        List<String> found = new ArrayList<>();
        for (MailRouterProcess.LogEvent e : app.warnings()) {
            Matcher m = CUT_OFF.matcher(e.line());
            if (!e.isError() && m.find()) {
                found.add(Path.of(m.group(1)).getFileName() + "@" + m.group(2));
            }
        }
        return found;
    }

    private String grepLogs(String id) throws IOException {
        StringBuilder b = new StringBuilder();
        for (Path log : List.of(work.resolve("app-1.log"), work.resolve("app-2.log"), work.resolve("app-3.log"))) {
            if (Files.exists(log)) {
                for (String line : Files.readAllLines(log, StandardCharsets.ISO_8859_1)) {
                    if (line.contains(id)) {
                        b.append("\n  ").append(log.getFileName()).append(": ").append(line);
                    }
                }
            }
        }
        return b.length() == 0 ? " none" : b.toString();
    }

    private static Set<String> deferredIds(Path log) {
        return idsLogged(log, DEFERRED);
    }

    private static Set<String> deliveredIds(Path log) {
        return idsLogged(log, DELIVERED);
    }

    private static Set<String> idsLogged(Path log, Pattern pattern) {
        Set<String> ids = new LinkedHashSet<>();
        try {
            Matcher m = pattern.matcher(Files.readString(log, StandardCharsets.ISO_8859_1));
            while (m.find()) {
                ids.add(m.group(1));
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return ids;
    }

    // ---- set-up

    private static Map<String, String> properties(int appPort, Path spool, int sinkPort) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("crash.port", String.valueOf(appPort));
        p.put("crash.spool", spool.toString());
        p.put("crash.sinkPort", String.valueOf(sinkPort));
        return p;
    }

    private static Path routes() throws URISyntaxException {
        return Path.of(CrashRecoveryTest.class.getResource("/crash/mta.camel.yaml").toURI());
    }

    /** target/crash/NAME, emptied: kept after the test for inspection. */
    private static Path workDir(String name) throws Exception {
        Path dir = crashDir().resolve(name);
        Tools.deleteTree(dir);
        return Files.createDirectories(dir);
    }

    private static Path crashDir() throws URISyntaxException {
        Path testClasses = Path.of(CrashRecoveryTest.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        return testClasses.getParent().resolve("crash");
    }

    private <T extends AutoCloseable> T track(T resource) {
        running.add(resource);
        return resource;
    }

    private void say(String format, Object... args) {
        String line = String.format(format, args);
        System.out.println("[crash] " + line);
        report.append(line).append('\n');
    }

    private static void summary(String test, String format, Object... args) throws Exception {
        String line = Instant.now() + " " + test + ": " + String.format(format, args) + "\n";
        Files.writeString(crashDir().resolve("runs.txt"), line, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
    }
}

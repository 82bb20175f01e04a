package com.example.mail;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Runs the application as its user would: its own JVM with the main class, the runtime class path and
 * application.properties (only the port and the folder overridden), swaks as the client. What it printed is part of
 * the check: Log4j 2 without log4j2.properties prints nothing below ERROR, so an application that takes mail
 * silently fails here.
 */
class MailAppTest {

    private static final Duration START = Duration.ofSeconds(60);
    private static final Pattern LISTENING = Pattern.compile("smtp-server listening on 127\\.0\\.0\\.1:(\\d+) ");

    @TempDir
    Path dir;

    private Process app;
    private final List<String> output = new ArrayList<>();

    @AfterEach
    void stopApp() throws InterruptedException {
        if (app != null && app.isAlive()) {
            app.destroyForcibly();
            app.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void storesEachMessageAsAFileAndLogsAtInfo() throws Exception {
        assumeTrue(runs("swaks", "--version"), "SKIPPED: swaks is not installed (Debian package swaks)");
        Path inbox = dir.resolve("inbox");
        start("-Dsmtp.port=0", "-Dinbox.dir=" + inbox);

        Matcher listening = awaitLine(LISTENING, START);
        int port = Integer.parseInt(listening.group(1));
        awaitLine(Pattern.compile("Apache Camel \\S+ \\(mail-inbox\\) started"), Duration.ofSeconds(30));
        awaitLine(Pattern.compile("Started smtp-inbox \\(smtp-server://"), Duration.ofSeconds(30));

        String sent = swaks(port, "bob@example.org");
        Matcher queued = Pattern.compile("<- +250 2\\.0\\.0 Ok: queued as ([0-9A-F]+)").matcher(sent);
        assertTrue(queued.find(), sent);
        String id = queued.group(1);

        Path file = inbox.resolve(id + ".eml");
        assertTrue(Files.isRegularFile(file), "no " + file + " after the 250; folder: " + list(inbox));
        String message = Files.readString(file, StandardCharsets.UTF_8);
        assertTrue(message.startsWith("Received: from "), message);
        assertTrue(message.contains("Subject: hello inbox"), message);
        assertTrue(message.contains("one message for the inbox"), message);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(inbox)));
        awaitLine(Pattern.compile(id + " from <alice@example\\.net> to \\[bob@example\\.org] stored in "),
                Duration.ofSeconds(30));

        // a recipient in a domain that is not ours: refused at RCPT, nothing stored
        String refused = swaks(port, "carol@elsewhere.test");
        Pattern relayDenied = Pattern.compile("<\\*\\* +554 5\\.7\\.1 <carol@elsewhere\\.test>: Relay access denied");
        assertTrue(relayDenied.matcher(refused).find(), refused);
        assertEquals(List.of(id + ".eml"), list(inbox), "only the accepted message, no temporary file");

        // SIGTERM, as docker stop: the lines Camel logs while it stops are printed too (Process.destroy() would send
        // it as well, but closes our end of the output first)
        app.toHandle().destroy();
        assertTrue(app.waitFor(60, TimeUnit.SECONDS), "not stopped 60 s after SIGTERM:\n" + printed());
        awaitLine(Pattern.compile("smtp-server on port " + port + " stopped"), Duration.ofSeconds(5));
        awaitLine(Pattern.compile("Apache Camel \\S+ \\(mail-inbox\\) shutdown"), Duration.ofSeconds(5));
    }

    /**
     * java com.example.mail.MailApp in the folder of the test, with the class path Surefire runs this test with (the
     * runtime one plus JUnit's jars, which bring no logging) minus the test classes.
     */
    private void start(String... properties) throws IOException {
        String classPath = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(entry -> !Path.of(entry).endsWith(Path.of("target", "test-classes")))
                .collect(Collectors.joining(File.pathSeparator));
        assertTrue(classPath.contains("camel-main"), "camel-main is not on the class path: " + classPath);
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(List.of(properties));
        command.addAll(List.of("-cp", classPath, MailApp.class.getName()));
        app = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        Thread reader = new Thread(() -> {
            try (BufferedReader lines = new BufferedReader(
                    new InputStreamReader(app.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                    synchronized (output) {
                        if (output.size() < 10_000) {   // bounded: a looping application must not fill the heap
                            output.add(line);
                        }
                        output.notifyAll();
                    }
                }
            } catch (IOException e) {
                // the process ended
            }
        }, "mail-app-output");
        reader.setDaemon(true);
        reader.start();
    }

    /** Waits for a line the application prints; fails with everything it printed when none comes in time. */
    private Matcher awaitLine(Pattern pattern, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (output) {
            while (true) {
                for (String line : output) {
                    Matcher m = pattern.matcher(line);
                    if (m.find()) {
                        return m;
                    }
                }
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left <= 0) {
                    fail("the application printed no line matching /" + pattern + "/ within " + timeout
                         + (app.isAlive() ? "" : " (it exited with " + app.exitValue() + ")")
                         + (output.isEmpty() ? "; it printed nothing (no log4j2.properties on its class path?)"
                                             : "; it printed:\n" + String.join("\n", output)));
                }
                output.wait(Math.min(left, 500));
            }
        }
    }

    private String printed() {
        synchronized (output) {
            return String.join("\n", output);
        }
    }

    /** One message with swaks; returns its transcript. Bounded: swaks gives up after 30 s, this waits 60 s. */
    private String swaks(int port, String to) throws Exception {
        Path transcript = Files.createTempFile(dir, "swaks", ".txt");
        Process swaks = new ProcessBuilder("swaks", "--server", "127.0.0.1", "--port", String.valueOf(port),
                "--helo", "client.example.net", "--from", "alice@example.net", "--to", to,
                "--header", "Subject: hello inbox", "--body", "one message for the inbox", "--timeout", "30")
                .redirectErrorStream(true).redirectOutput(transcript.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        if (!swaks.waitFor(60, TimeUnit.SECONDS)) {
            swaks.destroyForcibly();
            fail("swaks did not finish in 60 s: " + Files.readString(transcript));
        }
        return Files.readString(transcript);
    }

    private static boolean runs(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static List<String> list(Path folder) throws IOException {
        if (!Files.isDirectory(folder)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(folder)) {
            return files.map(f -> f.getFileName().toString()).sorted().toList();
        }
    }
}

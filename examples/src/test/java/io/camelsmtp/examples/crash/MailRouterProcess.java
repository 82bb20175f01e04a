package io.camelsmtp.examples.crash;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.camelsmtp.examples.app.MailRouter;
import io.camelsmtp.examples.support.AppJvm;

/**
 * The runnable app ({@link MailRouter}, Camel Main with the YAML DSL) in a JVM of its own, so that it can be killed
 * with SIGKILL like a crashed server and started again on the same spool.
 * <p>
 * The tests run in Maven's {@code test} phase, before {@code package} builds {@code camel-smtp-examples.jar} and
 * {@code target/lib}; so the child JVM gets the class path the jar's manifest would give it, from the test JVM:
 * {@code target/classes} (MailRouter, log4j2.properties) plus every dependency jar, without {@code target/test-classes}
 * (nothing of the tests leaks into the app; Camel Main scans MailRouter's package, {@code io.camelsmtp.examples.app},
 * for RouteBuilders). Test-scoped
 * jars (JUnit) stay on it and are never used.
 * <p>
 * Every run writes its own log file ({@code app-N.log}); every wait is bounded; {@link #close()} kills what is left.
 */
public final class MailRouterProcess implements AutoCloseable {

    static final Pattern STARTED = Pattern.compile("Apache Camel \\S+ \\(camel-smtp\\) started in");
    static final Pattern SPOOL_OPENED = Pattern.compile("smtp-queue:(\\S+) opened spool (\\S+) with (\\d+) message\\(s\\) waiting");

    private final Path workDir;
    private final Path routes;
    private final Map<String, String> properties;
    private final List<Path> logs = new ArrayList<>();
    private Process process;
    private Thread reaper;
    private int runs;

    MailRouterProcess(Path workDir, Path routes, Map<String, String> properties) {
        this.workDir = workDir;
        this.routes = routes;
        // its own admin port, so that an app already running on this machine (on 8587) does not fail the test
        Map<String, String> props = new LinkedHashMap<>(properties);
        props.putIfAbsent("admin.port", String.valueOf(freePort()));
        this.properties = props;
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException("no free port for the admin endpoints", e);
        }
    }

    /** Starts the app (run number N, log {@code app-N.log}) and returns once Camel reports it started. */
    Path start(Duration limit) throws Exception {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException("the app is still running (pid " + process.pid() + ")");
        }
        runs++;
        Path log = workDir.resolve("app-" + runs + ".log");
        logs.add(log);
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx512m");
        cmd.add("-Djava.io.tmpdir=" + Files.createDirectories(workDir.resolve("tmp")));
        properties.forEach((k, v) -> cmd.add("-D" + k + "=" + v));
        cmd.addAll(List.of("-cp", classPath(), MailRouter.class.getName(), "--routes", routes.toString()));
        Files.writeString(log, "# " + String.join(" ", cmd) + "\n", StandardCharsets.UTF_8);
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(workDir.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        process = pb.start();
        if (reaper == null) {
            // should the test JVM exit without running close() (a crash of surefire's fork is not covered)
            reaper = new Thread(this::close, "kill-mail-router");
            Runtime.getRuntime().addShutdownHook(reaper);
        }
        awaitLog(STARTED, limit);
        return log;
    }

    /**
     * Waits for a line matching {@code pattern} in the current run's log and returns its match; fails when the app
     * exits or {@code limit} passes first.
     */
    Matcher awaitLog(Pattern pattern, Duration limit) throws Exception {
        Path log = currentLog();
        long deadline = System.nanoTime() + limit.toNanos();
        while (true) {
            Matcher m = pattern.matcher(Files.readString(log, StandardCharsets.ISO_8859_1));
            if (m.find()) {
                return m;
            }
            if (!process.isAlive()) {
                throw new AssertionError("the app exited (" + process.exitValue() + ") before logging /" + pattern
                                         + "/; its log " + log + " ends with:\n" + Tools.tail(log, 40));
            }
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("no /" + pattern + "/ in " + log + " after " + limit + "; it ends with:\n"
                                         + Tools.tail(log, 40));
            }
            Thread.sleep(50);
        }
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process != null && process.isAlive();
    }

    /**
     * SIGKILL, like {@code kill -9}: the JVM gets no chance to run anything. ({@link Process#destroyForcibly()} is
     * SIGKILL on Linux; the exit value 128 + 9 proves it.) Returns the exit value.
     */
    int kill9() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new AssertionError("the app survived SIGKILL for 30 s (pid " + process.pid() + ")");
        }
        return process.exitValue();
    }

    /** SIGTERM: Camel Main's shutdown hook stops the routes gracefully. Returns the exit value. */
    int terminate(Duration limit) throws InterruptedException {
        process.destroy();
        if (!process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
            throw new AssertionError("the app did not stop within " + limit + " of SIGTERM; killed. Log ends with:\n"
                                     + Tools.tail(currentLog(), 40));
        }
        return process.exitValue();
    }

    Path currentLog() {
        return logs.get(logs.size() - 1);
    }

    List<Path> logs() {
        return logs;
    }

    /** A WARN or ERROR event of an app log: its first line and the lines that follow it (a stack trace). */
    record LogEvent(String log, String line, List<String> more) {

        boolean isError() {
            return line.contains(" ERROR ");
        }

        /** The first line and up to {@code n} lines that follow it. */
        String brief(int n) {
            StringBuilder b = new StringBuilder(log).append(": ").append(line);
            more.stream().limit(n).forEach(l -> b.append("\n      ").append(l));
            if (more.size() > n) {
                b.append("\n      ... ").append(more.size() - n).append(" more line(s)");
            }
            return b.toString();
        }
    }

    /** The WARN and ERROR events of every run so far. */
    List<LogEvent> warnings() throws IOException {
        List<LogEvent> found = new ArrayList<>();
        for (Path log : logs) {
            LogEvent current = null;
            for (String line : Files.readAllLines(log, StandardCharsets.ISO_8859_1)) {
                if (line.matches("\\d\\d:\\d\\d:\\d\\d\\.\\d{3} .*")) {
                    current = line.matches("\\S+ (WARN|ERROR) .*")
                            ? new LogEvent(log.getFileName().toString(), line, new ArrayList<>()) : null;
                    if (current != null) {
                        found.add(current);
                    }
                } else if (current != null) {
                    current.more().add(line);
                } else if (line.matches("(Exception|Error|Caused by|\\S+Exception).*")) {
                    // printed outside a log event (System.err): keep it
                    found.add(new LogEvent(log.getFileName().toString(), "(not a log line) " + line, new ArrayList<>()));
                }
            }
        }
        return found;
    }

    @Override
    public void close() {
        Process p = process;
        if (p != null && p.isAlive()) {
            p.destroyForcibly();
            try {
                p.waitFor(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (reaper != null && Thread.currentThread() != reaper) {
            try {
                Runtime.getRuntime().removeShutdownHook(reaper);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running or about to
            }
            reaper = null;
        }
    }

    /** target/classes and the dependency jars of the test JVM's class path, without target/test-classes. */
    public static String classPath() throws URISyntaxException {
        return AppJvm.classPath();
    }
}

package io.camelsmtp.examples.app;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import io.camelsmtp.examples.support.AppJvm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Which threads the app's SMTP sessions run on ({@link ThreadChoice}), seen from outside: the app in a JVM of its own
 * holds {@value #SESSIONS} idle sessions, and /proc counts its OS threads. On JDK 21 or later it uses virtual threads
 * unless told not to: a few dozen OS threads for all the sessions, and a new client is still greeted within a second.
 * With {@code -Dcamel.threads.virtual.enabled=false}, or on JDK 17, each session holds an OS thread. The summary says
 * which. The JDK 21+ runs need such a JDK under /usr/lib/jvm (this machine has Temurin 25); they skip loudly without.
 * The full-size figure (10,000 sessions, memory) is measured by bench/sessions.sh, not here.
 */
class SessionThreadsTest {

    private static final int SESSIONS = 600;

    @TempDir
    Path dir;

    @Test
    void onJdk21AndLaterSessionsRunOnVirtualThreads() throws Exception {
        Path java = modernJava().orElse(null);
        assumeTrue(java != null, "SKIPPED: no JDK 21 or later under /usr/lib/jvm; virtual threads untested");
        Held held = holdSessions(java, List.of());
        assertTrue(held.summary.contains("threads virtual threads (JDK "), held.summary);
        assertTrue(held.threads < 150, "OS threads with " + SESSIONS + " sessions: " + held.threads);
        assertTrue(held.newClientMillis < 1000, "a new client waited " + held.newClientMillis + " ms");
    }

    @Test
    void turnedOffOnJdk21AndLaterEachSessionHoldsAThread() throws Exception {
        Path java = modernJava().orElse(null);
        assumeTrue(java != null, "SKIPPED: no JDK 21 or later under /usr/lib/jvm; the switch is untested");
        Held held = holdSessions(java, List.of("-D" + ThreadChoice.PROPERTY + "=false"));
        assertTrue(held.summary.contains("threads platform threads (JDK ")
                   && held.summary.contains(ThreadChoice.PROPERTY + "=false"), held.summary);
        assertTrue(held.threads > SESSIONS, "OS threads with " + SESSIONS + " sessions: " + held.threads);
    }

    @Test
    void onTheTestJdkTheSummarySaysWhich() throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Held held = holdSessions(java, List.of());
        if (Runtime.version().feature() < ThreadChoice.FIRST_JDK_WITH_VIRTUAL_THREADS) {
            assertTrue(held.summary.contains("threads platform threads (JDK " + Runtime.version().feature()
                                             + "; virtual threads need JDK 21 or later)"), held.summary);
            assertTrue(held.threads > SESSIONS, "OS threads with " + SESSIONS + " sessions: " + held.threads);
        } else {
            assertTrue(held.summary.contains("threads virtual threads"), held.summary);
        }
    }

    /** What the app showed while it held the sessions. */
    private record Held(String summary, int threads, long newClientMillis) {
    }

    private Held holdSessions(Path java, List<String> jvmOptions) throws Exception {
        int smtpPort = freePort();
        Path routes = Files.writeString(dir.resolve("idle.camel.yaml"), """
                - route:
                    id: idle
                    from:
                      uri: "smtp-server:127.0.0.1:%d?maxConnections=%d&maxConnectionsPerIp=0&idleTimeout=2m"
                      steps:
                        - to: "log:idle"
                """.formatted(smtpPort, SESSIONS + 100));
        List<String> cmd = new ArrayList<>(List.of(java.toString(), "-Xmx256m"));
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of("-Dadmin.port=" + freePort(), "-Ddata.dir=" + dir.resolve("data"), "-cp", AppJvm.classPath(),
                MailRouter.class.getName(), "--routes", routes.toString()));
        Path out = dir.resolve("app.out");
        Process app = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(out.toFile()).start();
        List<Socket> sessions = new ArrayList<>();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            while (!Files.readString(out, StandardCharsets.ISO_8859_1).contains("  threads ")) {
                assertTrue(app.isAlive() && System.nanoTime() < deadline, () -> "the app did not start:\n" + read(out));
                Thread.sleep(100);
            }
            for (int i = 0; i < SESSIONS; i++) {
                Socket s = new Socket(InetAddress.getLoopbackAddress(), smtpPort);
                sessions.add(s);
                s.setSoTimeout(10_000);
                String greeting = line(s.getInputStream());
                assertTrue(greeting.startsWith("220 "), "session " + i + ": " + greeting);
            }
            int threads = threads(app.pid());
            long start = System.nanoTime();
            try (Socket probe = new Socket(InetAddress.getLoopbackAddress(), smtpPort)) {
                probe.setSoTimeout(10_000);
                assertTrue(line(probe.getInputStream()).startsWith("220 "));
            }
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            String summary = read(out).lines().filter(l -> l.contains("  threads ")).findFirst()
                    .map(l -> l.substring(l.indexOf("  threads ") + 2)).orElse("");
            return new Held(summary, threads, millis);
        } finally {
            for (Socket s : sessions) {
                s.close();
            }
            app.destroyForcibly();
            app.waitFor(30, TimeUnit.SECONDS);
        }
    }

    /** A JDK of feature version 21 or later: the test JVM's own, or one under /usr/lib/jvm. */
    static Optional<Path> modernJava() throws IOException {
        if (Runtime.version().feature() >= ThreadChoice.FIRST_JDK_WITH_VIRTUAL_THREADS) {
            return Optional.of(Path.of(System.getProperty("java.home"), "bin", "java"));
        }
        Path jvms = Path.of("/usr/lib/jvm");
        if (!Files.isDirectory(jvms)) {
            return Optional.empty();
        }
        try (Stream<Path> homes = Files.list(jvms)) {
            return homes.filter(h -> Files.isExecutable(h.resolve("bin/java")) && feature(h) >= 21).sorted()
                    .map(h -> h.resolve("bin/java")).findFirst();
        }
    }

    private static int feature(Path javaHome) {
        try {
            for (String l : Files.readAllLines(javaHome.resolve("release"))) {
                if (l.startsWith("JAVA_VERSION=\"")) {
                    String v = l.substring("JAVA_VERSION=\"".length()).replace("\"", "");
                    return Integer.parseInt(v.split("[.+-]")[0]);
                }
            }
        } catch (IOException | RuntimeException e) {
            // not a JDK we can read
        }
        return 0;
    }

    private static int threads(long pid) throws IOException {
        for (String l : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (l.startsWith("Threads:")) {
                return Integer.parseInt(l.substring("Threads:".length()).strip());
            }
        }
        throw new IllegalStateException("no Threads: line for " + pid);
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder b = new StringBuilder();
        int c;
        while ((c = in.read()) >= 0 && c != '\n' && b.length() < 1000) {
            b.append((char) c);
        }
        return b.toString();
    }

    private static String read(Path p) {
        try {
            return Files.readString(p, StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}

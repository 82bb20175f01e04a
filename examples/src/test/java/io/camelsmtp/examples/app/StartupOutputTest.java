package io.camelsmtp.examples.app;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import io.camelsmtp.examples.support.AppJvm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static io.camelsmtp.examples.support.Peers.freePort;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What an operator sees when start-up fails, in a JVM of its own as after {@code java -jar camel-smtp-examples.jar}:
 * the exit status, and everything printed (log and report): a port that cannot be bound, the admin port included,
 * stops start-up with one line saying so, without Camel's stack traces (unless {@code --stacktrace}) and without a
 * "shutdown hook triggered by SIGTERM" that nobody sent; a misspelled component property gets a "did you mean".
 */
class StartupOutputTest {

    private static final Duration LIMIT = Duration.ofSeconds(90);

    @TempDir
    Path dir;

    private Path routes(int smtpPort) throws Exception {
        return Files.writeString(dir.resolve("min.camel.yaml"), """
                - route:
                    id: min
                    from:
                      uri: "smtp-server:127.0.0.1:%d"
                      steps:
                        - to: "log:x"
                """.formatted(smtpPort));
    }

    private AppJvm.Result run(Path routes, Map<String, String> properties, String... args) throws Exception {
        List<String> arguments = new ArrayList<>(List.of("--routes", routes.toString()));
        arguments.addAll(List.of(args));
        Map<String, String> props = new java.util.HashMap<>(properties);
        props.putIfAbsent("admin.port", String.valueOf(freePort()));
        props.put("data.dir", dir.resolve("data").toString());
        return AppJvm.run(dir, props, arguments, LIMIT);
    }

    @Test
    void takenAdminPortStopsStartUpWithOneLine() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();
            AppJvm.Result result = run(routes(0), Map.of("admin.port", String.valueOf(port)));
            String out = result.output();
            assertEquals(1, result.exitStatus(), "the app must stop (null: still running after " + LIMIT + "):\n" + out);
            assertTrue(out.contains("camel-smtp could not start.\n  the admin HTTP server cannot listen on 127.0.0.1:"
                                    + port + ": Address already in use"), out);
            assertFalse(out.contains("camel-smtp started:"), out);
            assertFalse(out.contains("HTTP   127.0.0.1:" + port), out);
            assertFalse(out.contains("Unhandled exception"), out);
            assertNoTraceNorSigterm(out);
        }
    }

    @Test
    void takenSmtpPortShowsTheReasonWithoutStackTraces() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();
            AppJvm.Result result = run(routes(port), Map.of());
            String out = result.output();
            assertEquals(1, result.exitStatus(), out);
            assertTrue(out.contains("\n  smtp-server cannot listen on 127.0.0.1:" + port + ": Address already in use\n"),
                    out);
            assertTrue(out.contains("(--stacktrace shows the Java stack trace)"), out);
            assertNoTraceNorSigterm(out);

            AppJvm.Result traced = run(routes(port), Map.of(), "--stacktrace");
            assertEquals(1, traced.exitStatus(), traced.output());
            assertTrue(traced.output().lines().anyMatch(l -> l.startsWith("\tat ")), traced.output());
            assertTrue(traced.output().contains("smtp-server cannot listen on 127.0.0.1:" + port), traced.output());
        }
    }

    /** The key and the nearest option, but not the value: Camel's own message prints it (it may be a password). */
    @Test
    void misspelledComponentPropertyInApplicationPropertiesGetsDidYouMean() throws Exception {
        Files.writeString(dir.resolve("application.properties"),
                "camel.component.smtp-server.acceptedDomain=secret-looking-value.example\n");
        AppJvm.Result result = run(routes(0), Map.of());
        String out = result.output();
        assertEquals(1, result.exitStatus(), out);
        assertTrue(out.contains("\n  camel.component.smtp-server.acceptedDomain: the smtp-server component has no option"
                                + " 'acceptedDomain'; did you mean 'acceptedDomains'?\n"), out);
        assertFalse(out.contains("secret-looking-value"), out);
        assertNoTraceNorSigterm(out);
    }

    /** 8025 is Mailpit's and MailHog's web port, often running next to the router on a developer's machine. */
    @Test
    void theAdminPortDefaultsToNoMailCatchersPortAndNoDocumentNamesTheOldOne() throws Exception {
        assertFalse(List.of("8025", "1025", "1080", "5000", "25").contains(AdminHttpServer.DEFAULT_PORT));
        Path repo = Path.of("..").toAbsolutePath().normalize();
        List<String> mentions = new ArrayList<>();
        for (String top : List.of("README.md", "docs", "bench", "examples/routes", "examples/src")) {
            if (!Files.exists(repo.resolve(top))) {
                continue;
            }
            try (Stream<Path> files = Files.walk(repo.resolve(top))) {
                for (Path f : files.filter(Files::isRegularFile).filter(p -> p.toString().matches(
                        ".*\\.(md|ya?ml|java|properties|sh|py|txt)$") && !p.endsWith("StartupOutputTest.java")).toList()) {
                    // a line saying why not 8025 names Mailpit or MailHog
                    Files.readAllLines(f).stream().filter(l -> l.matches(".*(?<![0-9])8025(?![0-9]).*"))
                            .filter(l -> !l.contains("Mailpit") && !l.contains("MailHog"))
                            .forEach(l -> mentions.add(repo.relativize(f) + ": " + l.strip()));
                }
            }
        }
        assertEquals(List.of(), mentions, "files still naming 8025 as the admin port");
    }

    private static void assertNoTraceNorSigterm(String out) {
        assertFalse(out.lines().anyMatch(l -> l.startsWith("\tat ")), "a stack trace without --stacktrace:\n" + out);
        assertFalse(out.contains("SIGTERM"), "nothing sent SIGTERM:\n" + out);
    }
}

package io.camelsmtp.examples.app;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.apache.camel.main.Main;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A route file with a mistake stops start-up with exit status 1 and a report naming the file and the line, the route
 * and the reason, without a Java stack trace unless {@code --stacktrace} asks for one: as an operator sees it after
 * {@code java -jar camel-smtp-examples.jar --routes FILE}.
 */
class StartupFailureTest {

    @TempDir
    Path dir;

    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private PrintStream originalErr;

    @BeforeEach
    void captureStandardError() throws Exception {
        originalErr = System.err;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try (ServerSocket s = new ServerSocket(0)) {
            System.setProperty("admin.port", String.valueOf(s.getLocalPort()));
        }
        System.setProperty("data.dir", dir.resolve("data").toString()); // an admin.token, if the app gets that far
    }

    @AfterEach
    void restore() {
        System.setErr(originalErr);
        System.clearProperty("admin.port");
        System.clearProperty("data.dir");
    }

    private String start(String yaml, String... extraArgs) throws Exception {
        Path file = dir.resolve("mistake.camel.yaml");
        Files.writeString(file, yaml);
        String[] args = new String[2 + extraArgs.length];
        args[0] = "--routes";
        args[1] = file.toString();
        System.arraycopy(extraArgs, 0, args, 2, extraArgs.length);
        assertEquals(1, MailRouter.run(args), "start-up must fail");
        String report = err.toString(StandardCharsets.UTF_8);
        assertTrue(report.contains("camel-smtp could not start."), report);
        return report;
    }

    private String location(int line) {
        return "file:" + dir.resolve("mistake.camel.yaml").toAbsolutePath() + ":" + line;
    }

    @Test
    void misspelledOptionOfAStepNamesItsLine() throws Exception {
        String report = start("""
                - route:
                    id: spelled
                    from:
                      uri: "smtp-server:127.0.0.1:0"
                      steps:
                        - log:
                            message: "in"
                        - to:
                            uri: "smtp-queue:q"
                            parameters:
                              segmentSise: 5
                """);
        assertTrue(report.contains("  " + location(8) + " (route spelled)"), report);
        assertTrue(report.contains("endpoint smtp-queue://q?segmentSise=5: There are 1 parameters that couldn't be"
                                   + " set on the endpoint."), report);
        assertTrue(report.contains("Unknown parameters=[{segmentSise=5}]; did you mean 'segmentSize'?"), report);
        assertFalse(report.contains("\tat "), "no stack trace without --stacktrace: " + report);
        assertTrue(report.contains("(--stacktrace shows the Java stack trace)"), report);
    }

    /** The nearest option of the component's metadata, when it is close enough to be a typo, and only then. */
    @Test
    void misspelledOptionOfTheListenerGetsDidYouMean() throws Exception {
        String report = start("""
                - route:
                    id: listener
                    from:
                      uri: "smtp-server:127.0.0.1:0?acceptedDomain=example.org&qqqqqqqq=1"
                      steps:
                        - to: "log:x"
                """);
        assertTrue(report.contains("  " + location(4) + " (route listener)"), report);
        assertTrue(report.contains("; did you mean 'acceptedDomains' for 'acceptedDomain'?\n"), report);
        assertFalse(report.contains("for 'qqqqqqqq'"), report);
    }

    /** A -D system property (as the route headers document) is reported as one in application.properties is. */
    @Test
    void misspelledComponentPropertyGetsDidYouMean() throws Exception {
        System.setProperty("camel.component.smtp-queue.segmentSise", "5");
        try {
            String report = start("""
                    - route:
                        id: queue
                        from:
                          uri: "smtp-server:127.0.0.1:0"
                          steps:
                            - to: "smtp-queue:q"
                    """);
            assertTrue(report.contains("\n  camel.component.smtp-queue.segmentSise: the smtp-queue component has no"
                                       + " option 'segmentSise'; did you mean 'segmentSize'?"), report);
        } finally {
            System.clearProperty("camel.component.smtp-queue.segmentSise");
        }
    }

    @Test
    void badValueOfTheListenerNamesTheFromLine() throws Exception {
        String report = start("""
                - route:
                    id: listener
                    from:
                      uri: "smtp-server:127.0.0.1:0"
                      parameters:
                        maxRecipients: "many"
                      steps:
                        - to: "log:x"
                """);
        assertTrue(report.contains("  " + location(4) + " (route listener)"), report);
        assertTrue(report.contains("endpoint smtp-server://127.0.0.1:0?maxRecipients=many: For input string: \"many\""),
                report);
    }

    @Test
    void unknownComponentAndMissingPropertyAndMissingBean() throws Exception {
        String unknown = start("""
                - route:
                    id: typo
                    from:
                      uri: "smtp-servr:127.0.0.1:0"
                      steps:
                        - to: "log:x"
                """);
        assertTrue(unknown.contains("  " + location(4) + " (route typo)"), unknown);
        assertTrue(unknown.contains("No endpoint could be found for: smtp-servr://127.0.0.1:0"), unknown);

        err.reset();
        String property = start("""
                - route:
                    id: placeholder
                    from:
                      uri: "smtp-server:127.0.0.1:{{no.such.port}}"
                      steps:
                        - to: "log:x"
                """);
        assertTrue(property.contains("(route placeholder)"), property);
        assertTrue(property.contains("Property with key [no.such.port] not found"), property);

        err.reset();
        String bean = start("""
                - route:
                    id: beans
                    from:
                      uri: "smtp-server:127.0.0.1:0"
                      steps:
                        - bean:
                            ref: nosuchbean
                """);
        assertTrue(bean.contains("(route beans)"), bean);
        assertTrue(bean.contains("No bean could be found in the registry for: nosuchbean"), bean);
    }

    @Test
    void yamlSyntaxErrorKeepsTheParsersFileLineAndColumn() throws Exception {
        String report = start("""
                - route:
                    id: syntax
                    from:
                      uri: "smtp-server:127.0.0.1:0"
                      steps:
                        - lgo: "x"
                """);
        assertTrue(report.contains("Unknown node id: lgo"), report);
        assertTrue(report.contains("\n  " + location(6) + ":"), report);
    }

    /** A real indentation mistake: the parser's line, column and problem, not only "Error pre-parsing resource". */
    @Test
    void yamlIndentationMistakeNamesLineColumnAndProblem() throws Exception {
        String report = start("""
                - route:
                    id: indented
                    from:
                      uri: "smtp-server:127.0.0.1:0"
                      steps:
                        - to: "log:x"
                     - log: "y"
                """);
        assertTrue(report.contains("\n  " + location(7) + ":6: expected <block end>, but found '<block sequence start>'"
                                   + " (while parsing a block mapping at line 2, column 5)\n"), report);
        assertFalse(report.contains("Error pre-parsing resource"), report);
    }

    @Test
    void portInUseIsNamedAndStackTraceOnRequest() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            String report = start("""
                    - route:
                        id: taken
                        from:
                          uri: "smtp-server:127.0.0.1:%d"
                          steps:
                            - to: "log:x"
                    """.formatted(taken.getLocalPort()), "--stacktrace");
            assertTrue(report.contains("  " + location(4) + " (route taken)"), report);
            assertTrue(report.contains("\n  smtp-server cannot listen on 127.0.0.1:" + taken.getLocalPort()
                                       + ": Address already in use"), report);
            assertTrue(report.contains("\tat "), "--stacktrace prints the stack trace: " + report);
        }
    }

    /**
     * The example route sets that relay what they accept have no default for the accepted domains: started as their
     * headers say but without smtp.acceptedDomains they must not come up (with "*" they were open relays), and the
     * report names the file, the line of the listener and the missing property.
     */
    @Test
    void relayingExamplesDoNotStartWithoutTheirAcceptedDomains() throws Exception {
        Map<String, Map<String, String>> examples = Map.of(
                "routes/multi-node/node.camel.yaml", Map.of(),
                "routes/inbound-auth.camel.yaml", Map.of(),
                "routes/mail-to-kafka.camel.yaml", Map.of("smarthost.uri", "smtp-relay:127.0.0.1:1?tls=none",
                        "kafka.brokers", "127.0.0.1:1", "worker.enabled", "false"));
        for (Map.Entry<String, Map<String, String>> example : examples.entrySet()) {
            Path file = Path.of(example.getKey()).toAbsolutePath();
            List<String> lines = Files.readAllLines(file);
            int listenerLine = 1 + lines.indexOf(lines.stream().filter(l -> l.contains("uri: \"smtp-server:"))
                    .findFirst().orElseThrow());
            Main main = MailRouter.create("file:" + file);
            main.addInitialProperty("smtp.port", "0");
            main.addInitialProperty("spool.dir", dir.resolve("spool").toString());
            main.addInitialProperty("data.dir", dir.resolve("data").toString());
            example.getValue().forEach(main::addInitialProperty);
            String report;
            try {
                main.start();
                fail(file + " started without smtp.acceptedDomains");
                return;
            } catch (Exception e) {
                report = StartupFailure.describe(e, main.getCamelContext());
            } finally {
                main.stop();
            }
            assertTrue(report.contains("  file:" + file + ":" + listenerLine + " (route "), report);
            assertTrue(report.contains("Property with key [smtp.acceptedDomains] not found"), report);
        }
    }

    @Test
    void missingRoutesFileIsAUsageError() {
        assertEquals(2, MailRouter.run(new String[] {"--routes", dir.resolve("absent.camel.yaml").toString()}));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("--routes: no such file or folder"));
    }
}

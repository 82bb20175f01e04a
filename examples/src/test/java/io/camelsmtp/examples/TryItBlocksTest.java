package io.camelsmtp.examples;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import io.camelsmtp.examples.app.MailRouter;
import io.camelsmtp.examples.crash.MailRouterProcess;
import io.camelsmtp.examples.support.Peers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Runs the "Try it on one machine" block of each example's header exactly as written (docs/getting-started.md
 * describes the format), so that the blocks cannot rot:
 * <pre>
 * # Try it on one machine:
 * #   $ python3 -u -m aiosmtpd -n -l 127.0.0.1:2590 &amp;   # -&gt; Subject: hello
 * #   $ java -Dsmtp.port=2525 ... \
 * #       -jar examples/target/camel-smtp-examples.jar --routes examples/routes/x.camel.yaml &amp;
 * #   $ swaks --server 127.0.0.1 --port 2525 --to nobody@example.org   # -&gt; 550 5.1.1
 * </pre>
 * The block is the line {@code # Try it on one machine:} and the command lines after it; a command line starts
 * with {@code #   $ }, one ending in a backslash goes on in the next line (which starts with {@code #     }); the
 * first other line ends the block. Each command runs in bash, in order, in a fresh folder holding a link to
 * {@code examples/}. One ending in {@code &} runs in the background: the test waits (bounded) until the app in it
 * logs its start-up summary, or else until every port it names accepts connections. A foreground command must exit
 * with 0, or, when it ends with {@code # -> TEXT}, print TEXT (it is run again, every second for up to 30 s, until it
 * does). A background command's {@code # -> TEXT} must show in its output within 30 s after the last command.
 * <p>
 * What the test changes, and only that: every number 2500-2599 (the blocks use no others for ports) becomes a free
 * port, the same one throughout the block; {@code -jar examples/target/camel-smtp-examples.jar} becomes the app's
 * class path (the jar is built after the tests); {@code /usr/bin} goes first on PATH (Debian's python3 has aiosmtpd).
 */
class TryItBlocksTest {

    private static final Path ROUTES = Path.of("routes");
    private static final String START = "# Try it on one machine:";
    private static final String JAR = "-jar examples/target/camel-smtp-examples.jar";
    private static final Pattern PORT = Pattern.compile("\\b25\\d\\d\\b");
    /** The last "# -> TEXT" of a command. */
    private static final Pattern EXPECT = Pattern.compile("\\s+# -> ((?:(?!# -> ).)+)$");
    private static final Duration APP_START = Duration.ofSeconds(90);
    private static final Duration AWAIT = Duration.ofSeconds(30);
    /** Route sets without a block that runs here, and why. */
    private static final Map<String, String> WITHOUT_BLOCK = Map.of("mail-to-kafka.camel.yaml",
            "needs a Kafka broker (MailToKafkaTest runs one from the test class path)", "mailbox-lmtp.camel.yaml",
            "needs a Dovecot LMTP server started as root (MailboxLmtpTest starts one)");

    @TempDir
    Path dir;

    private final List<Process> background = new ArrayList<>();

    /** One command of a block: the text bash runs, whether it runs in the background, what it must print. */
    record Command(String text, boolean background, List<String> expected) {
    }

    @AfterEach
    void stopAll() {
        for (int i = background.size() - 1; i >= 0; i--) {
            Peers.stop(background.get(i));
        }
    }

    /**
     * The block of a route file's header comment (the lines before the first that is not a comment); fails when there
     * is none or when a line in it is malformed.
     */
    static List<Command> block(List<String> lines) {
        List<Command> commands = new ArrayList<>();
        int i = 0;
        while (i < lines.size() && lines.get(i).startsWith("#") && !lines.get(i).equals(START)) {
            i++;
        }
        assertTrue(i < lines.size() && lines.get(i).equals(START), "no line '" + START + "' in the header");
        for (i++; i < lines.size() && lines.get(i).startsWith("#   $ "); i++) {
            StringBuilder text = new StringBuilder(lines.get(i).substring(6).strip());
            while (text.toString().endsWith("\\")) {
                i++;
                assertTrue(i < lines.size() && lines.get(i).startsWith("#     "),
                        "a command ending in \\ goes on in a line starting with '#     ': " + text);
                text.setLength(text.length() - 1);
                text = new StringBuilder(text.toString().strip()).append(' ').append(lines.get(i).substring(1).strip());
            }
            List<String> expected = new ArrayList<>();
            for (Matcher m = EXPECT.matcher(text); m.find(); m = EXPECT.matcher(text)) {
                expected.add(0, m.group(1).strip());
                text.setLength(m.start());
            }
            String command = text.toString().strip();
            boolean bg = command.endsWith("&");
            commands.add(new Command(bg ? command.substring(0, command.length() - 1).strip() : command, bg, expected));
        }
        String after = i < lines.size() ? lines.get(i) : "";
        assertFalse(after.startsWith("#   "),
                "a block line that is neither a command ('#   $ ') nor its continuation: " + after);
        assertFalse(commands.isEmpty(), "the block has no commands");
        assertTrue(commands.stream().anyMatch(c -> c.text().contains(JAR)), "the block does not start the app");
        assertTrue(commands.stream().anyMatch(c -> !c.expected().isEmpty()), "the block checks nothing ('# -> ')");
        return commands;
    }

    @Test
    void everyRouteSetHasABlockOrAReason() throws IOException {
        List<String> files;
        try (Stream<Path> s = Files.list(ROUTES)) {
            files = s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".camel.yaml")).sorted().toList();
        }
        Set<String> tested = Set.of("submission.camel.yaml", "mx-relay.camel.yaml", "mailbox.camel.yaml",
                "content-filter.camel.yaml", "mail-to-webhook.camel.yaml", "http-to-mail.camel.yaml",
                "outbound-dkim.camel.yaml", "inbound-auth.camel.yaml", "greylisting.camel.yaml",
                "outbound-routing.camel.yaml");
        for (String f : files) {
            assertTrue(tested.contains(f) || WITHOUT_BLOCK.containsKey(f), f + ": add it to the runs below");
        }
        assertTrue(Files.isDirectory(ROUTES.resolve("multi-node")));
    }

    @Test
    void theParserIsStrict() {
        List<String> ok = List.of("# Header", "# Try it on one machine: in bash", "# Try it on one machine:",
                "#   $ java -Dx=1 \\", "#       -jar examples/target/camel-smtp-examples.jar --routes r &",
                "#   $ swaks --to a@b   # -> 250 2.0.0   # -> queued", "#", "- route:");
        List<Command> c = block(ok);
        assertEquals(List.of(new Command("java -Dx=1 -jar examples/target/camel-smtp-examples.jar --routes r", true,
                List.of()), new Command("swaks --to a@b", false, List.of("250 2.0.0", "queued"))), c);
        assertThrows(List.of("# no block", "- route:"));
        assertThrows(List.of("# Try it on one machine:", "#   $ java \\", "- route:"));
        assertThrows(List.of("# Try it on one machine:", "#   $ java " + JAR + " &  # -> x", "#   swaks"));
        assertThrows(List.of("# Try it on one machine:", "#   $ swaks   # -> 250"));
    }

    private static void assertThrows(List<String> lines) {
        org.junit.jupiter.api.Assertions.assertThrows(AssertionError.class, () -> block(lines), lines.toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"submission.camel.yaml", "mx-relay.camel.yaml", "mailbox.camel.yaml",
            "content-filter.camel.yaml", "mail-to-webhook.camel.yaml", "http-to-mail.camel.yaml",
            "outbound-dkim.camel.yaml", "inbound-auth.camel.yaml", "multi-node/node.camel.yaml",
            "greylisting.camel.yaml", "outbound-routing.camel.yaml"})
    void theBlockRunsAsWritten(String file) throws Exception {
        List<Command> commands = block(Files.readAllLines(ROUTES.resolve(file), StandardCharsets.UTF_8));
        assumeTools(commands);
        Files.createSymbolicLink(dir.resolve("examples"), Path.of("").toAbsolutePath());
        Map<String, String> ports = new LinkedHashMap<>();
        List<Path> backgroundOutput = new ArrayList<>();
        List<Command> backgroundCommands = new ArrayList<>();
        int n = 0;
        for (Command command : commands) {
            String text = localize(command.text(), ports);
            Path out = dir.resolve("command-" + (++n) + ".out");
            if (command.background()) {
                Process p = bash(text, out);
                background.add(p);
                backgroundOutput.add(out);
                backgroundCommands.add(command);
                awaitReady(p, text, out, command.text().contains(JAR), ports.values());
            } else {
                runForeground(command, text, out);
            }
        }
        for (int i = 0; i < backgroundCommands.size(); i++) {
            for (String expected : backgroundCommands.get(i).expected()) {
                Path out = backgroundOutput.get(i);
                if (!await(AWAIT, () -> read(out).contains(expected))) {
                    fail(backgroundCommands.get(i).text() + ": no '" + expected + "' in its output within " + AWAIT
                         + ":\n" + read(out) + everything());
                }
            }
        }
    }

    /**
     * The README's 30-second YAML, saved and run as the README says (on free ports): in canonical form, so Camel logs
     * no "compact notation" WARN (nor any other), a known user's mail is stored, an unknown one gets 550.
     */
    @Test
    void theReadmeExampleRunsAsItSays() throws Exception {
        assumeTrue(Peers.runs("swaks", "--version"), "SKIPPED: swaks is not installed, this test needs it");
        String readme = Files.readString(Path.of("..", "README.md"), StandardCharsets.UTF_8);
        int section = readme.indexOf("## 30-second example");
        int start = readme.indexOf("```yaml\n", section) + 8;
        String yaml = readme.substring(start, readme.indexOf("```", start));
        assertTrue(section >= 0 && yaml.contains("smtp-server:127.0.0.1:2525"), yaml);
        assertTrue(readme.contains("--routes\nhello.camel.yaml") || readme.contains("--routes hello.camel.yaml"),
                "the README says how to run it");
        Map<String, String> ports = new LinkedHashMap<>();
        Files.writeString(dir.resolve("hello.camel.yaml"), localize(yaml, ports));
        Files.createSymbolicLink(dir.resolve("examples"), Path.of("").toAbsolutePath());
        Path out = dir.resolve("app.out");
        String app = localize("java -Dadmin.port=2580 " + JAR + " --routes hello.camel.yaml", ports);
        Process p = bash(app, out);
        background.add(p);
        awaitReady(p, app, out, true, ports.values());
        runForeground(new Command("swaks --to alice@example.org", false, List.of("<-  250 2.0.0")),
                localize("swaks --server 127.0.0.1:2525 --to alice@example.org", ports), dir.resolve("1.out"));
        runForeground(new Command("swaks --to eve@example.org", false, List.of("<** 550 5.1.1")),
                localize("swaks --server 127.0.0.1:2525 --to eve@example.org", ports), dir.resolve("2.out"));
        try (Stream<Path> files = Files.list(dir.resolve("data/mailbox"))) {
            assertEquals(1, files.filter(f -> f.toString().endsWith(".eml")).count());
        }
        List<String> warnings = read(out).lines().filter(l -> l.contains(" WARN ") || l.contains(" ERROR ")).toList();
        assertEquals(List.of(), warnings);
    }

    /** Skips (loudly) when a program the block runs is missing. */
    private static void assumeTools(List<Command> commands) {
        Set<String> programs = new LinkedHashSet<>();
        for (Command c : commands) {
            programs.add(c.text().split("\\s+")[0]);
        }
        for (String program : programs) {
            assumeTrue(Peers.runs("bash", "-c", "PATH=/usr/bin:$PATH command -v " + program),
                    "SKIPPED: " + program + " is not installed; the try-it block needs it");
        }
        if (commands.stream().anyMatch(c -> c.text().contains("aiosmtpd"))) {
            assumeTrue(Peers.runs("/usr/bin/python3", "-c", "import aiosmtpd"),
                    "SKIPPED: /usr/bin/python3 has no aiosmtpd (Debian: python3-aiosmtpd); the try-it block needs it");
        }
    }

    /** The command as this test runs it: free ports, and the app from its class path instead of the jar. */
    private static String localize(String text, Map<String, String> ports) throws Exception {
        Matcher m = PORT.matcher(text);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            String port = ports.get(m.group());
            if (port == null) {
                // two look-ups of a free port can return the same one (seen in CI: smtp.port = admin.port)
                do {
                    port = String.valueOf(Peers.freePort());
                } while (ports.containsValue(port));
                ports.put(m.group(), port);
            }
            m.appendReplacement(sb, port);
        }
        m.appendTail(sb);
        String local = sb.toString();
        if (local.contains(JAR)) {
            assertTrue(local.startsWith("java "), "the app's command starts with java: " + local);
            local = "'" + Path.of(System.getProperty("java.home"), "bin", "java") + "' -Xmx512m"
                    + local.substring(4).replace(JAR, "-cp '" + MailRouterProcess.classPath() + "' "
                                                      + MailRouter.class.getName());
        }
        return local;
    }

    private Process bash(String text, Path out) throws IOException {
        Files.writeString(out, "$ " + text + "\n");
        ProcessBuilder pb = new ProcessBuilder("bash", "-c", text).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(out.toFile()));
        pb.environment().put("PATH", "/usr/bin:" + System.getenv("PATH"));
        pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        return pb.start();
    }

    private void runForeground(Command command, String text, Path out) throws Exception {
        long end = System.nanoTime() + AWAIT.toNanos();
        while (true) {
            Process p = bash(text, out);
            if (!p.waitFor(90, TimeUnit.SECONDS)) {
                Peers.stop(p);
                fail(command.text() + ": still running after 90 s:\n" + read(out));
            }
            String printed = read(out);
            boolean ok = command.expected().isEmpty() ? p.exitValue() == 0
                    : command.expected().stream().allMatch(printed::contains);
            if (ok) {
                return;
            }
            if (command.expected().isEmpty() || System.nanoTime() > end) {
                fail(command.text() + (command.expected().isEmpty() ? ": exit status " + p.exitValue()
                        : ": does not print " + command.expected()) + ":\n" + printed + everything());
            }
            Thread.sleep(1000);
        }
    }

    /** Until the app's start-up summary, or until every port the command names accepts connections. */
    private void awaitReady(Process p, String text, Path out, boolean app, java.util.Collection<String> freePorts)
            throws Exception {
        boolean ready;
        if (app) {
            ready = await(APP_START, () -> !p.isAlive() || read(out).contains("camel-smtp started:"));
        } else {
            List<Integer> ports = freePorts.stream().filter(port -> Pattern.compile("\\b" + port + "\\b").matcher(text).find())
                    .map(Integer::valueOf).toList();
            ready = await(AWAIT, () -> !p.isAlive() || ports.stream().allMatch(TryItBlocksTest::accepts));
        }
        if (!ready || !p.isAlive()) {
            fail("background command " + (p.isAlive() ? "not ready in time" : "ended") + ": " + text + "\n"
                 + read(out));
        }
    }

    private static boolean accepts(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean await(Duration limit, java.util.function.BooleanSupplier condition)
            throws InterruptedException {
        long end = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < end) {
            if (condition.getAsBoolean()) {
                return true;
            }
            Thread.sleep(200);
        }
        return condition.getAsBoolean();
    }

    private String everything() {
        StringBuilder sb = new StringBuilder();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.filter(f -> f.getFileName().toString().endsWith(".out")).sorted().toList()) {
                sb.append("\n--- ").append(p.getFileName()).append('\n').append(tail(read(p)));
            }
        } catch (IOException e) {
            sb.append(e);
        }
        return sb.toString();
    }

    private static String tail(String s) {
        return s.length() > 6000 ? "..." + s.substring(s.length() - 6000) : s;
    }

    private static String read(Path p) {
        try {
            return Files.readString(p, StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            return "";
        }
    }
}

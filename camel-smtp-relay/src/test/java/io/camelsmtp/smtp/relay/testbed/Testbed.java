package io.camelsmtp.smtp.relay.testbed;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Real DNS and real receiving MTAs on loopback, as child processes of the test JVM: dnsmasq serving the zone
 * {@code .test} on 127.0.0.1:15353 (src/test/resources/testbed/dnsmasq.conf), a SERVFAIL responder behind it,
 * Postfix's smtp-sink in one mode per loopback address, and aiosmtpd with STARTTLS. Every receiver listens on port 25,
 * which needs root.
 * <p>
 * Each child runs under {@code timeout 900}, so nothing outlives a killed JVM by more than 15 minutes; its output goes
 * to {@code target/testbed/<name>.log} (no pipe can fill up), its PID to {@code target/testbed/pids} (after a
 * {@code kill -9} of the JVM: {@code kill $(cut -d' ' -f1 target/testbed/pids)}). {@link #close()} runs at the end of
 * the test run and from a shutdown hook. Every wait is bounded.
 *
 * <table>
 * <caption>Who listens where (port 25)</caption>
 * <tr><th>receiver</th><th>address</th><th>behaviour</th></tr>
 * <tr><td>mx1, mx2, mx3</td><td>127.0.0.2, .3, .4</td><td>accept, dump each message to its own folder</td></tr>
 * <tr><td>v6</td><td>[::1]</td><td>accept and dump</td></tr>
 * <tr><td>tempfail</td><td>127.0.0.11</td><td>{@code 451 4.3.0} to every RCPT</td></tr>
 * <tr><td>reject</td><td>127.0.0.12</td><td>{@code 550 5.1.1} to every RCPT</td></tr>
 * <tr><td>dropdot</td><td>127.0.0.13</td><td>closes after the final dot without a reply</td></tr>
 * <tr><td>dropdata</td><td>127.0.0.14</td><td>{@code 354}, then {@code 550} and closes in the middle of DATA</td></tr>
 * <tr><td>silent</td><td>127.0.0.15</td><td>accepts TCP, never greets</td></tr>
 * <tr><td>busy</td><td>127.0.0.16</td><td>{@code 421} greeting, closes</td></tr>
 * <tr><td>stall</td><td>127.0.0.25</td><td>{@code 354}, then stops reading for 4 s, then {@code 550} and closes</td></tr>
 * <tr><td>tls (aiosmtpd)</td><td>127.0.0.17</td><td>STARTTLS required, certificate mx.tls.test / 127.0.0.17</td></tr>
 * <tr><td>refused</td><td>127.0.0.18</td><td>nothing listening</td></tr>
 * </table>
 * 127.0.0.19:25, 127.0.0.21-23:25 and 127.0.0.17:587 are left to listeners inside the test JVM; 127.0.0.20:25 is bound
 * for a moment to check that this user may listen on port 25.
 */
public final class Testbed implements AutoCloseable {

    public static final int DNS_PORT = 15353;
    public static final String DNS_SERVER = "127.0.0.1:" + DNS_PORT;
    static final int SERVFAIL_PORT = 15354;

    private static final String MAX_LIFE_SECONDS = "900";
    private static final Duration READY = Duration.ofSeconds(10);

    /** smtp-sink receivers that dump what they accept: name, address. */
    private static final Map<String, String> DUMPING = Map.of("mx1", "127.0.0.2", "mx2", "127.0.0.3", "mx3", "127.0.0.4",
            "v6", "::1");

    private static final List<String> RESOURCE_FILES = List.of("dnsmasq.conf", "rcode_responder.py", "tls.crt",
            "tls.key", "tls.p12", "trust.p12", "peer_log.py");

    private final Path resources;
    private final Path work;
    private final Path pids;
    private final List<Process> processes = new ArrayList<>();
    private final Map<String, Long> startMillis = new LinkedHashMap<>();
    private final Thread shutdownHook = new Thread(this::close, "testbed-shutdown");

    public Testbed() {
        this.resources = resourceDirectory();
        this.work = resources.getParent().getParent().resolve("testbed"); // target/test-classes/testbed -> target/testbed
        this.pids = work.resolve("pids");
    }

    /**
     * The copy Maven made of src/test/resources/testbed (never anything outside the module). Another module that
     * runs the test bed from this module's test jar gets the files copied into its own target/test-classes/testbed.
     */
    public static Path resourceDirectory() {
        URL conf = Testbed.class.getResource("/testbed/dnsmasq.conf");
        if (conf == null) {
            throw new IllegalStateException("testbed/dnsmasq.conf is not on the test classpath");
        }
        try {
            if (!"jar".equals(conf.getProtocol())) {
                return Path.of(conf.toURI()).getParent();
            }
            Path dir = Path.of("target", "test-classes", "testbed").toAbsolutePath();
            Files.createDirectories(dir);
            for (String f : RESOURCE_FILES) {
                try (InputStream in = Testbed.class.getResourceAsStream("/testbed/" + f)) {
                    Files.copy(in, dir.resolve(f), StandardCopyOption.REPLACE_EXISTING);
                }
            }
            return dir;
        } catch (URISyntaxException | IOException e) {
            throw new IllegalStateException("cannot read the test bed's files: " + e, e);
        }
    }

    /**
     * Why the test bed cannot run on this machine, or null when it can: the missing package, or not being root.
     */
    public static String missingPrerequisite() {
        if (which("timeout") == null) {
            return "timeout not installed: apt-get install coreutils";
        }
        if (which("dnsmasq") == null) {
            return "dnsmasq not installed: apt-get install dnsmasq-base";
        }
        if (which("smtp-sink") == null) {
            return "smtp-sink not installed: apt-get install postfix (debconf: No configuration)";
        }
        if (!Files.isExecutable(Path.of("/usr/bin/python3")) || !python3Has("aiosmtpd")) {
            return "aiosmtpd not installed for /usr/bin/python3: apt-get install python3-aiosmtpd";
        }
        try (ServerSocket probe = new ServerSocket(25, 1, InetAddress.getByName("127.0.0.20"))) {
            return null;
        } catch (IOException e) {
            return "cannot listen on port 25 of 127.0.0.x (" + e.getMessage() + "): the receivers need root (user is "
                   + System.getProperty("user.name") + ")";
        }
    }

    private static Path which(String tool) {
        List<String> dirs = new ArrayList<>(List.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)));
        dirs.addAll(List.of("/usr/sbin", "/sbin", "/usr/bin", "/bin"));
        for (String d : dirs) {
            if (!d.isEmpty() && Files.isExecutable(Path.of(d, tool))) {
                return Path.of(d, tool);
            }
        }
        return null;
    }

    static boolean python3Has(String module) {
        try {
            Process p = new ProcessBuilder("/usr/bin/python3", "-c", "import " + module)
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return false;
            }
            return p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Starts everything, or stops what it started and throws. */
    public Testbed start() throws Exception {
        Runtime.getRuntime().addShutdownHook(shutdownHook);
        try {
            deleteRecursively(work);
            Files.createDirectories(work);
            timed("servfail responder", this::startServfailResponder); // before dnsmasq forwards to it
            timed("dnsmasq", this::startDnsmasq);
            timed("smtp-sink x11", this::startSinks);
            timed("aiosmtpd", this::startAiosmtpd);
            return this;
        } catch (Exception | Error e) {
            close();
            throw e;
        }
    }

    private void startServfailResponder() throws Exception {
        Path log = work.resolve("servfail.log");
        Process p = launch("servfail", "/usr/bin/python3", resources.resolve("rcode_responder.py").toString(),
                Integer.toString(SERVFAIL_PORT), "2");
        long end = System.nanoTime() + READY.toNanos();
        while (!Files.exists(log) || !Files.readString(log).contains("ready")) {
            if (!p.isAlive()) {
                throw new IllegalStateException("SERVFAIL responder exited " + p.exitValue() + ": " + tail(log));
            }
            if (System.nanoTime() > end) {
                throw new IllegalStateException("SERVFAIL responder not ready after " + READY + ": " + tail(log));
            }
            Thread.sleep(5);
        }
    }

    private void startDnsmasq() throws Exception {
        if (dnsAnswers(Duration.ofMillis(50))) {
            throw new IllegalStateException("a DNS server already answers on 127.0.0.1:" + DNS_PORT
                                            + " (a test bed left over from an earlier run, or another run at the same time?)");
        }
        Process p = launch("dnsmasq", "dnsmasq", "-C", resources.resolve("dnsmasq.conf").toString());
        long end = System.nanoTime() + READY.toNanos();
        while (!dnsAnswers(Duration.ofMillis(50))) {
            if (!p.isAlive()) {
                throw new IllegalStateException("dnsmasq exited " + p.exitValue() + ": " + tail(work.resolve("dnsmasq.log")));
            }
            if (System.nanoTime() > end) {
                throw new IllegalStateException("dnsmasq not answering after " + READY);
            }
            Thread.sleep(5);
        }
    }

    /** MX query for multi.test, id 0x7e57, recursion desired. */
    private static final byte[] PROBE = {
            0x7e, 0x57, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
            0x05, 'm', 'u', 'l', 't', 'i', 0x04, 't', 'e', 's', 't', 0x00, 0x00, 0x0f, 0x00, 0x01 };

    /**
     * One MX query over a plain UDP socket, true on a NOERROR answer. Hand-made, since dnsjava's resolver checks its
     * timeouts only once a second and its first use costs a few hundred ms of class loading.
     */
    private static boolean dnsAnswers(Duration timeout) throws IOException {
        try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            socket.setSoTimeout((int) timeout.toMillis());
            socket.send(new DatagramPacket(PROBE, PROBE.length, InetAddress.getLoopbackAddress(), DNS_PORT));
            DatagramPacket answer = new DatagramPacket(new byte[4096], 4096);
            socket.receive(answer);
            byte[] a = answer.getData();
            return answer.getLength() >= 12 && a[0] == PROBE[0] && a[1] == PROBE[1] && (a[2] & 0x80) != 0 && (a[3] & 0x0f) == 0;
        } catch (SocketTimeoutException | PortUnreachableException e) {
            return false;
        }
    }

    private void startSinks() throws Exception {
        for (Map.Entry<String, String> d : DUMPING.entrySet()) {
            sink(d.getKey(), d.getValue(), "-d", dumpDirectory(d.getKey()) + "/%H%M%S.");
        }
        sink("tempfail", "127.0.0.11", "-r", "RCPT", "-b", "451 4.3.0 Try again later");
        sink("reject", "127.0.0.12", "-f", "RCPT", "-B", "550 5.1.1 No such user");
        sink("dropdot", "127.0.0.13", "-q", ".");
        sink("dropdata", "127.0.0.14", "-A", "0");
        sink("silent", "127.0.0.15", "-W", "CONNECT:3600");
        sink("busy", "127.0.0.16", "-Q", "CONNECT");
        sink("stall", "127.0.0.25", "-A", "4");
    }

    /** {@code smtp-sink -u root -a [opts] address:25 50}: -u is mandatory as root, -a offers no AUTH. */
    private void sink(String name, String address, String... options) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("smtp-sink", "-u", "root", "-a"));
        cmd.addAll(List.of(options));
        cmd.add((address.contains(":") ? "[" + address + "]" : address) + ":25");
        cmd.add("50");
        ensureFree(address, 25);
        waitListening(address, 25, launch("sink-" + name, cmd.toArray(String[]::new)));
    }

    private void startAiosmtpd() throws Exception {
        ensureFree("127.0.0.17", 25);
        waitListening("127.0.0.17", 25, launch("aiosmtpd", "/usr/bin/python3", "-m", "aiosmtpd", "-n", "-l", "127.0.0.17:25",
                "--tlscert", resources.resolve("tls.crt").toString(), "--tlskey", resources.resolve("tls.key").toString(),
                "-c", "aiosmtpd.handlers.Mailbox", work.resolve("maildir").toString()));
    }

    private Process launch(String name, String... command) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("timeout", MAX_LIFE_SECONDS));
        cmd.addAll(List.of(command));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(work.resolve(name + ".log").toFile());
        pb.environment().put("PATH", pb.environment().getOrDefault("PATH", "") + ":/usr/sbin:/sbin");
        Process p = pb.start();
        synchronized (this) {
            processes.add(p);
        }
        Files.writeString(pids, p.pid() + " " + String.join(" ", command) + "\n", StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        return p;
    }

    /** A listener left over from an earlier run would fool the readiness probe: refuse to start instead. */
    public static void ensureFree(String address, int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(address, port), 200);
        } catch (IOException free) {
            return;
        }
        throw new IllegalStateException(address + ":" + port + " is already taken (a test bed left over from an earlier "
                                        + "run, or another run at the same time?)");
    }

    static void waitListening(String address, int port, Process p) throws Exception {
        long end = System.nanoTime() + READY.toNanos();
        while (true) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(address, port), 200);
                return;
            } catch (IOException e) {
                if (!p.isAlive()) {
                    throw new IllegalStateException(p.info().command().orElse("child") + " exited " + p.exitValue()
                                                    + " before listening on " + address + ":" + port);
                }
                if (System.nanoTime() > end) {
                    throw new IllegalStateException("nothing listening on " + address + ":" + port + " after " + READY);
                }
                Thread.sleep(5);
            }
        }
    }

    private interface Step {
        void run() throws Exception;
    }

    private void timed(String what, Step step) throws Exception {
        long t0 = System.nanoTime();
        step.run();
        startMillis.put(what, (System.nanoTime() - t0) / 1_000_000);
    }

    /** How long each part took to start, in ms. */
    public Map<String, Long> startMillis() {
        return startMillis;
    }

    /** Where the dumping smtp-sink {@code receiver} (mx1, mx2, mx3, v6) writes one file per message. */
    public Path dumpDirectory(String receiver) {
        if (!DUMPING.containsKey(receiver)) {
            throw new IllegalArgumentException("not a dumping receiver: " + receiver);
        }
        return work.resolve("dump").resolve(receiver);
    }

    /**
     * The messages the dumping smtp-sink {@code receiver} accepted for envelope recipient {@code recipient}, as dumped
     * (lines {@code X-Mail-Args:}, {@code X-Rcpt-Args:}, then the message).
     */
    public List<String> dumped(String receiver, String recipient) {
        return matching(dumpDirectory(receiver), "X-Rcpt-Args: <" + recipient + ">");
    }

    /** Like {@link #dumped}, waiting up to 2 s for {@code expected} dump files to appear. */
    public List<String> dumpedEventually(String receiver, String recipient, int expected) throws InterruptedException {
        long end = System.nanoTime() + Duration.ofSeconds(2).toNanos();
        List<String> got = dumped(receiver, recipient);
        while (got.size() < expected && System.nanoTime() < end) {
            Thread.sleep(10);
            got = dumped(receiver, recipient);
        }
        return got;
    }

    /** The messages aiosmtpd (127.0.0.17) accepted for {@code recipient}, each with its {@code X-RcptTo:} line. */
    public List<String> tlsReceived(String recipient) {
        return matching(work.resolve("maildir").resolve("new"), "X-RcptTo: " + recipient);
    }

    private static List<String> matching(Path dir, String needle) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            List<String> out = new ArrayList<>();
            for (Path f : files.sorted().toList()) {
                String text = Files.readString(f, StandardCharsets.ISO_8859_1);
                if (text.contains(needle)) {
                    out.add(text);
                }
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String tail(Path log) {
        try {
            String s = Files.exists(log) ? Files.readString(log) : "";
            return s.length() > 2000 ? s.substring(s.length() - 2000) : s;
        } catch (IOException e) {
            return e.toString();
        }
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    /** Stops every child (SIGTERM, which timeout passes on), waiting at most a few seconds; idempotent. */
    @Override
    public void close() {
        List<Process> all;
        synchronized (this) {
            all = new ArrayList<>(processes);
            processes.clear();
        }
        if (all.isEmpty()) {
            return;
        }
        long t0 = System.nanoTime();
        for (Process p : all) {
            p.destroy();
        }
        for (Process p : all) {
            try {
                if (!p.waitFor(2, TimeUnit.SECONDS)) {
                    p.destroyForcibly().waitFor(2, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        System.out.println("TESTBED stopped " + all.size() + " processes in " + (System.nanoTime() - t0) / 1_000_000 + " ms"
                           + (Thread.currentThread() == shutdownHook ? " (shutdown hook)" : ""));
        if (Thread.currentThread() != shutdownHook) {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException | IllegalArgumentException alreadyShuttingDownOrNotAdded) {
                // the hook is running or was never added: nothing to undo
            }
        }
    }
}

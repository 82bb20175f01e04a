package io.camelsmtp.smtp.relay.support;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.apache.camel.test.AvailablePortFinder;

/**
 * The peers of the MTA-STS tests, started once per JVM: a test CA ({@link TestPki}), the HTTPS policy host
 * ({@code mtasts/policy_server.py}: every {@code mta-sts.<domain>} on 127.0.0.1, policies from files in
 * {@link #policies}), aiosmtpd with a valid certificate for mx.aio.test on 127.0.0.46, and an in-JVM DNS with the
 * test domains. The receivers inside the test JVM (smtp-server) listen on {@link #mxPort} of:
 * <ul>
 * <li>127.0.0.41: certificate from the CA for the mx.*.test names the good policies list ({@code good});</li>
 * <li>127.0.0.42: from the CA, but for mx.other.test only ({@code mismatch});</li>
 * <li>127.0.0.43: from the CA, for mx.expired.test, expired ({@code expired});</li>
 * <li>127.0.0.44: self-signed, for mx.selfsigned.test ({@code selfsigned});</li>
 * <li>127.0.0.45: no STARTTLS at all.</li>
 * </ul>
 * Child processes run under {@code timeout 900}; they are killed, and the directory removed, at JVM exit.
 */
public final class MtaStsPeers {

    public static final String GOOD = "127.0.0.41";
    public static final String MISMATCH = "127.0.0.42";
    public static final String EXPIRED = "127.0.0.43";
    public static final String SELF_SIGNED = "127.0.0.44";
    public static final String PLAIN = "127.0.0.45";
    public static final String AIOSMTPD = "127.0.0.46";

    private static MtaStsPeers peers;
    private static String missing;

    public final Path dir;
    public final TestPki pki;
    public final Path policies;
    public final Path maildir;
    public final InJvmDns dns;
    public final int mxPort;
    public final int policyPort;
    private final Process policyServer;
    private final Process aiosmtpd;

    /** Why the peers cannot run here (a missing tool), or null. Decided once. */
    public static synchronized String missing() {
        if (peers == null && missing == null) {
            missing = TestPki.missingTool();
            if (missing == null && !Files.isExecutable(Path.of("/usr/bin/python3"))) {
                missing = "/usr/bin/python3 not installed";
            }
        }
        return missing;
    }

    public static synchronized MtaStsPeers get() throws Exception {
        if (peers == null) {
            peers = new MtaStsPeers();
            Runtime.getRuntime().addShutdownHook(new Thread(peers::close));
        }
        return peers;
    }

    private MtaStsPeers() throws Exception {
        dir = Files.createTempDirectory("mta-sts-peers");
        policies = Files.createDirectories(dir.resolve("policies"));
        maildir = dir.resolve("maildir");
        pki = TestPki.create(dir);
        pki.leaf("good", false, false, "mx.enforce.test", "mx.chunked.test", "mx.persist.test", "mx.refetch.test",
                "mx.aio.test", "mx.testing-good.test", "mx.required.test", "mx.refresh.test", "mx.refreshhang.test");
        pki.leaf("mismatch", false, false, "mx.other.test");
        pki.leaf("expired", true, false, "mx.expired.test");
        pki.leaf("selfsigned", false, true, "mx.selfsigned.test");
        // the policy host: every test domain but webpki.test, whose policy host therefore fails validation
        pki.leaf("policyhost", false, false, "mta-sts.enforce.test", "mta-sts.aio.test", "mta-sts.nomatch.test",
                "mta-sts.mismatch.test", "mta-sts.expired.test", "mta-sts.selfsigned.test", "mta-sts.nostarttls.test",
                "mta-sts.testing.test", "mta-sts.none.test", "mta-sts.notfound.test", "mta-sts.redirect.test",
                "mta-sts.big.test", "mta-sts.bigchunked.test", "mta-sts.hang.test", "mta-sts.html.test",
                "mta-sts.badpolicy.test", "mta-sts.chunked.test", "mta-sts.persist.test", "mta-sts.refetch.test",
                "mta-sts.required.test", "mta-sts.testing-good.test", "mta-sts.m-enforce.test", "mta-sts.m-mismatch.test",
                "mta-sts.m-expired.test", "mta-sts.m-nostarttls.test", "mta-sts.m-testing.test", "mta-sts.m-relaxed.test",
                "mta-sts.m-reqsts.test", "mta-sts.both.signed.dnssec.test", "mta-sts.m-unlisted.test",
                "mta-sts.m-requnlisted.test", "mta-sts.m-reqfetch.test", "mta-sts.refresh.test",
                "mta-sts.refreshhang.test");
        mxPort = AvailablePortFinder.getNextAvailable();
        dns = new InJvmDns();
        policyServer = launch("policy-server", "/usr/bin/python3", resource("mtasts/policy_server.py"),
                policies.toString(), pki.file("policyhost.crt").toString(), pki.file("policyhost.key").toString(),
                dir.resolve("policy.port").toString());
        policyPort = waitForPort(dir.resolve("policy.port"));
        aiosmtpd = aiosmtpdInstalled() ? launch("aiosmtpd", "/usr/bin/python3", "-m", "aiosmtpd", "-n", "-l",
                AIOSMTPD + ":" + mxPort, "--tlscert", pki.file("good.crt").toString(), "--tlskey",
                pki.file("good.key").toString(), "-c", "aiosmtpd.handlers.Mailbox", maildir.toString()) : null;
        if (aiosmtpd != null) {
            waitListening(AIOSMTPD, mxPort);
        }
    }

    public boolean hasAiosmtpd() {
        return aiosmtpd != null;
    }

    /** Publishes the policy (or a {@code !mode} line, see policy_server.py) of {@code domain}. */
    public void policy(String domain, String body) throws IOException {
        Path tmp = policies.resolve("." + domain + ".tmp");
        Files.writeString(tmp, body);
        Files.move(tmp, policies.resolve(domain), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    /** How often the policy of {@code domain} was asked for. */
    public long fetches(String domain) throws IOException {
        Path hits = policies.resolve("hits.log");
        if (!Files.exists(hits)) {
            return 0;
        }
        return Files.readAllLines(hits).stream().filter(l -> l.startsWith("mta-sts." + domain + " ")).count();
    }

    private static boolean aiosmtpdInstalled() throws InterruptedException {
        try {
            Process p = new ProcessBuilder("/usr/bin/python3", "-c", "import aiosmtpd").redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return p.waitFor(20, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        }
    }

    private String resource(String name) throws Exception {
        return Path.of(MtaStsPeers.class.getClassLoader().getResource(name).toURI()).toString();
    }

    private Process launch(String name, String... command) throws IOException {
        List<String> cmd = new java.util.ArrayList<>(List.of("/usr/bin/timeout", "900"));
        cmd.addAll(List.of(command));
        return new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve(name + ".log").toFile())).start();
    }

    private int waitForPort(Path file) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < end) {
            if (Files.exists(file)) {
                return Integer.parseInt(Files.readString(file).strip());
            }
            if (!policyServer.isAlive()) {
                break;
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException("policy server did not start: " + Files.readString(dir.resolve("policy-server.log")));
    }

    private void waitListening(String host, int port) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < end) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(host, port), 500);
                return;
            } catch (IOException e) {
                Thread.sleep(100);
            }
        }
        throw new IllegalStateException(host + ":" + port + " did not start listening");
    }

    private void close() {
        for (Process p : new Process[] { policyServer, aiosmtpd }) {
            if (p != null) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
            }
        }
        dns.close();
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            // a temporary directory: left behind at worst
        }
    }
}

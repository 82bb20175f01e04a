package io.camelsmtp.smtp.auth.dkim;

import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.camelsmtp.smtp.auth.support.TestKeys;
import io.camelsmtp.smtp.auth.support.TxtDns;
import org.apache.camel.test.AvailablePortFinder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static io.camelsmtp.smtp.auth.dkim.DkimMessages.MESSAGE;
import static io.camelsmtp.smtp.auth.dkim.DkimMessages.bytes;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * rspamd (3.4) as a third judge, started by the test with a private configuration (TESTBED.md section 9) whose
 * resolver is the test's DNS responder: our RSA and Ed25519 signatures give R_DKIM_ALLOW, a changed body
 * R_DKIM_REJECT. Needs root (rspamd drops to _rspamd) and about 20 s for rspamd's first start.
 */
class DkimRspamdTest {

    @TempDir
    static Path dir;
    static TxtDns dns;
    static Process rspamd;
    static int port;

    @BeforeAll
    static void start() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/rspamd")) && Files.isExecutable(Path.of("/usr/bin/rspamc")),
                "rspamd is not installed (apt-get install rspamd)");
        assumeTrue("root".equals(System.getProperty("user.name")), "rspamd is started as root and drops to _rspamd");
        dns = new TxtDns().txt("rsa1._domainkey.bar.test", TestKeys.record(TestKeys.RSA))
                .txt("ed1._domainkey.bar.test", TestKeys.record(TestKeys.ED25519));
        port = AvailablePortFinder.getNextAvailable();
        int controller = AvailablePortFinder.getNextAvailable();
        int proxy = AvailablePortFinder.getNextAvailable();
        Path conf = Files.createDirectories(dir.resolve("conf"));
        Path local = Files.createDirectories(conf.resolve("local.d")); // rspamd.conf includes $LOCAL_CONFDIR/local.d/*.inc
        Files.writeString(local.resolve("options.inc"), "dns { nameserver = [\"" + dns.server() + "\"]; }\n");
        Files.writeString(local.resolve("worker-normal.inc"), "bind_socket = \"127.0.0.1:" + port + "\";\n");
        Files.writeString(local.resolve("worker-controller.inc"), "bind_socket = \"127.0.0.1:" + controller + "\";\n");
        Files.writeString(local.resolve("worker-proxy.inc"), "bind_socket = \"127.0.0.1:" + proxy + "\";\n");
        Files.writeString(local.resolve("logging.inc"), "type = \"file\"; filename = \"" + dir.resolve("log/rspamd.log") + "\";\n");
        UserPrincipalLookupService users = dir.getFileSystem().getUserPrincipalLookupService();
        for (String d : List.of("db", "run", "log")) {
            Path p = Files.createDirectories(dir.resolve(d));
            Files.setOwner(p, users.lookupPrincipalByName("_rspamd"));
            GroupPrincipal g = users.lookupPrincipalByGroupName("_rspamd");
            Files.getFileAttributeView(p, PosixFileAttributeView.class).setGroup(g);
        }
        Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        rspamd = new ProcessBuilder("rspamd", "-f", "-u", "_rspamd", "-g", "_rspamd", "-c", "/etc/rspamd/rspamd.conf",
                "--var", "LOCAL_CONFDIR=" + conf, "--var", "DBDIR=" + dir.resolve("db"), "--var", "RUNDIR=" + dir.resolve("run"),
                "--var", "LOGDIR=" + dir.resolve("log")).redirectErrorStream(true).redirectOutput(dir.resolve("stdout").toFile())
                .start();
        long end = System.currentTimeMillis() + 90_000;
        while (!listening(port)) {
            if (!rspamd.isAlive() || System.currentTimeMillis() > end) {
                String why = "rspamd did not listen within 90 s: " + Files.readString(dir.resolve("stdout"))
                             + (Files.exists(dir.resolve("log/rspamd.log")) ? Files.readString(dir.resolve("log/rspamd.log")) : "");
                System.err.println("*** SKIPPED: " + why);
                assumeTrue(false, why);
            }
            Thread.sleep(500);
        }
    }

    @AfterAll
    static void stop() throws Exception {
        if (rspamd != null) {
            rspamd.destroy();
            if (!rspamd.waitFor(10, TimeUnit.SECONDS)) {
                rspamd.destroyForcibly();
            }
        }
        if (dns != null) {
            dns.close();
        }
    }

    private static boolean listening(int port) {
        try (Socket s = new Socket("127.0.0.1", port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static String symbols(byte[] message) throws Exception {
        Path f = Files.write(dir.resolve("m-" + System.nanoTime() + ".eml"), message);
        Process p = new ProcessBuilder("rspamc", "-h", "127.0.0.1:" + port, "-i", "192.0.2.10", "-F", "alice@bar.test",
                "--helo", "mx.bar.test", "symbols", f.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "rspamc did not finish");
        return out;
    }

    @Test
    void rspamdAllowsOurRsaAndEd25519Signatures() throws Exception {
        for (SigningKey key : List.of(new SigningKey("bar.test", "rsa1", TestKeys.RSA),
                new SigningKey("bar.test", "ed1", TestKeys.ED25519))) {
            byte[] signed = DkimMessages.sign(bytes(MESSAGE), "relaxed/relaxed", null, key);
            String out = symbols(signed);
            assertTrue(out.contains("R_DKIM_ALLOW") && !out.contains("R_DKIM_REJECT"), key + ": " + out);
            String changed = symbols(bytes(new String(signed, StandardCharsets.ISO_8859_1).replace("figures", "Figures")));
            assertTrue(changed.contains("R_DKIM_REJECT"), key + " changed body: " + changed);
            assertFalse(changed.contains("R_DKIM_ALLOW"), changed);
        }
    }
}

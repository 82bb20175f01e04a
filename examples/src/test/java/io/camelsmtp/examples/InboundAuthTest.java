package io.camelsmtp.examples;

import java.io.IOException;
import java.io.InputStream;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import io.camelsmtp.examples.app.MailRouter;
import io.camelsmtp.examples.support.Peers;
import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.Store;
import org.apache.camel.main.Main;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static io.camelsmtp.examples.support.Peers.freePort;
import static io.camelsmtp.examples.support.Peers.run;
import static io.camelsmtp.examples.support.Peers.runs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * routes/inbound-auth.camel.yaml through the whole stack: swaks sends from 127.0.0.1, dnsmasq (on a free port, the
 * route's dns.servers) serves the sender domains' SPF and DMARC records and a block list, the route delivers into
 * Maildirs, and Dovecot (set up as in MailboxTest, from mailbox/dovecot.conf) serves them over IMAP, where the
 * message shows our Authentication-Results header. A DMARC p=reject spoof gets 550 5.7.1 at the end of DATA and is
 * stored nowhere, an SPF -all failure 550 5.7.23 at MAIL FROM, a p=quarantine failure goes to the quarantine tree.
 */
class InboundAuthTest {

    private static final String DOVECOT = "/usr/sbin/dovecot";
    private static final String MAIL_USER = "mail";

    @TempDir
    Path tmp;

    private Process dovecot;
    private Process dnsmasq;
    private Main main;
    private int smtpPort;
    private int imapPort;
    private Path maildir;
    private Path quarantine;

    @BeforeEach
    void start() throws Exception {
        assumeTrue(Files.isExecutable(Path.of(DOVECOT)), "SKIPPED: dovecot is not installed (Debian package"
                                                         + " dovecot-imapd), the IMAP server of this end-to-end test");
        Path dnsmasqExe = Stream.of("/usr/sbin/dnsmasq", "/usr/bin/dnsmasq").map(Path::of).filter(Files::isExecutable)
                .findFirst().orElse(null);
        assumeTrue(dnsmasqExe != null, "SKIPPED: dnsmasq is not installed, the DNS of this end-to-end test");
        assumeTrue(runs("swaks", "--version"), "SKIPPED: swaks is not installed, this end-to-end test needs it");
        assumeTrue("root".equals(System.getProperty("user.name")), "SKIPPED: starting Dovecot with a mail user of its"
                                                                   + " own needs root");
        assumeTrue(runs("id", "-u", MAIL_USER), "SKIPPED: there is no system user '" + MAIL_USER + "'");

        int dnsPort = freeUdpAndTcpPort();
        String conf = String.join("\n", "port=" + dnsPort, "listen-address=127.0.0.1", "bind-interfaces", "no-resolv",
                "no-hosts", "keep-in-foreground", "log-facility=-", "pid-file=", "user=", "local-ttl=60",
                "local=/test/",
                "txt-record=good.test,\"v=spf1 ip4:127.0.0.1 -all\"",
                "txt-record=_dmarc.good.test,\"v=DMARC1; p=reject\"",
                "txt-record=other.test,\"v=spf1 ip4:127.0.0.1 -all\"",
                "txt-record=soft.test,\"v=spf1 ip4:192.0.2.1 ~all\"",
                "txt-record=_dmarc.soft.test,\"v=DMARC1; p=quarantine\"",
                "txt-record=bad.test,\"v=spf1 ip4:192.0.2.1 -all\"",
                // the block list answers for 127.0.0.9 only: the client 127.0.0.1 is clean
                "host-record=9.0.0.127.bl.test,127.0.0.2", "");
        Path dnsConf = Files.writeString(tmp.resolve("dnsmasq.conf"), conf);
        dnsmasq = new ProcessBuilder("timeout", "900", dnsmasqExe.toString(), "-C", dnsConf.toString())
                .redirectErrorStream(true).redirectOutput(tmp.resolve("dnsmasq.log").toFile()).start();
        awaitPort(dnsPort, dnsmasq, "dnsmasq.log");

        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
        maildir = tmp.resolve("maildir");
        quarantine = tmp.resolve("quarantine");
        Path dc = Files.createDirectories(tmp.resolve("dovecot"));
        Files.writeString(dc.resolve("users"), "alice:{PLAIN}alice-pw::::::\n");
        imapPort = freePort();
        String template;
        try (InputStream in = getClass().getResourceAsStream("/mailbox/dovecot.conf")) {
            template = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        Files.writeString(dc.resolve("dovecot.conf"), template.replace("@DIR@", tmp.toString())
                .replace("@PORT@", String.valueOf(imapPort)).replace("@MAIL_USER@", MAIL_USER));
        dovecot = new ProcessBuilder("timeout", "900", DOVECOT, "-F", "-c", dc.resolve("dovecot.conf").toString())
                .redirectErrorStream(true).redirectOutput(dc.resolve("dovecot.out").toFile()).start();
        awaitPort(imapPort, dovecot, "dovecot/dovecot.out");

        smtpPort = freePort();
        main = MailRouter.create("file:routes/inbound-auth.camel.yaml");
        main.addInitialProperty("smtp.port", String.valueOf(smtpPort));
        main.addInitialProperty("smtp.hostName", "mx.example.org");
        main.addInitialProperty("admin.port", String.valueOf(freePort()));
        main.addInitialProperty("data.dir", tmp.resolve("data").toString());
        main.addInitialProperty("smtp.acceptedDomains", "example.org");
        main.addInitialProperty("maildir.base", maildir.toString());
        main.addInitialProperty("maildir.quarantine", quarantine.toString());
        main.addInitialProperty("maildir.owner", MAIL_USER);
        main.addInitialProperty("dns.servers", "127.0.0.1:" + dnsPort);
        main.addInitialProperty("dnsbl.zones", "bl.test");
        main.addInitialProperty("dnsbl.allowList", "10.0.0.0/8");
        main.start();
    }

    @AfterEach
    void stop() throws Exception {
        if (main != null) {
            main.stop();
        }
        Peers.stop(dovecot);
        Peers.stop(dnsmasq);
    }

    private static int freeUdpAndTcpPort() throws IOException {
        for (int i = 0; i < 50; i++) {
            try (ServerSocket t = new ServerSocket(0)) {
                try (DatagramSocket u = new DatagramSocket(t.getLocalPort())) {
                    return t.getLocalPort();
                } catch (IOException taken) {
                    // try another
                }
            }
        }
        throw new IOException("no port free for both UDP and TCP");
    }

    private void awaitPort(int port, Process p, String log) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (System.nanoTime() < deadline && p.isAlive()) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 500);
                return;
            } catch (IOException notYet) {
                Thread.sleep(50);
            }
        }
        throw new AssertionError("not listening on " + port + ":\n" + Files.readString(tmp.resolve(log)));
    }

    private String swaks(String from, String... options) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("swaks", "--server", "127.0.0.1", "--port",
                String.valueOf(smtpPort), "--helo", "client.test", "--from", from, "--to", "alice@example.org"));
        cmd.addAll(List.of(options));
        return run(cmd);
    }

    private static List<Path> files(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        }
    }

    @Test
    void alignedMailIsDeliveredAndImapShowsOurAuthenticationResults() throws Exception {
        String out = swaks("carol@good.test", "--header", "Subject: aligned", "--header",
                "Authentication-Results: mx.example.org; dmarc=pass header.from=forged.test");
        assertTrue(out.contains("<-  250 2.0.0 Ok: queued as "), out);

        Properties props = new Properties();
        props.put("mail.imap.connectiontimeout", "5000");
        props.put("mail.imap.timeout", "10000");
        Store store = Session.getInstance(props).getStore("imap");
        store.connect("127.0.0.1", imapPort, "alice", "alice-pw");
        try {
            Folder inbox = store.getFolder("INBOX");
            inbox.open(Folder.READ_ONLY);
            assertEquals(1, inbox.getMessageCount());
            Message m = inbox.getMessage(1);
            assertEquals("aligned", m.getSubject());
            String[] results = m.getHeader("Authentication-Results");
            assertEquals(1, results.length, "ours only: the forged one claiming our name is removed");
            String ar = results[0].replaceAll("\\s+", " ");
            assertTrue(ar.startsWith("mx.example.org;"), ar);
            assertTrue(ar.contains("spf=pass smtp.mailfrom=carol@good.test"), ar);
            assertTrue(ar.contains("dmarc=pass (p=reject dis=none) header.from=good.test"), ar);
            inbox.close(false);
        } finally {
            store.close();
        }
        assertEquals(List.of(), files(quarantine.resolve("alice/new")));
    }

    @Test
    void aDmarcRejectSpoofGets550AtTheEndOfDataAndNothingIsStored() throws Exception {
        // other.test's SPF passes, but it is not good.test: no aligned identifier, and good.test says p=reject
        String out = swaks("eve@other.test", "--header", "From: ceo@good.test");
        assertTrue(out.contains("<-  250 2.1.0 Ok"), "SPF of other.test passes at MAIL FROM:\n" + out);
        assertTrue(out.contains("<** 550 5.7.1 Rejected by the DMARC policy of good.test"), out);
        assertFalse(out.contains("queued as"), out);
        assertEquals(List.of(), files(maildir.resolve("alice/new")));
        assertEquals(List.of(), files(quarantine.resolve("alice/new")));
    }

    @Test
    void anSpfFailureGets550AtMailFrom() throws Exception {
        String out = swaks("eve@bad.test");
        assertTrue(out.contains("<** 550 5.7.23 SPF: 127.0.0.1 is not a permitted sender for bad.test"), out);
        assertFalse(out.contains(" -> RCPT TO"), "refused before any recipient:\n" + out);
        assertEquals(List.of(), files(maildir.resolve("alice/new")));
    }

    @Test
    void aDmarcQuarantineFailureGoesToTheQuarantineTree() throws Exception {
        // soft.test: SPF softfail for this client, p=quarantine
        String out = swaks("dave@soft.test", "--header", "Subject: quarantined");
        assertTrue(out.contains("<-  250 2.0.0 Ok: queued as "), out);
        List<Path> stored = files(quarantine.resolve("alice/new"));
        assertEquals(1, stored.size(), "quarantine: " + stored);
        String message = Files.readString(stored.get(0), StandardCharsets.ISO_8859_1);
        assertTrue(message.contains("dmarc=fail (p=quarantine dis=quarantine) header.from=soft.test"), message);
        assertEquals(List.of(), files(maildir.resolve("alice/new")), "not in the inbox");
    }

    @Test
    void aClientOnTheBlockListGets554AtConnect() throws Exception {
        String out = swaks("carol@good.test", "--local-interface", "127.0.0.9");
        assertTrue(out.contains("<** 554 5.7.1 Service unavailable; client [127.0.0.9] blocked using bl.test"), out);
        assertEquals(List.of(), files(maildir.resolve("alice/new")));
    }
}

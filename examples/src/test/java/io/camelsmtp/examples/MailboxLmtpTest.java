package io.camelsmtp.examples;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import io.camelsmtp.examples.app.MailRouter;
import io.camelsmtp.examples.support.Curl;
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
 * routes/mailbox-lmtp.camel.yaml end to end between real peers: swaks sends to the app, the app queues and hands the
 * message to Dovecot's LMTP server (started by the test from mailbox-lmtp/dovecot.conf, with a passwd-file of users
 * and a quota per user; over its Unix-domain socket, or over TCP), and Jakarta Mail reads the mailboxes back over
 * Dovecot's IMAP. One recipient over quota stays in the queue with Dovecot's 452 4.2.2 while the other reads the
 * message; a user Dovecot does not know bounces alone; other domains are refused at RCPT (no open relay).
 */
class MailboxLmtpTest {

    private static final String DOVECOT = "/usr/sbin/dovecot";
    private static final String LMTP = "/usr/lib/dovecot/lmtp";
    private static final String MAIL_USER = "mail";

    @TempDir
    Path tmp;

    private Process dovecot;
    private Main main;
    private int smtpPort;
    private int adminPort;
    private int imapPort;
    private int lmtpPort;
    private Path users;

    @BeforeEach
    void startDovecot() throws Exception {
        assumeTrue(Files.isExecutable(Path.of(DOVECOT)) && Files.isExecutable(Path.of(LMTP)), "SKIPPED: Dovecot's LMTP"
                + " server is not installed (Debian packages dovecot-lmtpd, dovecot-imapd), the mailbox server here");
        assumeTrue(runs("swaks", "--version"), "SKIPPED: swaks is not installed, this end-to-end test needs it");
        assumeTrue("root".equals(System.getProperty("user.name")), "SKIPPED: starting Dovecot with a mail user of its"
                                                                   + " own needs root");
        assumeTrue(runs("id", "-u", MAIL_USER), "SKIPPED: there is no system user '" + MAIL_USER + "'");

        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path maildir = Files.createDirectories(tmp.resolve("maildir"));
        Files.setOwner(maildir, maildir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(MAIL_USER));
        Path conf = Files.createDirectories(tmp.resolve("dovecot"));
        users = conf.resolve("users");
        // bob's mailbox holds 1 KB: the 3 KB message does not fit
        Files.writeString(users, "alice:{PLAIN}alice-pw::::::\nbob:{PLAIN}bob-pw::::::userdb_quota_rule=*:storage=1K\n");
        imapPort = freePort();
        lmtpPort = freePort();
        String template;
        try (InputStream in = getClass().getResourceAsStream("/mailbox-lmtp/dovecot.conf")) {
            template = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        Files.writeString(conf.resolve("dovecot.conf"), template.replace("@DIR@", tmp.toString())
                .replace("@IMAP_PORT@", String.valueOf(imapPort)).replace("@LMTP_PORT@", String.valueOf(lmtpPort))
                .replace("@MAIL_USER@", MAIL_USER));
        // timeout: a Dovecot left behind by a killed JVM ends by itself
        dovecot = new ProcessBuilder("timeout", "900", DOVECOT, "-F", "-c", conf.resolve("dovecot.conf").toString())
                .redirectErrorStream(true).redirectOutput(conf.resolve("dovecot.out").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (!(listening(imapPort) && listening(lmtpPort) && Files.exists(socket()))) {
            if (System.nanoTime() > deadline || !dovecot.isAlive()) {
                throw new AssertionError("Dovecot did not start\n" + dovecotLog());
            }
            Thread.sleep(50);
        }
    }

    /** Starts the example with its LMTP destination; a long retry.min, so a deferral waits for a flush. */
    private void app(String lmtpDestination, String mailboxUsers) throws Exception {
        smtpPort = freePort();
        adminPort = freePort();
        main = MailRouter.create("file:routes/mailbox-lmtp.camel.yaml");
        main.addInitialProperty("smtp.port", String.valueOf(smtpPort));
        main.addInitialProperty("smtp.hostName", "mx.example.org");
        main.addInitialProperty("admin.port", String.valueOf(adminPort));
        main.addInitialProperty("data.dir", tmp.resolve("data").toString()); // its admin.token
        main.addInitialProperty("spool.dir", tmp.resolve("spool").toString());
        main.addInitialProperty("lmtp.destination", lmtpDestination);
        main.addInitialProperty("mailbox.users", mailboxUsers);
        main.addInitialProperty("retry.min", "1h");
        main.start();
    }

    @AfterEach
    void stop() throws Exception {
        if (main != null) {
            main.stop();
        }
        if (dovecot != null) {
            dovecot.destroy();
            if (!dovecot.waitFor(10, TimeUnit.SECONDS)) {
                dovecot.destroyForcibly();
            }
        }
    }

    private Path socket() {
        return tmp.resolve("dovecot/run/lmtp");
    }

    private static boolean listening(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private String dovecotLog() throws IOException {
        Path p = tmp.resolve("dovecot/dovecot.log");
        return Files.exists(p) ? Files.readString(p) : "(no log)";
    }

    private String swaks(String... options) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("swaks", "--server", "127.0.0.1", "--port",
                String.valueOf(smtpPort), "--helo", "client.example"));
        cmd.addAll(List.of(options));
        return run(cmd);
    }

    /** The subjects in the user's INBOX, read over IMAP. */
    private List<String> imapSubjects(String user) throws Exception {
        return imap(user, false);
    }

    /** The user's messages as read over IMAP (header and body), or only their subjects. */
    private List<String> imap(String user, boolean whole) throws Exception {
        Properties props = new Properties();
        props.put("mail.imap.connectiontimeout", "5000");
        props.put("mail.imap.timeout", "10000");
        Store store = Session.getInstance(props).getStore("imap");
        try {
            store.connect("127.0.0.1", imapPort, user, user + "-pw");
            Folder inbox = store.getFolder("INBOX");
            inbox.open(Folder.READ_ONLY);
            try {
                List<String> subjects = new ArrayList<>();
                for (Message m : inbox.getMessages()) {
                    if (whole) {
                        java.io.ByteArrayOutputStream raw = new java.io.ByteArrayOutputStream();
                        m.writeTo(raw);
                        subjects.add(raw.toString(StandardCharsets.UTF_8));
                    } else {
                        subjects.add(m.getSubject());
                    }
                }
                return subjects;
            } finally {
                inbox.close(false);
            }
        } finally {
            store.close();
        }
    }

    /** Waits up to 20 s for the user's INBOX to hold {@code count} messages; their subjects. */
    private List<String> awaitImap(String user, int count) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        List<String> subjects;
        while ((subjects = imapSubjects(user)).size() < count && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
        assertEquals(count, subjects.size(), user + ": " + subjects + "\n" + dovecotLog());
        return subjects;
    }

    private String mailq() throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + adminPort + "/queue/mailbox/mailq"))
                .header("Authorization", "Bearer " + Curl.token(tmp.resolve("data/admin.token"))).build(),
                BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        return r.body();
    }

    private String awaitMailq(String expected) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        String q;
        while (!(q = mailq()).contains(expected) && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
        assertTrue(q.contains(expected), q + "\n" + dovecotLog());
        return q;
    }

    @Test
    void overQuotaWaitsInTheQueueWhileTheOtherRecipientReadsItOverImap() throws Exception {
        app(socket().toString(), "alice,bob,postmaster");
        String out = swaks("--from", "carol@example.net", "--to", "alice@example.org,bob@example.org",
                "--header", "Subject: Quarterly figures", "--body", ("x".repeat(70) + "\n").repeat(45));
        assertTrue(out.contains("<-  250 2.0.0 Ok: queued as "), out);

        assertEquals(List.of("Quarterly figures"), awaitImap("alice", 1));
        String q = awaitMailq("452 4.2.2");
        assertTrue(q.contains("bob@example.org"), q);
        assertFalse(q.contains("alice@example.org"), "alice's copy is delivered, only bob waits: " + q);
        assertEquals(List.of(), imapSubjects("bob"));
        assertTrue(dovecotLog().contains("Quota exceeded"), dovecotLog());

        // room in bob's mailbox, then a flush: the queue's next attempt delivers to bob alone
        // a new file (a new inode), so that Dovecot sees the change even within the second the old one was written
        Path changed = Files.writeString(users.resolveSibling("users.new"), "alice:{PLAIN}alice-pw::::::\n"
                                                                           + "bob:{PLAIN}bob-pw::::::\n");
        Files.move(changed, users, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        Thread.sleep(1100); // Dovecot looks at a passwd-file for changes at most once a second
        Curl flush = Curl.run(tmp.resolve("curl"), "-X", "POST", "-H", "Authorization: Bearer "
                + Curl.token(tmp.resolve("data/admin.token")), "-H", "Content-Type: application/json", "-d", "{}",
                "http://127.0.0.1:" + adminPort + "/queue/mailbox/flush");
        assertEquals(200, flush.status(), flush.body());
        assertEquals(List.of("Quarterly figures"), awaitImap("bob", 1));
        assertEquals(1, imapSubjects("alice").size(), "no second copy for alice");
    }

    @Test
    void overTcpAUserDovecotDoesNotKnowBouncesAloneAndOtherDomainsAreRefused() throws Exception {
        // carl passes the app's RCPT check but Dovecot has no such user: 550 5.1.1 after RCPT, for carl only
        app("127.0.0.1:" + lmtpPort, "alice,bob,carl,postmaster");
        String out = swaks("--from", "alice@example.org", "--to", "bob@example.org,carl@example.org",
                "--header", "Subject: Team lunch", "--body", "Friday at noon");
        assertTrue(out.contains("<-  250 2.0.0 Ok: queued as "), out);

        assertEquals(List.of("Team lunch"), awaitImap("bob", 1));
        // the bounce for carl goes to the sender, through the same queue and LMTP
        List<String> bounce = awaitImap("alice", 1);
        assertEquals(List.of("Undelivered Mail Returned to Sender"), bounce);
        String report = imap("alice", true).get(0);
        assertTrue(report.contains("Final-Recipient: rfc822; carl@example.org"), report);
        assertTrue(report.contains("550 5.1.1"), report);
        assertFalse(report.contains("Final-Recipient: rfc822; bob@example.org"), "bob's copy was delivered: " + report);

        // never an open relay: another domain is refused at RCPT, and so is a user the app does not know
        String relay = swaks("--from", "carol@example.net", "--to", "someone@example.net");
        assertTrue(relay.contains("<** 554 5.7.1"), relay);
        String unknown = swaks("--from", "carol@example.net", "--to", "nobody@example.org");
        assertTrue(unknown.contains("<** 550 5.1.1 <nobody@example.org>: Recipient address rejected: User unknown"),
                unknown);
    }
}

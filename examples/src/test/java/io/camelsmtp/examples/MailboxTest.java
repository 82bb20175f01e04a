package io.camelsmtp.examples;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import io.camelsmtp.examples.app.MailRouter;
import jakarta.mail.Flags;
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
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * routes/mailbox.camel.yaml, alone, between real peers: swaks and Python's smtplib send, the route delivers into
 * Maildirs, and Dovecot (started by the test on a free loopback port, configured from mailbox/dovecot.conf) serves
 * them over IMAP to Jakarta Mail's IMAP client. Dovecot refuses to read mail as root, so its mail processes run as the
 * system user {@code mail}, and the route (running as root here) makes that user the Maildirs' owner.
 */
class MailboxTest {

    private static final String DOVECOT = "/usr/sbin/dovecot";
    private static final String PYTHON = "/usr/bin/python3";
    private static final String MAIL_USER = "mail";
    private static final Pattern DELIVERED = Pattern.compile("\\d+\\.M\\d+P\\d+Q\\d+\\.[^,/]+,S=(\\d+)");

    /** Sends one message per argument "subject|rcpt,rcpt" in one session; prints each RCPT and DATA reply. */
    private static final String CLIENT = """
            import sys, smtplib
            from email import policy
            from email.message import EmailMessage

            s = smtplib.SMTP('127.0.0.1', int(sys.argv[1]), timeout=30)
            s.ehlo('client.example')
            for spec in sys.argv[2:]:
                subject, rcpts = spec.split('|')
                m = EmailMessage(policy=policy.SMTP)
                m['From'] = 'carol@example.net'
                m['To'] = rcpts
                m['Subject'] = subject
                m.set_content('text of ' + subject + '\\n')
                code, _ = s.mail('carol@example.net')
                assert code == 250, code
                accepted = 0
                for r in rcpts.split(','):
                    code, text = s.rcpt(r)
                    print('RCPT', r, code, text.decode(), flush=True)
                    accepted += code == 250
                if accepted:
                    code, text = s.data(m.as_bytes())
                    print('DATA', code, text.decode(), flush=True)
                else:
                    s.rset()
            s.quit()
            """;

    @TempDir
    Path tmp;

    private Process dovecot;
    private Main main;
    private int smtpPort;
    private int imapPort;
    private Path maildir;

    @BeforeEach
    void start() throws Exception {
        assumeTrue(Files.isExecutable(Path.of(DOVECOT)), "SKIPPED: dovecot is not installed (Debian package"
                                                         + " dovecot-imapd), the IMAP server of this end-to-end test");
        assumeTrue(runs("swaks", "--version"), "SKIPPED: swaks is not installed, this end-to-end test needs it");
        assumeTrue(Files.isExecutable(Path.of(PYTHON)), "SKIPPED: " + PYTHON + " is not installed");
        assumeTrue("root".equals(System.getProperty("user.name")), "SKIPPED: starting Dovecot with a mail user of its"
                                                                   + " own needs root");
        assumeTrue(runs("id", "-u", MAIL_USER), "SKIPPED: there is no system user '" + MAIL_USER + "'");

        // Dovecot's mail processes run as 'mail' and must reach the Maildirs below this folder
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
        maildir = tmp.resolve("maildir");
        Path conf = Files.createDirectories(tmp.resolve("dovecot"));
        Files.writeString(conf.resolve("users"), "alice:{PLAIN}alice-pw::::::\nbob:{PLAIN}bob-pw::::::\n");
        imapPort = freePort();
        String template;
        try (InputStream in = getClass().getResourceAsStream("/mailbox/dovecot.conf")) {
            template = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        Files.writeString(conf.resolve("dovecot.conf"), template.replace("@DIR@", tmp.toString())
                .replace("@PORT@", String.valueOf(imapPort)).replace("@MAIL_USER@", MAIL_USER));
        // timeout: a Dovecot left behind by a killed JVM ends by itself
        dovecot = new ProcessBuilder("timeout", "900", DOVECOT, "-F", "-c", conf.resolve("dovecot.conf").toString())
                .redirectErrorStream(true).redirectOutput(conf.resolve("dovecot.out").toFile()).start();
        awaitImap();

        smtpPort = freePort();
        main = MailRouter.create("file:routes/mailbox.camel.yaml");
        main.addInitialProperty("smtp.port", String.valueOf(smtpPort));
        main.addInitialProperty("smtp.hostName", "mx.example.org");
        main.addInitialProperty("admin.port", String.valueOf(freePort()));
        main.addInitialProperty("data.dir", tmp.resolve("data").toString()); // its admin.token
        main.addInitialProperty("maildir.base", maildir.toString());
        main.addInitialProperty("maildir.owner", MAIL_USER);
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

    private String dovecotLog() throws IOException {
        StringBuilder sb = new StringBuilder();
        for (String f : List.of("dovecot.out", "dovecot.log")) {
            Path p = tmp.resolve("dovecot").resolve(f);
            if (Files.exists(p)) {
                sb.append("--- ").append(f).append('\n').append(Files.readString(p));
            }
        }
        return sb.toString();
    }

    private void awaitImap() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (System.nanoTime() < deadline && dovecot.isAlive()) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", imapPort), 500);
                return;
            } catch (IOException notYet) {
                Thread.sleep(50);
            }
        }
        throw new AssertionError("Dovecot did not start on 127.0.0.1:" + imapPort + "\n" + dovecotLog());
    }

    private String swaks(String... options) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("swaks", "--server", "127.0.0.1", "--port",
                String.valueOf(smtpPort), "--helo", "client.example", "--from", "carol@example.net"));
        cmd.addAll(List.of(options));
        return run(cmd);
    }

    /** The RCPT and DATA replies of a Python smtplib session, one line each. */
    private List<String> python(String... messages) throws Exception {
        Path script = tmp.resolve("client.py");
        Files.writeString(script, CLIENT);
        List<String> cmd = new ArrayList<>(List.of(PYTHON, script.toString(), String.valueOf(smtpPort)));
        cmd.addAll(Arrays.asList(messages));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), out);
        assertEquals(0, p.exitValue(), out);
        return out.lines().toList();
    }

    private static List<Path> files(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        }
    }

    /** The one message in the user's new/, checked against the Maildir naming rules. */
    private byte[] delivered(String user) throws IOException {
        List<Path> news = files(maildir.resolve(user).resolve("new"));
        assertEquals(1, news.size(), user + "/new: " + news);
        Path file = news.get(0);
        Matcher m = DELIVERED.matcher(file.getFileName().toString());
        assertTrue(m.matches(), "not a Maildir name with ,S=: " + file.getFileName());
        byte[] content = Files.readAllBytes(file);
        assertEquals(content.length, Long.parseLong(m.group(1)), "S= is the file's size");
        assertEquals(MAIL_USER, Files.getOwner(file).getName());
        assertEquals(MAIL_USER, Files.getOwner(maildir.resolve(user)).getName());
        assertEquals(List.of(), files(maildir.resolve(user).resolve("tmp")), user + "/tmp is left empty");
        return content;
    }

    @FunctionalInterface
    private interface InboxCheck {
        void check(Folder inbox) throws Exception;
    }

    /** Logs in over IMAP as the user, selects INBOX read-write like a mail client, and runs the check. */
    private void imap(String user, InboxCheck check) throws Exception {
        Properties props = new Properties();
        props.put("mail.imap.connectiontimeout", "5000");
        props.put("mail.imap.timeout", "10000");
        Store store = Session.getInstance(props).getStore("imap");
        try {
            store.connect("127.0.0.1", imapPort, user, user + "-pw");
            Folder inbox = store.getFolder("INBOX");
            inbox.open(Folder.READ_WRITE);
            try {
                check.check(inbox);
            } finally {
                inbox.close(false);
            }
        } catch (Exception | AssertionError e) {
            throw new AssertionError("IMAP as " + user + ": " + e + "\n" + dovecotLog(), e);
        } finally {
            store.close();
        }
    }

    @Test
    void twoRecipientsGetOneCopyEachWhichImapShowsAsNewAndUnseen() throws Exception {
        String out = swaks("--to", "alice@example.org,BOB@Example.org", "--header", "Subject: Lunch on Friday",
                "--body", "Meet at noon in the usual place.");
        assertTrue(out.contains("<-  220 mx.example.org ESMTP camel-smtp"), out);
        assertTrue(out.contains("<-  250 2.0.0 Ok: queued as "), out);

        // the 250 came after the delivery: both copies are in new/ as soon as swaks has it, without waiting
        byte[] alice = delivered("alice");
        byte[] bob = delivered("bob");
        String aliceText = new String(alice, StandardCharsets.UTF_8);
        String bobText = new String(bob, StandardCharsets.UTF_8);
        assertTrue(aliceText.startsWith("Return-Path: <carol@example.net>\r\nDelivered-To: alice@example.org\r\n"
                                        + "Received: from client.example"), aliceText);
        assertTrue(bobText.startsWith("Return-Path: <carol@example.net>\r\nDelivered-To: BOB@Example.org\r\n"
                                      + "Received: from client.example"), bobText);
        int aliceRest = aliceText.indexOf("Received: ");
        int bobRest = bobText.indexOf("Received: ");
        assertArrayEquals(Arrays.copyOfRange(alice, aliceRest, alice.length), Arrays.copyOfRange(bob, bobRest,
                bob.length), "the same message after the two delivery headers");

        for (String user : List.of("alice", "bob")) {
            imap(user, inbox -> {
                assertEquals(1, inbox.getMessageCount());
                assertEquals(1, inbox.getNewMessageCount(), "\\Recent");
                assertEquals(1, inbox.getUnreadMessageCount());
                Message m = inbox.getMessage(1);
                assertTrue(m.isSet(Flags.Flag.RECENT));
                assertFalse(m.isSet(Flags.Flag.SEEN));
                assertEquals("Lunch on Friday", m.getSubject());
                assertEquals("<carol@example.net>", m.getHeader("Return-Path")[0]);
                assertEquals(user.equals("alice") ? "alice@example.org" : "BOB@Example.org",
                        m.getHeader("Delivered-To")[0]);
                assertTrue(String.valueOf(m.getContent()).contains("Meet at noon in the usual place."),
                        String.valueOf(m.getContent()));
                assertTrue(m.isSet(Flags.Flag.SEEN), "reading the text sets \\Seen");
            });
            // a second session: no longer recent, and read
            imap(user, inbox -> {
                assertEquals(1, inbox.getMessageCount());
                assertEquals(0, inbox.getNewMessageCount());
                assertEquals(0, inbox.getUnreadMessageCount());
            });
        }
        // Dovecot moved the message from new/ to cur/ with its flags in the name
        List<Path> cur = files(maildir.resolve("alice").resolve("cur"));
        assertEquals(1, cur.size(), cur.toString());
        assertTrue(cur.get(0).getFileName().toString().endsWith(":2,S"), cur.toString());
    }

    @Test
    void unknownUserIsRefusedAtRcptAndTheSessionGoesOn() throws Exception {
        List<String> replies = python("Hello|nobody@example.org,alice@other.test,alice@example.org",
                "Only strangers|nobody@example.org");
        assertEquals(List.of(
                "RCPT nobody@example.org 550 5.1.1 <nobody@example.org>: Recipient address rejected: User unknown",
                "RCPT alice@other.test 554 5.7.1 <alice@other.test>: Relay access denied",
                "RCPT alice@example.org 250 2.1.5 Ok",
                replies.get(3),
                "RCPT nobody@example.org 550 5.1.1 <nobody@example.org>: Recipient address rejected: User unknown"),
                replies);
        assertTrue(replies.get(3).startsWith("DATA 250 2.0.0 Ok: queued as "), replies.get(3));
        assertFalse(Files.exists(maildir.resolve("nobody")), "no folder for an unknown user");

        String swaks = swaks("--to", "nobody@example.org");
        assertTrue(swaks.contains("<** 550 5.1.1 <nobody@example.org>: Recipient address rejected: User unknown"),
                swaks);

        delivered("alice");
        imap("alice", inbox -> {
            assertEquals(1, inbox.getMessageCount());
            Message m = inbox.getMessage(1);
            assertEquals("Hello", m.getSubject());
            assertEquals("alice@example.org", m.getHeader("Delivered-To")[0]);
        });
    }

    @Test
    void aBrokenMaildirGets451AndLeavesNothingInAnyNew() throws Exception {
        // bob's Maildir has a regular file where tmp/ belongs: fails for root too, unlike permissions
        Path bob = Files.createDirectories(maildir.resolve("bob"));
        Files.createDirectories(bob.resolve("new"));
        Files.createDirectories(bob.resolve("cur"));
        Files.writeString(bob.resolve("tmp"), "not a directory");
        UserPrincipal mail = bob.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(MAIL_USER);
        for (Path p : List.of(bob, bob.resolve("new"), bob.resolve("cur"))) {
            Files.setOwner(p, mail); // as an administrator would; the route gives its owner only to what it creates
        }

        List<String> failed = python("Minutes|alice@example.org,bob@example.org", "Minutes again|alice@example.org");
        assertEquals(List.of("RCPT alice@example.org 250 2.1.5 Ok", "RCPT bob@example.org 250 2.1.5 Ok",
                "DATA 451 4.3.0 Local delivery to <bob@example.org> failed, try again later",
                "RCPT alice@example.org 250 2.1.5 Ok", failed.get(4)), failed);
        assertTrue(failed.get(4).startsWith("DATA 250 2.0.0 Ok: queued as "), "the session goes on: " + failed);
        // alice's copy of the failed message was written to her tmp/ first, then removed: only the second is there
        assertTrue(new String(delivered("alice"), StandardCharsets.UTF_8).contains("Subject: Minutes again\r\n"));
        assertEquals(List.of(), files(bob.resolve("new")));

        // repaired, the client's retry delivers once to each
        Files.delete(bob.resolve("tmp"));
        List<String> retried = python("Minutes|bob@example.org");
        assertTrue(retried.get(1).startsWith("DATA 250 2.0.0 Ok: queued as "), retried.toString());
        assertTrue(new String(delivered("bob"), StandardCharsets.UTF_8).contains("Subject: Minutes\r\n"));
        imap("bob", inbox -> {
            assertEquals(1, inbox.getMessageCount());
            assertEquals("Minutes", inbox.getMessage(1).getSubject());
        });
        imap("alice", inbox -> {
            assertEquals(1, inbox.getMessageCount());
            assertEquals("Minutes again", inbox.getMessage(1).getSubject());
        });
    }
}

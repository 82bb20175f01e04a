package io.camelsmtp.smtp.relay;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import io.camelsmtp.smtp.common.DeliveryReport;
import io.camelsmtp.smtp.common.RecipientResult;
import io.camelsmtp.smtp.common.RecipientResult.Status;
import org.apache.camel.Exchange;
import org.apache.camel.test.AvailablePortFinder;
import org.apache.camel.test.junit5.CamelTestSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code smtp-relay:lmtp} against Dovecot's LMTP server (Debian package dovecot-lmtpd), started by the test with a
 * passwd-file of users and a per-user quota (lmtp/dovecot.conf), over TCP and over its Unix-domain socket: one
 * recipient over quota gets Dovecot's "452 4.2.2" after the data and is deferred while the other's copy is saved, an
 * unknown user gets "550 5.1.1" at RCPT and fails alone; with BDAT (Dovecot offers CHUNKING) and with DATA.
 */
class RelayLmtpDovecotTest extends CamelTestSupport {

    private static final String DOVECOT = "/usr/sbin/dovecot";
    private static final String LMTP = "/usr/lib/dovecot/lmtp";
    private static final String MAIL_USER = "mail";

    @TempDir
    Path tmp;

    private Process dovecot;
    private int port;

    @BeforeEach
    void startDovecot() throws Exception {
        assumeTrue(Files.isExecutable(Path.of(DOVECOT)) && Files.isExecutable(Path.of(LMTP)),
                "SKIPPED: Dovecot's LMTP server is not installed (Debian package dovecot-lmtpd)");
        assumeTrue("root".equals(System.getProperty("user.name")), "SKIPPED: starting Dovecot with a mail user needs root");
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path maildir = Files.createDirectories(tmp.resolve("maildir"));
        Files.setOwner(maildir, maildir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(MAIL_USER));
        Path conf = Files.createDirectories(tmp.resolve("dovecot"));
        // bob's quota (1 KB) is smaller than the large message
        Files.writeString(conf.resolve("users"), "alice:{PLAIN}alice-pw::::::\n"
                                                 + "bob:{PLAIN}bob-pw::::::userdb_quota_rule=*:storage=1K\n");
        port = AvailablePortFinder.getNextAvailable();
        String template;
        try (InputStream in = getClass().getResourceAsStream("/lmtp/dovecot.conf")) {
            template = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        Files.writeString(conf.resolve("dovecot.conf"), template.replace("@DIR@", tmp.toString())
                .replace("@PORT@", String.valueOf(port)).replace("@MAIL_USER@", MAIL_USER));
        dovecot = new ProcessBuilder("timeout", "600", DOVECOT, "-F", "-c", conf.resolve("dovecot.conf").toString())
                .redirectErrorStream(true).redirectOutput(conf.resolve("dovecot.out").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (true) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 500);
                if (Files.exists(socket())) {
                    return;
                }
            } catch (IOException notYet) {
                // starting
            }
            if (System.nanoTime() > deadline || !dovecot.isAlive()) {
                throw new AssertionError("Dovecot did not start\n" + log());
            }
            Thread.sleep(50);
        }
    }

    @AfterEach
    void stopDovecot() throws Exception {
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

    private String log() throws IOException {
        Path p = tmp.resolve("dovecot/dovecot.log");
        return Files.exists(p) ? Files.readString(p) : "(no log)";
    }

    private Exchange send(String destination, String body, String... to) {
        return template.send("smtp-relay:" + destination + (destination.contains("?") ? "&" : "?")
                             + "heloName=relay.test&connectTimeout=2s&commandTimeout=10s&dataTimeout=10s", e -> {
                                 e.getMessage().setHeader(SmtpRelayConstants.ENVELOPE_FROM, "carol@example.net");
                                 e.getMessage().setHeader(SmtpRelayConstants.ENVELOPE_TO, List.of(to));
                                 e.getMessage().setBody(body);
                             });
    }

    private static String message(String subject, int bodyOctets) {
        return "From: <carol@example.net>\r\nTo: <alice@example.org>\r\nSubject: " + subject + "\r\n\r\n"
               + ".a line with a leading dot\r\n" + "x".repeat(bodyOctets) + "\r\n";
    }

    private List<String> inbox(String user) throws IOException {
        Path dir = tmp.resolve("maildir").resolve(user).resolve("new");
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> {
                try {
                    return Files.readString(p);
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            }).toList();
        }
    }

    private static RecipientResult result(Exchange e, String rcpt) {
        return e.getMessage().getHeader(SmtpRelayConstants.DELIVERY_REPORT, DeliveryReport.class).get(rcpt);
    }

    /** Dovecot offers CHUNKING, so with the default {@code chunking=true} the content goes as BDAT. */
    @Test
    void dovecotOffersChunking() throws Exception {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(5000);
            s.getOutputStream().write("LHLO probe.test\r\nQUIT\r\n".getBytes(StandardCharsets.US_ASCII));
            String replies = new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            assertTrue(replies.contains("250-CHUNKING") || replies.contains("250 CHUNKING"), replies);
        }
    }

    @ParameterizedTest(name = "chunking={0}")
    @ValueSource(booleans = { true, false })
    void overQuotaIsDeferredUnknownFailsAndTheOtherIsSavedOverTcp(boolean chunking) throws Exception {
        Exchange e = send("lmtp:127.0.0.1:" + port + "?chunking=" + chunking, message("big", 3000),
                "alice@example.org", "bob@example.org", "nobody@example.org");
        SmtpDeliveryException x = assertInstanceOf(SmtpDeliveryException.class, e.getException());
        assertTrue(x.isTransient(), x::getMessage);
        RecipientResult alice = result(e, "alice@example.org");
        RecipientResult bob = result(e, "bob@example.org");
        RecipientResult nobody = result(e, "nobody@example.org");
        assertEquals(Status.DELIVERED, alice.getStatus(), alice::toString);
        assertTrue(alice.getText().contains("Saved"), alice::toString);
        assertEquals(Status.DEFERRED, bob.getStatus(), bob::toString);
        assertEquals(452, bob.getCode(), bob::toString);
        assertEquals("4.2.2", bob.getEnhancedStatus(), bob::toString);
        assertEquals(Status.FAILED, nobody.getStatus(), nobody::toString);
        assertEquals(550, nobody.getCode(), nobody::toString);
        assertEquals("5.1.1", nobody.getEnhancedStatus(), nobody::toString);

        List<String> aliceInbox = inbox("alice");
        assertEquals(1, aliceInbox.size(), log());
        assertTrue(aliceInbox.get(0).contains("Subject: big"), aliceInbox.get(0));
        assertTrue(aliceInbox.get(0).startsWith("Return-Path: <carol@example.net>"), aliceInbox.get(0));
        assertTrue(aliceInbox.get(0).contains("\n.a line with a leading dot\n"), aliceInbox.get(0));
        assertEquals(List.of(), inbox("bob"));
        assertFalse(Files.exists(tmp.resolve("maildir/nobody")));
        assertTrue(log().contains("Quota exceeded"), log());
    }

    @Test
    void bothRecipientsAreSavedOverTheUnixSocketAndTheSessionIsKept() throws Exception {
        Exchange first = send("lmtp:" + socket(), message("small one", 10), "alice@example.org", "bob@example.org");
        assertNull(first.getException());
        Exchange second = send("lmtp:" + socket(), message("small two", 10), "alice@example.org");
        assertNull(second.getException());
        RecipientResult alice = result(first, "alice@example.org");
        assertEquals(socket().toString(), alice.getAddress());
        assertEquals(2, inbox("alice").size(), log());
        assertEquals(1, inbox("bob").size(), log());
        // one connection carried both messages
        assertEquals(1, log().lines().filter(l -> l.contains("Connect from local")).count(), log());
    }
}

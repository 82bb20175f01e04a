package io.camelsmtp.examples;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.camelsmtp.examples.app.MailRouter;
import io.camelsmtp.examples.support.Peers;
import io.camelsmtp.examples.support.SmtpSink;
import org.apache.camel.main.Main;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static io.camelsmtp.examples.support.Peers.freePort;
import static io.camelsmtp.examples.support.Peers.run;
import static io.camelsmtp.examples.support.Peers.runs;
import static io.camelsmtp.examples.support.Peers.smtpSink;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * routes/submission.camel.yaml between real peers: swaks is the mail client (with and without STARTTLS and AUTH),
 * Postfix's smtp-sink the smart host, dumping every message it accepts to a file. The server's key store is made
 * with the JDK's keytool at the start, in target/submission/. Nothing is relayed without TLS and AUTH; with both, the
 * message arrives at the smart host, but only from an address the user owns (user@example.org).
 */
class SubmissionTest {

    private static final Path WORK = Path.of("target", "submission").toAbsolutePath();
    private static final Path KEYSTORE = WORK.resolve("submission.p12");
    private static final String KEYSTORE_PASSWORD = "changeit";
    /** Characters a password may have in submission.users.secret: all but & + and quotes. */
    private static final String BOB_PASSWORD = "p@ss%!=x;#:,(y)";

    @TempDir
    Path tmp;

    private SmtpSink sink;
    private Main main;
    private int smtpPort;

    @BeforeAll
    static void keyStore() throws Exception {
        Peers.selfSignedKeyStore(KEYSTORE, KEYSTORE_PASSWORD);
    }

    @BeforeEach
    void start() throws Exception {
        assumeTrue(runs("swaks", "--version"), "SKIPPED: swaks is not installed, this end-to-end test needs it");
        assumeTrue(runs("perl", "-MNet::SSLeay", "-e", "1"),
                "SKIPPED: perl's Net::SSLeay is not installed, swaks needs it for STARTTLS");
        String smtpSink = smtpSink();
        assumeTrue(smtpSink != null, "SKIPPED: smtp-sink (Debian package postfix) is not installed, the smart host of"
                                     + " this end-to-end test");

        sink = SmtpSink.start(tmp);

        smtpPort = freePort();
        main = MailRouter.create("file:routes/submission.camel.yaml");
        main.addInitialProperty("smtp.host", "127.0.0.1");
        main.addInitialProperty("smtp.port", String.valueOf(smtpPort));
        main.addInitialProperty("smtp.hostName", "submission.test");
        main.addInitialProperty("admin.port", String.valueOf(freePort()));
        main.addInitialProperty("data.dir", tmp.resolve("data").toString()); // its admin.token
        main.addInitialProperty("spool.dir", tmp.resolve("spool").toString());
        main.addInitialProperty("tls.keystore", "file:" + KEYSTORE);
        main.addInitialProperty("tls.password", KEYSTORE_PASSWORD);
        main.addInitialProperty("submission.users.secret", "alice=secret&bob=" + BOB_PASSWORD);
        main.addInitialProperty("submission.domains", "example.org");
        main.addInitialProperty("smarthost.uri", "smtp-relay:127.0.0.1:" + sink.port() + "?tls=none&connectTimeout=2s");
        main.start();
    }

    @AfterEach
    void stop() throws Exception {
        if (main != null) {
            main.stop();
        }
        if (sink != null) {
            sink.close();
        }
    }

    private String swaks(String... options) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("swaks", "--server", "127.0.0.1", "--port",
                String.valueOf(smtpPort), "--helo", "client.test", "--from", "alice@example.org",
                "--to", "bob@example.net", "--header", "Subject: submission test"));
        cmd.addAll(List.of(options));
        return run(cmd);
    }

    private String awaitDump(String queueId) throws Exception {
        return sink.awaitDump(queueId, 20);
    }

    /** Whether the EHLO reply lines, as swaks shows them with this prefix, list the keyword. */
    private static boolean offers(String out, String prefix, String keyword) {
        return out.lines().anyMatch(l -> l.equals(prefix + "250-" + keyword) || l.equals(prefix + "250 " + keyword));
    }

    private static String queueId(String out) {
        assertTrue(out.contains("<~  250 2.0.0 Ok: queued as "), out);
        return out.substring(out.indexOf("queued as ") + 10).split("\\s")[0];
    }

    @Test
    void plaintextOffersStartTlsButNoAuthAndRefusesMail() throws Exception {
        String out = swaks();
        assertTrue(out.contains("<-  220 submission.test ESMTP camel-smtp"), out);
        assertTrue(offers(out, "<-  ", "STARTTLS"), out);
        assertFalse(out.contains("AUTH"), "AUTH must not be offered before TLS:\n" + out);
        assertTrue(out.contains("<** 530 5.7.0 Must issue a STARTTLS command first"), out);
        assertFalse(out.contains("queued as"), out);

        // swaks --auth without --tls: the server has no AUTH to offer, swaks gives up before MAIL
        String auth = swaks("--auth", "PLAIN", "--auth-user", "alice", "--auth-password", "secret");
        assertFalse(auth.lines().anyMatch(l -> l.matches("<-  250[- ]AUTH.*")), auth);
        assertFalse(auth.contains(" -> AUTH"), auth);
        assertFalse(auth.contains("235 "), auth);
        assertFalse(auth.contains("queued as"), auth);

        Thread.sleep(300);
        assertEquals(List.of(), sink.dumped(), "nothing may reach the smart host");
    }

    @Test
    void tlsWithoutAuthIsRefused() throws Exception {
        String out = swaks("--tls");
        assertTrue(out.contains("<-  220 2.0.0 Ready to start TLS"), out);
        assertTrue(offers(out, "<~  ", "AUTH PLAIN LOGIN"), "AUTH is offered inside TLS:\n" + out);
        assertFalse(offers(out, "<~  ", "STARTTLS"), "STARTTLS is not repeated inside TLS:\n" + out);
        assertTrue(out.contains("<~* 530 5.7.0 Authentication required"), out);
        assertFalse(out.contains("queued as"), out);
        Thread.sleep(300);
        assertEquals(List.of(), sink.dumped(), "nothing may reach the smart host");
    }

    @Test
    void wrongPasswordIsRefused() throws Exception {
        long t0 = System.nanoTime();
        String out = swaks("--tls", "--auth", "PLAIN", "--auth-user", "alice", "--auth-password", "wrong");
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertTrue(out.contains("<~* 535 5.7.8 Authentication credentials invalid"), out);
        assertFalse(out.contains("queued as"), out);
        assertTrue(millis >= 1000, "the 535 comes after authFailureDelay (1 s), took " + millis + " ms");

        String unknown = swaks("--tls", "--auth", "LOGIN", "--auth-user", "mallory", "--auth-password", "secret");
        assertTrue(unknown.contains("<~* 535 5.7.8 Authentication credentials invalid"), unknown);
        assertFalse(unknown.contains("queued as"), unknown);
        Thread.sleep(300);
        assertEquals(List.of(), sink.dumped(), "nothing may reach the smart host");
    }

    @Test
    void tlsAndAuthRelayToTheSmartHost() throws Exception {
        String out = swaks("--tls", "--auth", "PLAIN", "--auth-user", "alice", "--auth-password", "secret",
                "--body", "hello through the smart host");
        assertTrue(out.contains("<~  235 2.7.0 Authentication successful"), out);
        assertTrue(out.contains("<~  250 2.1.0 Ok"), out);
        assertTrue(out.contains("<~  250 2.1.5 Ok"), out);
        String id = queueId(out);

        String message = awaitDump(id);
        assertTrue(message.contains("by submission.test (camel-smtp) with ESMTPSA id " + id), message);
        assertTrue(message.contains("(using TLSv1."), message);
        assertTrue(message.contains("Subject: submission test"), message);
        assertTrue(message.contains("hello through the smart host"), message);
        assertTrue(message.contains("X-Mail-Args: <alice@example.org>"), message);
        assertTrue(message.contains("X-Rcpt-Args: <bob@example.net>"), message);

        // the second user, with a password full of punctuation, with AUTH LOGIN
        String bob = swaks("--tls", "--auth", "LOGIN", "--auth-user", "bob", "--auth-password", BOB_PASSWORD,
                "--from", "bob@example.org", "--to", "carol@example.com");
        assertTrue(bob.contains("<~  235 2.7.0 Authentication successful"), bob);
        String bobMessage = awaitDump(queueId(bob));
        assertTrue(bobMessage.contains("X-Rcpt-Args: <carol@example.com>"), bobMessage);
        assertEquals(2, sink.dumped().size(), "one dump per message");
    }

    @Test
    void aUserCannotSendAsAnotherUser() throws Exception {
        String out = swaks("--tls", "--auth", "PLAIN", "--auth-user", "alice", "--auth-password", "secret",
                "--from", "bob@example.org");
        assertTrue(out.contains("<~  235 2.7.0 Authentication successful"), out);
        assertTrue(out.contains("<~* 553 5.7.1 <bob@example.org>: Sender address rejected: not owned by user alice"),
                out);
        assertFalse(out.contains("queued as"), out);

        String bob = swaks("--tls", "--auth", "LOGIN", "--auth-user", "bob", "--auth-password", BOB_PASSWORD,
                "--from", "alice@example.org");
        assertTrue(bob.contains("<~* 553 5.7.1 <alice@example.org>: Sender address rejected: not owned by user bob"),
                bob);

        // another domain, and the null sender: nobody owns them
        String elsewhere = swaks("--tls", "--auth", "PLAIN", "--auth-user", "alice", "--auth-password", "secret",
                "--from", "alice@example.com");
        assertTrue(elsewhere.contains("<~* 553 5.7.1 <alice@example.com>: Sender address rejected"), elsewhere);
        String bounce = swaks("--tls", "--auth", "PLAIN", "--auth-user", "alice", "--auth-password", "secret",
                "--from", "<>");
        assertTrue(bounce.contains("<~* 553 5.7.1 <>: Sender address rejected: not owned by user alice"), bounce);

        Thread.sleep(300);
        assertEquals(List.of(), sink.dumped(), "nothing may reach the smart host");

        // her own address, in any case, still goes through in the same way
        String own = swaks("--tls", "--auth", "PLAIN", "--auth-user", "alice", "--auth-password", "secret",
                "--from", "Alice@Example.ORG");
        assertTrue(awaitDump(queueId(own)).contains("X-Mail-Args: <Alice@Example.ORG>"), own);
    }
}

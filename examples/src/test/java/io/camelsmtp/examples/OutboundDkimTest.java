package io.camelsmtp.examples;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.camelsmtp.examples.app.MailRouter;
import io.camelsmtp.examples.support.AppJvm;
import io.camelsmtp.examples.support.Dkimpy;
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
 * routes/outbound-dkim.camel.yaml between real peers: the keys are made by the app's {@code --dkim-keygen} (in a JVM
 * of its own, as a user runs it), swaks submits with STARTTLS and AUTH, smtp-sink is the next hop and dumps what it
 * gets, and dkimpy, fed only the records --dkim-keygen printed, verifies both signatures (RSA and Ed25519) as pass.
 * Without AUTH nothing is relayed; a From of another domain, or a domain without a key, is refused, not sent unsigned.
 */
class OutboundDkimTest {

    private static final Path WORK = Path.of("target", "outbound-dkim").toAbsolutePath();
    private static final Path KEYSTORE = WORK.resolve("submission.p12");
    private static final String KEYSTORE_PASSWORD = "changeit";

    @TempDir
    Path tmp;

    private SmtpSink sink;
    private Main main;
    private int smtpPort;
    private final Map<String, String> records = new LinkedHashMap<>();

    @BeforeAll
    static void keyStore() throws Exception {
        Peers.selfSignedKeyStore(KEYSTORE, KEYSTORE_PASSWORD);
    }

    @BeforeEach
    void start() throws Exception {
        assumeTrue(runs("swaks", "--version"), "SKIPPED: swaks is not installed, this end-to-end test needs it");
        assumeTrue(runs("perl", "-MNet::SSLeay", "-e", "1"),
                "SKIPPED: perl's Net::SSLeay is not installed, swaks needs it for STARTTLS");
        assumeTrue(smtpSink() != null, "SKIPPED: smtp-sink (Debian package postfix) is not installed, the next hop of"
                                       + " this end-to-end test");
        Dkimpy.assumeInstalled();

        Path keys = tmp.resolve("dkim");
        for (String[] k : List.of(new String[] {"rsa2026", "rsa"}, new String[] {"ed2026", "ed25519"})) {
            AppJvm.Result r = AppJvm.run(tmp, Map.of(), List.of("--dkim-keygen", "example.org", k[0],
                    "--dkim-algorithm", k[1], "--dkim-dir", keys.toString()), Duration.ofSeconds(60));
            assertEquals(0, r.exitStatus(), r.output());
            Map.Entry<String, String> record = Dkimpy.parseZoneRecord(r.output());
            records.put(record.getKey(), record.getValue());
        }

        sink = SmtpSink.start(tmp);
        smtpPort = freePort();
        main = MailRouter.create("file:routes/outbound-dkim.camel.yaml");
        main.addInitialProperty("smtp.host", "127.0.0.1");
        main.addInitialProperty("smtp.port", String.valueOf(smtpPort));
        main.addInitialProperty("smtp.hostName", "submission.test");
        main.addInitialProperty("admin.port", String.valueOf(freePort()));
        main.addInitialProperty("data.dir", tmp.resolve("data").toString());
        main.addInitialProperty("spool.dir", tmp.resolve("spool").toString());
        main.addInitialProperty("tls.keystore", "file:" + KEYSTORE);
        main.addInitialProperty("tls.password", KEYSTORE_PASSWORD);
        main.addInitialProperty("submission.users.secret", "alice=secret&carol=pw");
        main.addInitialProperty("submission.domains", "example.org,example.com");
        main.addInitialProperty("dkim.dir", keys.toString());
        main.addInitialProperty("relay.uri", "smtp-relay:127.0.0.1:" + sink.port() + "?tls=none&connectTimeout=2s");
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
                String.valueOf(smtpPort), "--helo", "client.test", "--to", "bob@example.net"));
        cmd.addAll(List.of(options));
        return run(cmd);
    }

    private String authenticated(String... options) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("--tls", "--auth", "PLAIN", "--auth-user", "alice",
                "--auth-password", "secret"));
        cmd.addAll(List.of(options));
        return swaks(cmd.toArray(String[]::new));
    }

    private static String queueId(String out) {
        assertTrue(out.contains("<~  250 2.0.0 Ok: queued as "), out);
        return out.substring(out.indexOf("queued as ") + 10).split("\\s")[0];
    }

    @Test
    void submittedMailArrivesSignedWithBothKeysAndDkimpyVerifiesThem() throws Exception {
        String out = authenticated("--from", "alice@example.org", "--header", "Subject: signed on the way out",
                "--body", "hello, signed");
        String message = sink.awaitDump(queueId(out), 20);
        assertTrue(message.contains("DKIM-Signature: v=1; a=rsa-sha256"), message);
        assertTrue(message.contains("DKIM-Signature: v=1; a=ed25519-sha256"), message);
        assertTrue(message.contains("d=example.org"), message);
        assertEquals(List.of("pass", "pass"),
                Dkimpy.verify(tmp, message.getBytes(StandardCharsets.ISO_8859_1), records));
        // a changed body byte: both fail, so the pass above means something
        String changed = message.replace("hello, signed", "hello, signeD");
        assertEquals(List.of("fail", "fail"),
                Dkimpy.verify(tmp, changed.getBytes(StandardCharsets.ISO_8859_1), records));
    }

    @Test
    void withoutAuthNothingIsRelayed() throws Exception {
        String plain = swaks("--from", "alice@example.org");
        assertTrue(plain.contains("<** 530 5.7.0 Must issue a STARTTLS command first"), plain);
        String tls = swaks("--tls", "--from", "alice@example.org");
        assertTrue(tls.contains("<~* 530 5.7.0 Authentication required"), tls);
        Thread.sleep(300);
        assertEquals(List.of(), sink.dumped(), "nothing may reach the next hop");
    }

    @Test
    void aFromOfAnotherDomainOrADomainWithoutKeyIsRefusedNotSentUnsigned() throws Exception {
        String other = authenticated("--from", "alice@example.org", "--header", "From: ceo@bank.example");
        assertTrue(other.contains("<~* 550 5.7.1 Not signing mail from bank.example as example.org"), other);
        // alice owns alice@example.com too, but example.com has no key
        String noKey = authenticated("--from", "alice@example.com");
        assertTrue(noKey.contains("<~* 550 5.7.1 No DKIM key for example.com"), noKey);
        // and the sender check still runs first
        String notHers = authenticated("--from", "carol@example.org");
        assertTrue(notHers.contains("<~* 553 5.7.1 <carol@example.org>: Sender address rejected"), notHers);
        Thread.sleep(300);
        assertEquals(List.of(), sink.dumped(), "nothing may reach the next hop");
        assertFalse(other.contains("queued as") || noKey.contains("queued as"));
    }
}

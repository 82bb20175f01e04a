package io.camelsmtp.examples;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import io.camelsmtp.examples.app.MailRouter;
import org.apache.camel.main.Main;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static io.camelsmtp.examples.support.Peers.freePort;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * routes/content-filter.camel.yaml, loaded alone (plus the admin endpoints every app has), on free ports and temporary
 * folders, driven by real clients: swaks and Python's smtplib (messages built with email.message.EmailMessage).
 */
class ContentFilterTest {

    private static final String CLIENT = """
            import sys, smtplib
            from email import policy
            from email.message import EmailMessage, MIMEPart

            port, out, scenarios = int(sys.argv[1]), sys.argv[2], sys.argv[3:]

            def base(subject, text):
                m = EmailMessage(policy=policy.SMTP)
                m['From'] = 'alice@example.org'
                m['To'] = 'bob@example.net'
                m['Subject'] = subject
                m.set_content(text)
                return m

            def build(name):
                if name == 'clean':
                    m = base('Minutes of Tuesday', 'Hello Bob,\\nthe minutes are attached. Gr\\u00fc\\u00dfe\\n.\\n..two dots\\n')
                    m.add_attachment(b'%PDF-1.4\\n' + bytes(range(256)), maintype='application', subtype='pdf',
                                     filename='minutes.pdf')
                elif name == 'nested-js':
                    m = base('Photos', 'the photos are in the inner part')
                    inner = MIMEPart(policy=policy.SMTP)
                    inner.set_content('inner text')
                    inner.add_attachment(b'alert(1)', maintype='application', subtype='octet-stream',
                                         filename='Holiday.JS')
                    m.make_mixed()
                    m.attach(inner)
                elif name == 'mz':
                    m = base('Report', 'the report is attached')
                    m.add_attachment(b'MZ\\x90\\x00\\x03' + bytes(200), maintype='application', subtype='pdf',
                                     filename='report.pdf')
                elif name == 'big-clean':
                    # above the 256 KiB spoolThreshold: the body is a file-backed StreamCache
                    m = base('Big report', ''.join(f'line {i} of the quarterly report\\n' for i in range(12000)))
                elif name == 'big-spam':
                    m = base('Lottery results', ''.join(f'line {i} of the draw\\n' for i in range(15000)))
                elif name == 'spam':
                    m = base('Claim your lottery prize', 'Dear Bob,\\nplease reply.\\n')
                elif name == 'very-spam':
                    m = base('You have WON the lottery', 'Free money in bitcoin! Act now.\\n')
                else:
                    raise SystemExit('unknown scenario ' + name)
                return m.as_bytes()

            s = smtplib.SMTP('127.0.0.1', port, timeout=30)
            s.ehlo('client.example')
            for i, name in enumerate(scenarios):
                raw = build(name)
                with open(f'{out}/{i}-{name}.eml', 'wb') as f:
                    f.write(raw)
                # no RSET between messages: after a refused DATA the next MAIL must just work
                code, _ = s.mail('alice@example.org')
                assert code == 250, code
                code, _ = s.rcpt('bob@example.net')
                assert code == 250, code
                code, reply = s.data(raw)
                print(name, code, reply.decode(), flush=True)
            s.quit()
            """;

    @TempDir
    Path tmp;

    private Main main;
    private int smtpPort;
    private Path mailbox;
    private Path quarantine;

    @BeforeEach
    void start() throws Exception {
        smtpPort = freePort();
        mailbox = tmp.resolve("mailbox");
        quarantine = tmp.resolve("quarantine");
        main = MailRouter.create("file:routes/content-filter.camel.yaml");
        main.addInitialProperty("smtp.port", String.valueOf(smtpPort));
        main.addInitialProperty("admin.port", String.valueOf(freePort()));
        main.addInitialProperty("data.dir", tmp.resolve("data").toString()); // its admin.token
        main.addInitialProperty("mailbox.dir", mailbox.toString());
        main.addInitialProperty("quarantine.dir", quarantine.toString());
        main.start();
    }

    @AfterEach
    void stop() {
        main.stop();
    }

    private static void need(String command) throws InterruptedException {
        try {
            Process p = new ProcessBuilder(command, "--version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            Assumptions.assumeTrue(p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0,
                    "SKIPPED: " + command + " --version failed; this test needs " + command);
        } catch (IOException e) {
            Assumptions.abort("SKIPPED: " + command + " is not installed; this test needs it (" + e.getMessage() + ")");
        }
    }

    /** Replies as "scenario code text", one per message, all sent in one SMTP session. */
    private List<String> python(String... scenarios) throws Exception {
        need("python3");
        Path script = tmp.resolve("client.py");
        Files.writeString(script, CLIENT);
        Files.createDirectories(tmp.resolve("sent"));
        List<String> cmd = new ArrayList<>(List.of("python3", script.toString(), String.valueOf(smtpPort),
                tmp.resolve("sent").toString()));
        cmd.addAll(Arrays.asList(scenarios));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), out);
        assertEquals(0, p.exitValue(), out);
        List<String> lines = out.lines().toList();
        assertEquals(scenarios.length, lines.size(), out);
        return lines;
    }

    private byte[] sent(int index, String scenario) throws IOException {
        return Files.readAllBytes(tmp.resolve("sent").resolve(index + "-" + scenario + ".eml"));
    }

    private static String queueId(String line) {
        assertTrue(line.contains(" 250 2.0.0 Ok: queued as "), line);
        return line.substring(line.indexOf("queued as ") + 10).strip();
    }

    private static List<String> files(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static int indexOf(byte[] a, byte[] b) {
        outer:
        for (int i = 0; i + b.length <= a.length; i++) {
            for (int j = 0; j < b.length; j++) {
                if (a[i + j] != b[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private static byte[] afterHeaders(byte[] message) {
        int i = indexOf(message, "\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        assertTrue(i > 0, "no header/body separator");
        return Arrays.copyOfRange(message, i + 2, message.length);
    }

    private static String headers(byte[] message) {
        int i = indexOf(message, "\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        return new String(message, 0, i + 2, StandardCharsets.US_ASCII);
    }

    @Test
    void swaksWithAnExeAttachmentGets554AndNothingIsStored() throws Exception {
        need("swaks");
        Path exe = tmp.resolve("Setup.EXE");
        Files.writeString(exe, "not really a program, the name is enough\n");
        Process swaks = new ProcessBuilder("swaks", "--server", "127.0.0.1", "--port", String.valueOf(smtpPort),
                "--from", "alice@example.org", "--to", "bob@example.net", "--body", "please run the attachment",
                "--attach", "@" + exe).redirectErrorStream(true).start();
        String out = new String(swaks.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(swaks.waitFor(30, TimeUnit.SECONDS), out);
        assertTrue(out.contains("filename=\"Setup.EXE\""), out);
        assertTrue(out.contains("<** 554 5.7.1 Executable attachments are not accepted\n")
                   || out.contains("<** 554 5.7.1 Executable attachments are not accepted\r\n"), out);
        assertEquals(List.of(), files(mailbox));
        assertEquals(List.of(), files(quarantine));
    }

    @Test
    void oneSessionRefusesExecutablesAnywhereThenAcceptsCleanMailUnchanged() throws Exception {
        List<String> replies = python("nested-js", "mz", "clean", "big-clean");
        assertEquals("nested-js 554 5.7.1 Executable attachments are not accepted", replies.get(0));
        assertEquals("mz 554 5.7.1 Executable attachments are not accepted", replies.get(1));
        String id = queueId(replies.get(2));
        String bigId = queueId(replies.get(3));
        assertEquals(List.of(id + ".eml", bigId + ".eml").stream().sorted().toList(), files(mailbox),
                "only the clean messages are stored");
        assertEquals(List.of(), files(quarantine));
        assertStoredUnchanged(id, sent(2, "clean"));
        byte[] big = sent(3, "big-clean");
        assertTrue(big.length > 300_000, "big enough to be spooled to a file: " + big.length);
        assertStoredUnchanged(bigId, big);
    }

    private void assertStoredUnchanged(String id, byte[] raw) throws IOException {
        byte[] stored = Files.readAllBytes(mailbox.resolve(id + ".eml"));
        // exactly as sent, after our Received header
        String prefix = new String(stored, 0, stored.length - raw.length, StandardCharsets.US_ASCII);
        assertTrue(prefix.startsWith("Received: ") && prefix.contains(id) && prefix.endsWith("\r\n"), prefix);
        assertFalse(prefix.contains("\r\n\r\n"), prefix);
        assertArrayEquals(raw, Arrays.copyOfRange(stored, stored.length - raw.length, stored.length));
        assertFalse(headers(stored).contains("X-Spam"));
    }

    @Test
    void spamIsTaggedAndDeliveredVerySpammyMailIsQuarantinedBothWithTheirBodiesIntact() throws Exception {
        List<String> replies = python("spam", "very-spam", "big-spam");
        String spamId = queueId(replies.get(0));
        String quarantinedId = queueId(replies.get(1));
        String bigSpamId = queueId(replies.get(2));
        assertEquals(List.of(spamId + ".eml", bigSpamId + ".eml").stream().sorted().toList(), files(mailbox));
        assertEquals(List.of(quarantinedId + ".eml"), files(quarantine));

        byte[] spam = Files.readAllBytes(mailbox.resolve(spamId + ".eml"));
        String h = headers(spam);
        assertTrue(h.startsWith("X-Spam-Flag: YES\r\nX-Spam-Score: 1\r\nReceived: "), h);
        assertTrue(h.contains("\r\nSubject: [SPAM] Claim your lottery prize\r\n"), h);
        assertFalse(h.contains("Subject: Claim"), h);
        assertArrayEquals(afterHeaders(sent(0, "spam")), afterHeaders(spam), "body byte for byte");

        byte[] bigSpam = Files.readAllBytes(mailbox.resolve(bigSpamId + ".eml"));
        assertTrue(bigSpam.length > 300_000, "big enough to be spooled to a file: " + bigSpam.length);
        h = headers(bigSpam);
        assertTrue(h.startsWith("X-Spam-Flag: YES\r\nX-Spam-Score: 1\r\nReceived: "), h);
        assertTrue(h.contains("\r\nSubject: [SPAM] Lottery results\r\n"), h);
        assertArrayEquals(afterHeaders(sent(2, "big-spam")), afterHeaders(bigSpam), "body byte for byte");

        byte[] held = Files.readAllBytes(quarantine.resolve(quarantinedId + ".eml"));
        h = headers(held);
        assertTrue(h.startsWith("X-Spam-Flag: YES\r\nX-Spam-Score: 5\r\nReceived: "), h);
        assertTrue(h.contains("\r\nSubject: [SPAM] You have WON the lottery\r\n"), h);
        assertArrayEquals(afterHeaders(sent(1, "very-spam")), afterHeaders(held), "body byte for byte");
        // the rest of the header block is as sent
        String sentHeaders = headers(sent(1, "very-spam")).replace("Subject: You", "Subject: [SPAM] You");
        assertTrue(h.endsWith("\r\n" + sentHeaders) || h.contains(sentHeaders), h + "\n---\n" + sentHeaders);
    }
}

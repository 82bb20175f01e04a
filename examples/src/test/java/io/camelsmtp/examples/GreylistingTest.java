package io.camelsmtp.examples;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import io.camelsmtp.examples.app.MailRouter;
import org.apache.camel.main.Main;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

import static io.camelsmtp.examples.support.Peers.freeDnsPort;
import static io.camelsmtp.examples.support.Peers.freePort;
import static io.camelsmtp.examples.support.Peers.runs;
import static io.camelsmtp.examples.support.Peers.stop;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * routes/greylisting.camel.yaml between real peers: dnsmasq serves the block list bl.test (RFC 5782's test entry
 * 127.0.0.2 listed, with a TXT reason), swaks connects from 127.0.0.2 and Python's smtplib from 127.0.0.1 and
 * 127.0.0.3 (the same /24). Greylisting with a 2 s delay: first attempt 451 4.7.1, too early 451, after the delay 250
 * and stored, then at once for the same triplet from anywhere in the /24; another recipient or sender is a new
 * triplet; the map keeps at most greylist.maxEntries triplets.
 */
class GreylistingTest {

    private static final long DELAY_MS = 2_000;

    /** One SMTP session from a source address: prints "code text" for MAIL, each RCPT and (if one was accepted) DATA. */
    private static final String SMTPLIB = String.join("\n",
            "import smtplib, sys",
            "source, port, sender, rcpts = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4:]",
            "s = smtplib.SMTP('127.0.0.1', port, local_hostname='client.test', source_address=(source, 0), timeout=20)",
            "s.ehlo()",
            "def show(reply): print(reply[0], reply[1].decode(), flush=True)",
            "show(s.mail(sender))",
            "ok = [r for r in rcpts if (lambda reply: (show(reply), reply[0] == 250)[1])(s.rcpt(r))]",
            "if ok: show(s.data(b'From: ' + sender.encode() + b'\\r\\nSubject: greylisted\\r\\n\\r\\nhello\\r\\n'))",
            "s.quit()");

    @TempDir
    Path tmp;

    private Process dnsmasq;
    private Main main;
    private int smtpPort;

    @BeforeEach
    void start() throws Exception {
        Path exe = Stream.of("/usr/sbin/dnsmasq", "/usr/bin/dnsmasq").map(Path::of).filter(Files::isExecutable)
                .findFirst().orElse(null);
        assumeTrue(exe != null, "SKIPPED: dnsmasq (Debian package dnsmasq-base) is not installed, the block list of"
                                + " this end-to-end test");
        assumeTrue(runs("swaks", "--version"), "SKIPPED: swaks is not installed, this end-to-end test needs it");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/python3")),
                "SKIPPED: /usr/bin/python3 is not installed, the greylisted client of this end-to-end test");
        int dnsPort = freeDnsPort();
        Path conf = Files.writeString(tmp.resolve("dnsmasq.conf"), String.join("\n",
                "port=" + dnsPort, "listen-address=127.0.0.1", "bind-interfaces", "no-resolv", "no-hosts",
                "keep-in-foreground", "log-facility=-", "pid-file=", "user=", "local-ttl=60", "local=/bl.test/",
                "host-record=2.0.0.127.bl.test,127.0.0.2",
                "txt-record=2.0.0.127.bl.test,\"Listed at bl.test, see http://bl.test/127.0.0.2\"", ""));
        dnsmasq = new ProcessBuilder("timeout", "600", exe.toString(), "-C", conf.toString()).redirectErrorStream(true)
                .redirectOutput(tmp.resolve("dnsmasq.log").toFile()).start();
        awaitDns(dnsPort);

        smtpPort = freePort();
        main = MailRouter.create("file:routes/greylisting.camel.yaml");
        main.addInitialProperty("smtp.port", String.valueOf(smtpPort));
        main.addInitialProperty("admin.port", String.valueOf(freePort()));
        main.addInitialProperty("data.dir", tmp.resolve("data").toString()); // its admin.token
        main.addInitialProperty("mailbox.dir", tmp.resolve("mailbox").toString());
        main.addInitialProperty("dnsbl.zones", "bl.test");
        main.addInitialProperty("dnsbl.allowList", "127.0.0.1/32"); // so that 127.0.0.2 and 127.0.0.3 are looked up
        main.addInitialProperty("dns.servers", "127.0.0.1:" + dnsPort);
        main.addInitialProperty("greylist.delay", DELAY_MS + "ms");
        main.addInitialProperty("greylist.maxEntries", "3");
        main.start();
    }

    @AfterEach
    void stopAll() {
        if (main != null) {
            main.stop();
        }
        stop(dnsmasq);
    }


    private void awaitDns(int port) throws Exception {
        SimpleResolver resolver = new SimpleResolver(new InetSocketAddress("127.0.0.1", port));
        resolver.setTimeout(Duration.ofMillis(300));
        Message query = Message.newQuery(Record.newRecord(Name.fromString("2.0.0.127.bl.test."), Type.A, DClass.IN));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline && dnsmasq.isAlive()) {
            try {
                if (resolver.send(query).getRcode() == Rcode.NOERROR) {
                    return;
                }
            } catch (IOException notYet) {
                // not answering yet
            }
            Thread.sleep(10);
        }
        throw new AssertionError("dnsmasq did not answer: " + Files.readString(tmp.resolve("dnsmasq.log")));
    }

    /** The replies of one smtplib session from {@code source}. */
    private List<String> session(String source, String sender, String... recipients) throws Exception {
        Path script = Files.writeString(tmp.resolve("client.py"), SMTPLIB);
        List<String> cmd = new ArrayList<>(List.of("/usr/bin/python3", script.toString(), source, String.valueOf(smtpPort),
                sender));
        cmd.addAll(List.of(recipients));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), out);
        assertEquals(0, p.exitValue(), out);
        return out.lines().toList();
    }

    private int stored() throws IOException {
        Path dir = tmp.resolve("mailbox");
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (Stream<Path> s = Files.list(dir)) {
            return (int) s.count();
        }
    }

    private static final String GREYLISTED = "451 4.7.1 greylisted, try again later";

    @Test
    void aListedClientIsRefusedAtConnectWithTheListsReason() throws Exception {
        Process swaks = new ProcessBuilder("swaks", "--server", "127.0.0.1", "--port", String.valueOf(smtpPort),
                "--local-interface", "127.0.0.2", "--from", "carol@example.net", "--to", "alice@example.org",
                "--timeout", "20").redirectErrorStream(true).start();
        String out = new String(swaks.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(swaks.waitFor(60, TimeUnit.SECONDS), out);
        assertTrue(out.contains("<** 554 5.7.1 Service unavailable; client [127.0.0.2] blocked using bl.test; Listed at "
                                + "bl.test, see http://bl.test/127.0.0.2"), out);
        assertEquals(0, stored());
    }

    @Test
    void firstAttemptIsGreylistedTheRetryAfterTheDelayAccepted() throws Exception {
        long first = System.nanoTime();
        assertEquals(List.of("250 2.1.0 Ok", GREYLISTED), session("127.0.0.1", "carol@example.net", "alice@example.org"));
        assertEquals(List.of("250 2.1.0 Ok", GREYLISTED), session("127.0.0.1", "carol@example.net", "alice@example.org"),
                "retried too early");
        assertEquals(0, stored());

        Thread.sleep(Math.max(0, DELAY_MS + 300 - (System.nanoTime() - first) / 1_000_000));
        List<String> retry = session("127.0.0.1", "Carol@Example.NET", "alice@example.org");
        assertEquals("250 2.1.5 Ok", retry.get(1), retry.toString());
        assertTrue(retry.get(2).startsWith("250 2.0.0 Ok: queued as "), retry.toString());
        assertEquals(1, stored());

        // the same triplet from elsewhere in the client's /24 (127.0.0.3 is looked up in bl.test: not listed) passes
        // at once; another recipient in the same session is a new triplet
        List<String> neighbour = session("127.0.0.3", "carol@example.net", "alice@example.org", "bob@example.org");
        assertEquals(List.of("250 2.1.0 Ok", "250 2.1.5 Ok", GREYLISTED), neighbour.subList(0, 3));
        assertTrue(neighbour.get(3).startsWith("250 2.0.0 Ok: queued as "), neighbour.toString());
        assertEquals(2, stored());
        assertEquals(List.of("250 2.1.0 Ok", GREYLISTED), session("127.0.0.1", "dave@example.net", "alice@example.org"),
                "another sender is a new triplet");
    }

    @Test
    void theGreylistIsBoundedByMaxEntries() throws Exception {
        for (String sender : List.of("a@example.net", "b@example.net", "c@example.net", "d@example.net", "e@example.net")) {
            assertEquals(List.of("250 2.1.0 Ok", GREYLISTED), session("127.0.0.1", sender, "alice@example.org"));
        }
        Thread.sleep(DELAY_MS + 300);
        // at most 3 entries: the oldest triplets are forgotten, so their retry counts as a first attempt again
        assertEquals(List.of("250 2.1.0 Ok", GREYLISTED), session("127.0.0.1", "a@example.net", "alice@example.org"));
        List<String> recent = session("127.0.0.1", "e@example.net", "alice@example.org");
        assertEquals("250 2.1.5 Ok", recent.get(1), recent.toString());
    }
}

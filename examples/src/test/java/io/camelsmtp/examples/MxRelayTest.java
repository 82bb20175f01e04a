package io.camelsmtp.examples;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import io.camelsmtp.examples.app.MailRouter;
import io.camelsmtp.examples.support.Curl;
import io.camelsmtp.examples.support.SmtpSink;
import org.apache.camel.main.Main;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

import static io.camelsmtp.examples.support.Peers.freeDnsPort;
import static io.camelsmtp.examples.support.Peers.executable;
import static io.camelsmtp.examples.support.Peers.freePort;
import static io.camelsmtp.examples.support.Peers.run;
import static io.camelsmtp.examples.support.Peers.runs;
import static io.camelsmtp.examples.support.Peers.smtpSink;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * routes/mx-relay.camel.yaml between real peers: dnsmasq serves the MX records of the remote test domains, Postfix's
 * smtp-sink is their mail exchanger (one accepting and dumping every message, one answering every RCPT with 550),
 * swaks and Python's smtplib are the clients. The trusted network is 127.0.0.1/32, so a client bound to 127.0.0.5
 * is an untrusted one. The receivers listen on 127.0.0.61 and 127.0.0.62 on one free port (the relay's port
 * option), not on port 25, so that other tests using the loopback port 25 testbed do not collide with this one.
 */
class MxRelayTest {

    private static final String REMOTE_MX = "127.0.0.61";
    private static final String REJECT_MX = "127.0.0.62";
    private static final String LATER_MX = "127.0.0.63";
    private static final String UNTRUSTED_CLIENT = "127.0.0.5";
    private static final String HOST_NAME = "mx.test";

    /** A multi-recipient SMTP dialogue: prints "code text" for MAIL, each RCPT and DATA. */
    private static final String SMTPLIB_DIALOGUE = String.join("\n",
            "import smtplib, sys",
            "s = smtplib.SMTP('127.0.0.1', int(sys.argv[1]), local_hostname='client.test', timeout=20)",
            "s.ehlo()",
            "def show(reply): print(reply[0], reply[1].decode())",
            "show(s.mail(sys.argv[2]))",
            "for r in sys.argv[3:]: show(s.rcpt(r))",
            "show(s.data(b'Subject: several recipients\\r\\n\\r\\nhello\\r\\n'))",
            "s.quit()");

    /** ETRN from a given local address (or "-"): prints "code text" of the reply. */
    private static final String SMTPLIB_ETRN = String.join("\n",
            "import smtplib, sys",
            "source = None if sys.argv[2] == '-' else (sys.argv[2], 0)",
            "s = smtplib.SMTP(local_hostname='site.later.test', timeout=20, source_address=source)",
            "s.connect('127.0.0.1', int(sys.argv[1]))",
            "s.ehlo()",
            "code, text = s.docmd('ETRN', sys.argv[3])",
            "print(code, text.decode())",
            "s.quit()");

    @TempDir
    Path tmp;

    private final List<Process> processes = new ArrayList<>();
    private final List<SmtpSink> sinks = new ArrayList<>();
    private Main main;
    private int smtpPort;
    private Path mailboxes;
    private SmtpSink remoteMx;
    private int receiverPort;
    private int adminPort;

    /** A port free for TCP on both receiver addresses. */
    private static int freeReceiverPort() throws Exception {
        for (int i = 0; i < 20; i++) {
            int port;
            try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(REMOTE_MX))) {
                port = s.getLocalPort();
            }
            try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getByName(REJECT_MX));
                 ServerSocket t = new ServerSocket(port, 1, InetAddress.getByName(LATER_MX))) {
                return port;
            } catch (IOException taken) {
                // try another one
            }
        }
        throw new IllegalStateException("no common free port on " + REMOTE_MX + ", " + REJECT_MX + " and " + LATER_MX);
    }



    /** Starts a child that cannot outlive a killed test JVM by more than 10 minutes; its output goes to a file. */
    private Process start(String name, List<String> command) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("timeout", "600"));
        cmd.addAll(command);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(tmp.resolve(name + ".log").toFile()).start();
        processes.add(p);
        return p;
    }

    /** A receiving MX on {@code host} and the receivers' port, its dumps and log under {@code tmp/name}. */
    private SmtpSink startMx(String name, String host, String... options) throws Exception {
        SmtpSink sink = SmtpSink.start(tmp.resolve(name), host, receiverPort, options);
        sinks.add(sink);
        return sink;
    }

    private void awaitDns(Process p, int port) throws Exception {
        SimpleResolver resolver = new SimpleResolver(new InetSocketAddress("127.0.0.1", port));
        resolver.setTimeout(Duration.ofMillis(500));
        Message query = Message.newQuery(Record.newRecord(Name.fromString("remote.test."), Type.MX, DClass.IN));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline && p.isAlive()) {
            try {
                if (resolver.send(query).getRcode() == Rcode.NOERROR) {
                    return;
                }
            } catch (IOException notYet) {
                // not answering yet
            }
            Thread.sleep(5);
        }
        throw new AssertionError("dnsmasq did not answer on 127.0.0.1:" + port + ": "
                                 + Files.readString(tmp.resolve("dnsmasq.log")));
    }

    @BeforeEach
    void startAll(TestInfo test) throws Exception {
        Optional<String> dnsmasq = executable("/usr/sbin/dnsmasq", "/usr/bin/dnsmasq");
        assumeTrue(dnsmasq.isPresent(), "SKIPPED: dnsmasq (Debian package dnsmasq-base) is not installed, the DNS of"
                                        + " this end-to-end test");
        assumeTrue(smtpSink() != null, "SKIPPED: smtp-sink (Debian package postfix) is not installed, the remote"
                                       + " mail exchangers of this end-to-end test");
        assumeTrue(runs("swaks", "--version"), "SKIPPED: swaks is not installed, this end-to-end test needs it");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/python3")),
                "SKIPPED: /usr/bin/python3 is not installed, the multi-recipient client of this end-to-end test");

        receiverPort = freeReceiverPort();
        remoteMx = startMx("remote-mx", REMOTE_MX);
        startMx("reject-mx", REJECT_MX, "-f", "RCPT", "-B", "550 5.1.1 No such user here");

        int dnsPort = freeDnsPort();
        String conf;
        try (InputStream in = MxRelayTest.class.getResourceAsStream("/mx-relay/dnsmasq.conf")) {
            conf = new String(in.readAllBytes(), StandardCharsets.UTF_8).replace("@PORT@", String.valueOf(dnsPort))
                    .replace("@REMOTE_MX@", REMOTE_MX).replace("@REJECT_MX@", REJECT_MX)
                    .replace("@LATER_MX@", LATER_MX);
        }
        Path confFile = Files.writeString(tmp.resolve("dnsmasq.conf"), conf);
        awaitDns(start("dnsmasq", List.of(dnsmasq.get(), "-C", confFile.toString())), dnsPort);

        mailboxes = tmp.resolve("mailbox");
        smtpPort = freePort();
        main = MailRouter.create("file:routes/mx-relay.camel.yaml");
        main.addInitialProperty("smtp.host", "127.0.0.1");
        main.addInitialProperty("smtp.port", String.valueOf(smtpPort));
        main.addInitialProperty("smtp.hostName", HOST_NAME);
        adminPort = freePort();
        main.addInitialProperty("admin.port", String.valueOf(adminPort));
        main.addInitialProperty("data.dir", tmp.resolve("data").toString()); // its admin.token
        main.addInitialProperty("spool.dir", tmp.resolve("spool").toString());
        main.addInitialProperty("mailbox.dir", mailboxes.toString());
        main.addInitialProperty("mx.localDomains", "example.test,example.org");
        main.addInitialProperty("mx.localUsers", "alice,bob");
        main.addInitialProperty("mx.relayNetworks", "127.0.0.1/32 [::1]/128");
        main.addInitialProperty("relay.dnsServers", "127.0.0.1:" + dnsPort);
        main.addInitialProperty("relay.port", String.valueOf(receiverPort));
        main.addInitialProperty("relay.allowPrivateAddresses", "true");
        main.addInitialProperty("mx.etrnNetworks", "127.0.0.1/32");
        // the ETRN test waits ten minutes for a retry, so that only ETRN explains a delivery
        main.addInitialProperty("retry.min", test.getTestMethod().orElseThrow().getName().startsWith("etrn") ? "10m" : "300ms");
        main.start();
    }

    @AfterEach
    void stopAll() throws Exception {
        if (main != null) {
            main.stop();
        }
        for (Process p : processes) {
            p.destroy();
        }
        for (Process p : processes) {
            p.waitFor(10, TimeUnit.SECONDS);
        }
        sinks.forEach(SmtpSink::close);
    }

    private String swaks(String... options) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("swaks", "--server", "127.0.0.1", "--port",
                String.valueOf(smtpPort), "--helo", "client.test", "--header", "Subject: mx relay test"));
        cmd.addAll(List.of(options));
        return run(cmd);
    }

    private String smtplib(String from, String... recipients) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("/usr/bin/python3", "-c", SMTPLIB_DIALOGUE,
                String.valueOf(smtpPort), from));
        cmd.addAll(List.of(recipients));
        return run(cmd);
    }

    private static String queueId(String out) {
        assertTrue(out.contains("<~  250 2.0.0 Ok: queued as ") || out.contains("<-  250 2.0.0 Ok: queued as "), out);
        return out.substring(out.indexOf("queued as ") + 10).split("\\s")[0];
    }

    private static List<Path> files(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(Files::isRegularFile).sorted().toList();
        }
    }

    /** Waits for the first file in the folder whose content contains the text, returns that content. */
    private static String await(Path dir, String text) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            for (Path f : files(dir)) {
                String content = Files.readString(f, StandardCharsets.ISO_8859_1);
                if (content.contains(text)) {
                    return content;
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("nothing with '" + text + "' arrived in " + dir + ": " + files(dir));
    }

    private String mailbox(String user, String queueId) throws Exception {
        Path file = mailboxes.resolve(user).resolve(queueId + ".eml");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!Files.exists(file)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no " + file + "; mailboxes: " + files(mailboxes.resolve(user)));
            }
            Thread.sleep(50);
        }
        return Files.readString(file, StandardCharsets.ISO_8859_1);
    }

    @Test
    void localUserGetsTheMessageInTheirMailbox() throws Exception {
        String out = swaks("--from", "carol@example.net", "--to", "alice@example.test", "--body", "hello alice");
        assertTrue(out.contains("<-  220 " + HOST_NAME + " ESMTP camel-smtp"), out);
        assertTrue(out.contains("<-  250 2.1.5 Ok"), out);
        String id = queueId(out);

        String message = mailbox("alice", id);
        assertTrue(message.startsWith("Received: from client.test ([127.0.0.1])"), message);
        assertTrue(message.contains("by " + HOST_NAME + " (camel-smtp) with ESMTP id " + id), message);
        assertTrue(message.contains("for <alice@example.test>;"), message);
        assertTrue(message.contains("Subject: mx relay test"), message);
        assertTrue(message.contains("hello alice"), message);
        assertFalse(Files.exists(mailboxes.resolve("bob")), "bob got nothing");
        assertEquals(List.of(), remoteMx.dumped(), "nothing left the host");
    }

    @Test
    void unknownLocalUserIs550AndTheSessionGoesOn() throws Exception {
        String out = swaks("--from", "carol@example.net", "--to", "nobody@example.test");
        assertTrue(out.contains("<** 550 5.1.1 <nobody@example.test>: Recipient address rejected: User unknown in"
                                + " local recipient table"), out);
        assertFalse(out.contains("queued as"), out);

        // one session: the unknown user is refused, the known ones (in any case) still accepted
        String dialogue = smtplib("carol@example.net", "nobody@example.test", "Bob@Example.TEST", "alice@example.test");
        List<String> lines = dialogue.lines().toList();
        assertEquals("250 2.1.0 Ok", lines.get(0), dialogue);
        assertEquals("550 5.1.1 <nobody@example.test>: Recipient address rejected: User unknown in local recipient"
                     + " table", lines.get(1), dialogue);
        assertEquals("250 2.1.5 Ok", lines.get(2), dialogue);
        assertEquals("250 2.1.5 Ok", lines.get(3), dialogue);
        assertTrue(lines.get(4).startsWith("250 2.0.0 Ok: queued as "), dialogue);
        String id = lines.get(4).substring("250 2.0.0 Ok: queued as ".length());

        // one delivery for both (one domain): the message is read from the spool once per mailbox, whole each time
        String bob = mailbox("bob", id);
        assertTrue(bob.contains("Subject: several recipients") && bob.endsWith("hello\r\n"), bob);
        assertEquals(bob, mailbox("alice", id));
        assertFalse(Files.exists(mailboxes.resolve("nobody")), "no mailbox for the refused recipient");
    }

    @Test
    void trustedClientRelaysByMx() throws Exception {
        String out = swaks("--from", "alice@example.test", "--to", "dave@remote.test", "--body", "to the world");
        assertTrue(out.contains("<-  250 2.1.5 Ok"), out);
        String id = queueId(out);

        String message = remoteMx.awaitDump(id, 20);
        assertTrue(message.contains("X-Mail-Args: <alice@example.test>"), message);
        assertTrue(message.contains("X-Rcpt-Args: <dave@remote.test>"), message);
        assertTrue(message.contains("X-Helo-Args: " + HOST_NAME), message);
        assertTrue(message.contains("Received: from client.test ([127.0.0.1])"), message);
        assertTrue(message.contains("by " + HOST_NAME + " (camel-smtp) with ESMTP id " + id), message);
        assertTrue(message.contains("to the world"), message);
    }

    @Test
    void untrustedClientMayNotRelayButMayDeliverLocally() throws Exception {
        String out = swaks("--local-interface", UNTRUSTED_CLIENT, "--from", "mallory@example.net",
                "--to", "dave@remote.test");
        assertTrue(out.contains("<** 554 5.7.1 <dave@remote.test>: Relay access denied"), out);
        assertFalse(out.contains("queued as"), out);

        // the same client is a remote MTA delivering to us: that is what an MX is for
        String local = swaks("--local-interface", UNTRUSTED_CLIENT, "--from", "mallory@example.net",
                "--to", "bob@example.test");
        String id = queueId(local);
        assertTrue(mailbox("bob", id).contains("Received: from client.test ([" + UNTRUSTED_CLIENT + "])"));
        Thread.sleep(300);
        assertEquals(List.of(), remoteMx.dumped(), "nothing was relayed");
    }

    @Test
    void permanentFailuresBounceToTheLocalSender() throws Exception {
        String out = swaks("--from", "alice@example.test", "--to", "eve@reject.test",
                "--header", "Message-Id: <reject-1@example.test>");
        String id = queueId(out);

        // the remote MX said 550 at RCPT: a notification (from <>) lands in alice's mailbox
        String dsn = await(mailboxes.resolve("alice"), "Final-Recipient: rfc822; eve@reject.test");
        assertTrue(dsn.contains("From: Mail Delivery System <MAILER-DAEMON@" + HOST_NAME + ">"), dsn);
        assertTrue(dsn.contains("report-type=delivery-status"), dsn);
        assertTrue(dsn.contains("Reporting-MTA: dns; " + HOST_NAME), dsn);
        assertTrue(dsn.contains("Action: failed"), dsn);
        assertTrue(dsn.contains("Status: 5.1.1"), dsn);
        assertTrue(dsn.contains("Remote-MTA: dns; mx.reject.test"), dsn);
        assertTrue(dsn.contains("Diagnostic-Code: smtp; 550 5.1.1 No such user here"), dsn);
        assertTrue(dsn.contains("Message-Id: <reject-1@example.test>"), "the original's headers come back:\n" + dsn);
        assertFalse(files(mailboxes.resolve("alice")).contains(mailboxes.resolve("alice").resolve(id + ".eml")));

        // a domain that does not exist (NXDOMAIN): the relay's own 550 5.1.2
        swaks("--from", "bob@example.test", "--to", "frank@nx.test");
        String nx = await(mailboxes.resolve("bob"), "Final-Recipient: rfc822; frank@nx.test");
        assertTrue(nx.contains("Status: 5.1.2"), nx);
        assertTrue(nx.contains("Diagnostic-Code: smtp; 550 5.1.2"), nx);
        assertEquals(List.of(), remoteMx.dumped(), "nothing arrived at the accepting MX");
    }

    @Test
    void aFailedBounceGoesToThePostmaster() throws Exception {
        // mail from the null sender (a bounce from elsewhere) that the remote MX refuses: nobody to bounce it to,
        // so the postmaster (the bare <postmaster>, a local mailbox) is told
        String out = swaks("--from", "<>", "--to", "eve@reject.test");
        assertTrue(out.contains(" -> MAIL FROM:<>"), out);
        queueId(out);
        String notice = await(mailboxes.resolve("postmaster"), "Final-Recipient: rfc822; eve@reject.test");
        assertTrue(notice.contains("Diagnostic-Code: smtp; 550 5.1.1 No such user here"), notice);

        // the postmaster of each local domain is a known recipient even when mx.localUsers does not list it
        String direct = swaks("--local-interface", UNTRUSTED_CLIENT, "--from", "carol@example.net",
                "--to", "postmaster@example.org");
        assertTrue(mailbox("postmaster", queueId(direct)).contains("for <postmaster@example.org>;"));
        // and so is the bare <postmaster> (RFC 5321 4.5.1), from any client
        String bare = swaks("--local-interface", UNTRUSTED_CLIENT, "--from", "carol@example.net", "--to", "postmaster");
        assertTrue(bare.contains(" -> RCPT TO:<postmaster>"), bare);
        String forBare = mailbox("postmaster", queueId(bare));
        assertTrue(forBare.contains("for <postmaster>;"), forBare);
    }

    @Test
    void anUnreachableMxIsRetriedUntilItAnswers() throws Exception {
        String out = swaks("--from", "alice@example.test", "--to", "gina@later.test", "--body", "patience");
        String id = queueId(out);
        Thread.sleep(1000); // the first attempts find nobody on mx.later.test: connection refused, deferred
        HttpResponse<String> mailq = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + adminPort + "/queue/mx/mailq"))
                .header("Authorization", "Bearer " + Curl.token(tmp.resolve("data/admin.token"))).build(),
                BodyHandlers.ofString());
        assertEquals(200, mailq.statusCode(), mailq.body());
        assertTrue(mailq.body().contains(id), mailq.body());
        assertTrue(mailq.body().contains("451 4.4.1 Connection to mx.later.test [" + LATER_MX + "]:" + receiverPort
                                         + " failed: Connection refused"), mailq.body());

        SmtpSink laterMx = startMx("later-mx", LATER_MX);

        String message = laterMx.awaitDump(id, 20);
        assertTrue(message.contains("X-Rcpt-Args: <gina@later.test>"), message);
        assertTrue(message.contains("patience"), message);
        assertFalse(Files.exists(mailboxes.resolve("alice")), "no bounce: a refused connection is only a delay");
    }

    @Test
    void oneLocalAndOneRemoteRecipientBothGetIt() throws Exception {
        String out = swaks("--from", "alice@example.test", "--to", "bob@example.test,dave@remote.test",
                "--body", "for both");
        String id = queueId(out);

        String local = mailbox("bob", id);
        assertTrue(local.contains("for both"), local);
        String remote = remoteMx.awaitDump(id, 20);
        assertTrue(remote.contains("X-Rcpt-Args: <dave@remote.test>"), remote);
        assertFalse(remote.contains("X-Rcpt-Args: <bob@example.test>"), "the local recipient is not relayed:\n"
                                                                        + remote);
        assertTrue(remote.contains("for both"), remote);
        Thread.sleep(300);
        assertEquals(1, remoteMx.dumped().size(), "one copy at the remote MX");
        assertEquals(List.of(mailboxes.resolve("bob").resolve(id + ".eml")), files(mailboxes.resolve("bob")));
    }

    @Test
    void etrnFromTheSiteSendsItsWaitingMailAtOnceAndFromAnyoneElseIsRefused() throws Exception {
        String id = queueId(swaks("--from", "alice@example.test", "--to", "hank@later.test", "--body", "etrn"));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!mailq().contains("Connection refused")) { // the first attempt: nobody on mx.later.test yet
            assertTrue(System.nanoTime() < deadline, "no deferral in the queue: " + mailq());
            Thread.sleep(100);
        }
        SmtpSink laterMx = startMx("later-mx", LATER_MX);

        assertEquals("459 4.7.1 Node later.test not allowed: client [" + UNTRUSTED_CLIENT + "] may not ETRN",
                etrn(UNTRUSTED_CLIENT, "later.test"));
        Thread.sleep(500);
        assertEquals(List.of(), laterMx.dumped(), "a refused ETRN starts nothing");

        assertEquals("250 2.0.0 Queuing for node later.test started", etrn("-", "LATER.test"));
        String message = laterMx.awaitDump(id, 20); // the next retry is ten minutes away
        assertTrue(message.contains("X-Rcpt-Args: <hank@later.test>"), message);
        assertEquals("251 2.0.0 OK, no messages waiting for node @later.test", etrn("-", "@later.test"));
    }

    private String etrn(String source, String node) throws Exception {
        return run(List.of("/usr/bin/python3", "-c", SMTPLIB_ETRN, String.valueOf(smtpPort), source, node)).strip();
    }

    private String mailq() throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + adminPort + "/queue/mx/mailq"))
                .header("Authorization", "Bearer " + Curl.token(tmp.resolve("data/admin.token"))).build(),
                BodyHandlers.ofString()).body();
    }
}

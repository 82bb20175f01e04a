package io.camelsmtp.examples;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
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
import static io.camelsmtp.examples.support.Peers.executable;
import static io.camelsmtp.examples.support.Peers.freePort;
import static io.camelsmtp.examples.support.Peers.run;
import static io.camelsmtp.examples.support.Peers.runs;
import static io.camelsmtp.examples.support.Peers.stop;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * routes/outbound-routing.camel.yaml between real peers: swaks submits mail from the senders of two tenants; dnsmasq
 * serves the MX records; two aiosmtpd receivers, the MX of remote.test and the smart host of partner.test, record
 * each message with the address and EHLO name it came from (X-Peer, X-Helo). Tenant a sends from 127.0.0.74, tenant
 * b from 127.0.0.75; the trusted network is 127.0.0.1/32, so a client bound to 127.0.0.5 is an untrusted one. The
 * receivers listen on free ports (the relay's port option, the smart host's port), not on port 25.
 */
class OutboundRoutingTest {

    private static final String MX = "127.0.0.71";
    private static final String SMART_HOST = "127.0.0.72";
    private static final String LATER_MX = "127.0.0.73";
    private static final String SOURCE_A = "127.0.0.74";
    private static final String SOURCE_B = "127.0.0.75";
    private static final String UNTRUSTED_CLIENT = "127.0.0.5";
    private static final String HOST_NAME = "out.test";

    @TempDir
    Path tmp;

    private final List<Process> processes = new ArrayList<>();
    private Main main;
    private int smtpPort;
    private int adminPort;
    private int mxPort;

    /** A port free for TCP on both MX addresses (the relay's one port option for every MX). */
    private static int freeMxPort() throws Exception {
        for (int i = 0; i < 20; i++) {
            int port;
            try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(MX))) {
                port = s.getLocalPort();
            }
            try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getByName(LATER_MX))) {
                return port;
            } catch (IOException taken) {
                // try another one
            }
        }
        throw new IllegalStateException("no common free port on " + MX + " and " + LATER_MX);
    }

    private static int freePortOn(String host) throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(host))) {
            return s.getLocalPort();
        }
    }



    /** Starts a child that cannot outlive a killed test JVM by more than 10 minutes; its output goes to a file. */
    private Process start(String name, List<String> command) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("timeout", "600"));
        cmd.addAll(command);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(tmp.resolve(name + ".log").toFile());
        pb.environment().put("PYTHONPATH", tmp.toString()); // recorder.py
        Process p = pb.start();
        processes.add(p);
        return p;
    }

    /** An aiosmtpd receiver on host:port keeping each message in the Maildir tmp/name (see recorder.py). */
    private Path startReceiver(String name, String host, int port) throws Exception {
        Path maildir = tmp.resolve(name);
        Process p = start(name, List.of("/usr/bin/python3", "-m", "aiosmtpd", "-n", "-l", host + ":" + port,
                "-c", "recorder.Recorder", maildir.toString()));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(host, port), 500);
                return maildir.resolve("new");
            } catch (IOException notYet) {
                if (!p.isAlive() || System.nanoTime() > deadline) {
                    throw new AssertionError("aiosmtpd did not listen on " + host + ":" + port + ": "
                                             + Files.readString(tmp.resolve(name + ".log")));
                }
                Thread.sleep(20);
            }
        }
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

    private Path mxMail;
    private Path smartHostMail;

    @BeforeEach
    void startAll() throws Exception {
        Optional<String> dnsmasq = executable("/usr/sbin/dnsmasq", "/usr/bin/dnsmasq");
        assumeTrue(dnsmasq.isPresent(), "SKIPPED: dnsmasq (Debian package dnsmasq-base) is not installed, the DNS of"
                                        + " this end-to-end test");
        assumeTrue(runs("swaks", "--version"), "SKIPPED: swaks is not installed, this end-to-end test needs it");
        assumeTrue(runs("/usr/bin/python3", "-c", "import aiosmtpd"), "SKIPPED: /usr/bin/python3 with aiosmtpd "
                   + "(Debian package python3-aiosmtpd) is not installed, the receivers of this end-to-end test");

        try (InputStream in = OutboundRoutingTest.class.getResourceAsStream("/outbound-routing/recorder.py")) {
            Files.write(tmp.resolve("recorder.py"), in.readAllBytes());
        }
        mxPort = freeMxPort();
        mxMail = startReceiver("mx", MX, mxPort);
        int smartHostPort = freePortOn(SMART_HOST);
        smartHostMail = startReceiver("smarthost", SMART_HOST, smartHostPort);

        int dnsPort = freeDnsPort();
        String conf;
        try (InputStream in = OutboundRoutingTest.class.getResourceAsStream("/outbound-routing/dnsmasq.conf")) {
            conf = new String(in.readAllBytes(), StandardCharsets.UTF_8).replace("@PORT@", String.valueOf(dnsPort))
                    .replace("@REMOTE_MX@", MX).replace("@LATER_MX@", LATER_MX);
        }
        Path confFile = Files.writeString(tmp.resolve("dnsmasq.conf"), conf);
        awaitDns(start("dnsmasq", List.of(dnsmasq.get(), "-C", confFile.toString())), dnsPort);

        smtpPort = freePort();
        adminPort = freePort();
        main = MailRouter.create("file:routes/outbound-routing.camel.yaml");
        main.addInitialProperty("smtp.host", "127.0.0.1");
        main.addInitialProperty("smtp.port", String.valueOf(smtpPort));
        main.addInitialProperty("smtp.hostName", HOST_NAME);
        main.addInitialProperty("admin.port", String.valueOf(adminPort));
        main.addInitialProperty("data.dir", tmp.resolve("data").toString()); // its admin.token
        main.addInitialProperty("spool.dir", tmp.resolve("spool").toString());
        main.addInitialProperty("outbound.relayNetworks", "127.0.0.1/32 [::1]/128");
        main.addInitialProperty("tenants.a.domains", "a.test,a2.test");
        main.addInitialProperty("tenants.a.localAddress", SOURCE_A);
        main.addInitialProperty("tenants.a.heloName", "mta-a.test");
        main.addInitialProperty("tenants.b.domains", "b.test");
        main.addInitialProperty("tenants.b.localAddress", SOURCE_B);
        main.addInitialProperty("tenants.b.heloName", "mta-b.test");
        main.addInitialProperty("smarthost.domains", "partner.test,partner2.test");
        main.addInitialProperty("smarthost.host", SMART_HOST);
        main.addInitialProperty("smarthost.port", String.valueOf(smartHostPort));
        main.addInitialProperty("smarthost.tls", "none");
        main.addInitialProperty("relay.dnsServers", "127.0.0.1:" + dnsPort);
        main.addInitialProperty("relay.port", String.valueOf(mxPort));
        main.addInitialProperty("relay.allowPrivateAddresses", "true");
        // deferred mail (later.test) stays in its queue for the whole test
        main.addInitialProperty("retry.min", "10m");
        main.addInitialProperty("shaping.rules", "routes/shaping/providers.yaml");
        main.start();
    }

    @AfterEach
    void stopAll() throws Exception {
        if (main != null) {
            main.stop();
        }
        processes.forEach(p -> stop(p));
    }

    private String swaks(String... options) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("swaks", "--server", "127.0.0.1", "--port",
                String.valueOf(smtpPort), "--helo", "client.test", "--header", "Subject: outbound routing test"));
        cmd.addAll(List.of(options));
        return run(cmd);
    }

    private static String queueId(String out) {
        assertTrue(out.contains("<-  250 2.0.0 Ok: queued as "), out);
        return out.substring(out.indexOf("queued as ") + 10).split("\\s")[0];
    }

    /** Sends one message from {@code from} to {@code to} and returns its queue id. */
    private String send(String from, String to) throws Exception {
        return queueId(swaks("--from", from, "--to", to));
    }

    /** Waits (at most 20 s) for the message with our queue id in the Maildir, returns it (headers first). */
    private static String await(Path maildir, String queueId) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            Optional<String> found = find(maildir, queueId);
            if (found.isPresent()) {
                return found.get();
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no message with id " + queueId + " in " + maildir);
    }

    private static Optional<String> find(Path maildir, String queueId) throws IOException {
        if (!Files.isDirectory(maildir)) {
            return Optional.empty();
        }
        try (Stream<Path> files = Files.list(maildir)) {
            for (Path f : files.sorted().toList()) {
                String message = Files.readString(f, StandardCharsets.ISO_8859_1);
                if (message.contains("(camel-smtp) with ESMTP id " + queueId)) {
                    return Optional.of(message);
                }
            }
        }
        return Optional.empty();
    }

    private static void assertFrom(String message, String source, String helo, String rcpt) {
        assertTrue(message.contains("X-Peer: ('" + source + "', "), "sent from " + source + ":\n" + message);
        assertTrue(message.contains("X-Helo: " + helo), "EHLO " + helo + ":\n" + message);
        assertTrue(message.contains("X-RcptTo: " + rcpt), "for " + rcpt + ":\n" + message);
    }

    private HttpResponse<String> admin(String method, String path) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + path))
                .header("Authorization", "Bearer " + Curl.token(tmp.resolve("data/admin.token")));
        if (method.equals("POST")) {
            b.header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{}"));
        }
        return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Each tenant's queue shapes its deliveries by the providers' rules; its sites are visible and liftable over HTTP. */
    @Test
    void theTenantsQueuesShapeByTheProvidersRulesAndShowTheirSitesOverHttp() throws Exception {
        assertFrom(await(mxMail, send("alice@a.test", "dave@remote.test")), SOURCE_A, "mta-a.test", "dave@remote.test");
        HttpResponse<String> sites = admin("GET", "/queue/tenant-a/sites");
        assertEquals(200, sites.statusCode(), sites.body());
        assertTrue(sites.body().contains("providers.yaml") && sites.body().contains("\"reactions\""), sites.body());
        HttpResponse<String> stats = admin("GET", "/queue/tenant-b/stats");
        assertTrue(stats.body().contains("\"shaping\":{\"file\""), stats.body());
        HttpResponse<String> none = admin("POST", "/queue/tenant-a/sites/nosuch.example/resume");
        assertEquals(404, none.statusCode(), none.body());
    }

    private String mailq(String queue) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + adminPort + "/queue/" + queue + "/mailq"))
                .header("Authorization", "Bearer " + Curl.token(tmp.resolve("data/admin.token")))
                .timeout(Duration.ofSeconds(10)).build(), BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        return r.body();
    }

    @Test
    void eachTenantLeavesFromItsOwnAddressByMxAndThroughTheSmartHost() throws Exception {
        String aByMx = send("alice@a.test", "dave@remote.test");
        String aBySmartHost = send("Carol@A2.TEST", "erin@partner.test");
        String bByMx = send("bob@b.test", "frank@remote.test");
        String bBySmartHost = send("bob@b.test", "gina@Partner2.test");

        assertFrom(await(mxMail, aByMx), SOURCE_A, "mta-a.test", "dave@remote.test");
        assertFrom(await(smartHostMail, aBySmartHost), SOURCE_A, "mta-a.test", "erin@partner.test");
        assertFrom(await(mxMail, bByMx), SOURCE_B, "mta-b.test", "frank@remote.test");
        assertFrom(await(smartHostMail, bBySmartHost), SOURCE_B, "mta-b.test", "gina@Partner2.test");

        // the smart-host domains never reach the MX receiver, the others never the smart host
        assertFalse(find(mxMail, aBySmartHost).isPresent() || find(mxMail, bBySmartHost).isPresent());
        assertFalse(find(smartHostMail, aByMx).isPresent() || find(smartHostMail, bByMx).isPresent());
    }

    @Test
    void oneMessageForBothRoutesIsSplitByDomainAndLeavesFromTheTenantsAddressBothWays() throws Exception {
        String id = send("alice@a.test", "dave@remote.test,erin@partner.test");
        assertFrom(await(mxMail, id), SOURCE_A, "mta-a.test", "dave@remote.test");
        assertFrom(await(smartHostMail, id), SOURCE_A, "mta-a.test", "erin@partner.test");
    }

    @Test
    void eachTenantsQueueHoldsOnlyItsOwnMailAndOneBacklogDoesNotHoldUpTheOther() throws Exception {
        String aWaiting = send("alice@a.test", "hank@later.test");
        String bWaiting = send("bob@b.test", "ivan@later.test");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!(mailq("tenant-a").contains("Connection refused")
                 && mailq("tenant-b").contains("Connection refused"))) {
            assertTrue(System.nanoTime() < deadline, "no deferral: " + mailq("tenant-a") + mailq("tenant-b"));
            Thread.sleep(100);
        }
        String qa = mailq("tenant-a");
        String qb = mailq("tenant-b");
        assertTrue(qa.contains(aWaiting) && qa.contains("hank@later.test"), qa);
        assertFalse(qa.contains(bWaiting) || qa.contains("ivan@later.test"),
                "tenant b's mail in tenant a's queue:\n" + qa);
        assertTrue(qb.contains(bWaiting) && qb.contains("ivan@later.test"), qb);
        assertFalse(qb.contains(aWaiting) || qb.contains("hank@later.test"),
                "tenant a's mail in tenant b's queue:\n" + qb);
        assertTrue(Files.isDirectory(tmp.resolve("spool/tenant-a")), "a spool of its own");
        assertTrue(Files.isDirectory(tmp.resolve("spool/tenant-b")), "a spool of its own");

        // both queues hold deferred mail; new mail of either tenant still goes out at once
        assertFrom(await(mxMail, send("bob@b.test", "frank@remote.test")), SOURCE_B, "mta-b.test", "frank@remote.test");
        assertFrom(await(mxMail, send("alice@a.test", "dave@remote.test")), SOURCE_A, "mta-a.test", "dave@remote.test");
    }

    @Test
    void aClientOutsideTheTrustedNetworksCannotRelay() throws Exception {
        String out = swaks("--local-interface", UNTRUSTED_CLIENT, "--from", "alice@a.test", "--to", "dave@remote.test");
        assertTrue(out.contains("<** 554 5.7.1 <dave@remote.test>: Relay access denied"), out);
        assertFalse(out.contains("queued as"), out);
        Thread.sleep(300);
        assertTrue(find(mxMail, "").isEmpty(), "nothing was relayed");
    }

    @Test
    void aSenderOfNoTenantIsRefusedAtMailFrom() throws Exception {
        String out = swaks("--from", "eve@c.test", "--to", "dave@remote.test");
        assertTrue(out.contains("<** 553 5.7.1 <eve@c.test>: Sender address rejected: not a tenant's domain"), out);
        // a subdomain is another domain; the null sender has none
        String sub = swaks("--from", "eve@sub.a.test", "--to", "dave@remote.test");
        assertTrue(sub.contains("<** 553 5.7.1 <eve@sub.a.test>: Sender address rejected"), sub);
        String nul = swaks("--from", "<>", "--to", "dave@remote.test");
        assertTrue(nul.contains("<** 553 5.7.1 <>: Sender address rejected"), nul);
        assertFalse(out.contains("queued as") || sub.contains("queued as") || nul.contains("queued as"));
    }
}

package io.camelsmtp.examples;

import java.io.IOException;
import java.io.InputStream;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.camelsmtp.examples.app.MailRouter;
import io.camelsmtp.examples.support.Curl;
import io.camelsmtp.examples.support.SmtpSink;
import org.apache.camel.main.Main;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static io.camelsmtp.examples.support.Curl.bearer;
import static io.camelsmtp.examples.support.Curl.with;
import static io.camelsmtp.examples.support.Peers.freePort;
import static io.camelsmtp.examples.support.Peers.run;
import static io.camelsmtp.examples.support.Peers.runs;
import static io.camelsmtp.examples.support.Peers.smtpSink;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The app's /metrics and /health with mail moving through routes/mx-relay.camel.yaml: swaks sends to a local user
 * and to a remote domain whose MX (dnsmasq's answer) is Postfix's smtp-sink; the Prometheus scrape shows the
 * server's, the queue's and the relay's counters moved, and promtool (Debian package prometheus) accepts it. The
 * readiness names each listener, queue and the relay's DNS.
 */
class MetricsTest {

    private static final String REMOTE_MX = "127.0.0.64";

    @TempDir
    Path tmp;

    private final List<Process> processes = new ArrayList<>();
    private SmtpSink remoteMx;
    private Main main;
    private int smtpPort;
    private int adminPort;
    private int dnsPort;

    @BeforeEach
    void startAll() throws Exception {
        String dnsmasq = Files.isExecutable(Path.of("/usr/sbin/dnsmasq")) ? "/usr/sbin/dnsmasq" : "/usr/bin/dnsmasq";
        assumeTrue(Files.isExecutable(Path.of(dnsmasq)), "SKIPPED: dnsmasq (Debian package dnsmasq-base) is not "
                                                         + "installed, the DNS of this end-to-end test");
        assumeTrue(smtpSink() != null, "SKIPPED: smtp-sink (Debian package postfix) is not installed, the remote MX");
        assumeTrue(runs("swaks", "--version"), "SKIPPED: swaks is not installed, the client of this test");
        assumeTrue(runs("curl", "--version"), "SKIPPED: curl is not installed, the scraper of this test");

        int receiverPort = freePort();
        remoteMx = SmtpSink.start(tmp.resolve("remote-mx"), REMOTE_MX, receiverPort);
        dnsPort = freeUdpAndTcpPort();
        String conf;
        try (InputStream in = MetricsTest.class.getResourceAsStream("/mx-relay/dnsmasq.conf")) {
            conf = new String(in.readAllBytes(), StandardCharsets.UTF_8).replace("@PORT@", String.valueOf(dnsPort))
                    .replace("@REMOTE_MX@", REMOTE_MX).replace("@REJECT_MX@", "127.0.0.65")
                    .replace("@LATER_MX@", "127.0.0.66");
        }
        Path confFile = Files.writeString(tmp.resolve("dnsmasq.conf"), conf);
        processes.add(new ProcessBuilder("timeout", "600", dnsmasq, "-C", confFile.toString()).redirectErrorStream(true)
                .redirectOutput(tmp.resolve("dnsmasq.log").toFile()).start());

        smtpPort = freePort();
        adminPort = freePort();
        main = MailRouter.create("file:routes/mx-relay.camel.yaml");
        main.addInitialProperty("smtp.host", "127.0.0.1");
        main.addInitialProperty("smtp.port", String.valueOf(smtpPort));
        main.addInitialProperty("smtp.hostName", "mx.test");
        main.addInitialProperty("admin.port", String.valueOf(adminPort));
        main.addInitialProperty("data.dir", tmp.resolve("data").toString());
        main.addInitialProperty("spool.dir", tmp.resolve("spool").toString());
        main.addInitialProperty("mailbox.dir", tmp.resolve("mailbox").toString());
        main.addInitialProperty("mx.localDomains", "example.test");
        main.addInitialProperty("mx.localUsers", "alice");
        main.addInitialProperty("mx.relayNetworks", "127.0.0.1/32");
        main.addInitialProperty("relay.dnsServers", "127.0.0.1:" + dnsPort);
        main.addInitialProperty("relay.port", String.valueOf(receiverPort));
        main.addInitialProperty("relay.allowPrivateAddresses", "true");
        main.addInitialProperty("retry.min", "300ms");
        main.start();
    }

    @AfterEach
    void stopAll() throws Exception {
        if (main != null) {
            main.stop();
        }
        for (Process p : processes) {
            p.destroy();
            p.waitFor(10, TimeUnit.SECONDS);
        }
        if (remoteMx != null) {
            remoteMx.close();
        }
    }

    private static int freeUdpAndTcpPort() throws Exception {
        for (int i = 0; i < 20; i++) {
            int port = freePort();
            try (DatagramSocket d = new DatagramSocket(new InetSocketAddress("127.0.0.1", port))) {
                return port;
            } catch (IOException taken) {
                // another one
            }
        }
        throw new IllegalStateException("no port free for both UDP and TCP");
    }

    private String swaks(String from, String to) throws Exception {
        String out = run(List.of("swaks", "--server", "127.0.0.1", "--port", String.valueOf(smtpPort), "--helo",
                "client.test", "--from", from, "--to", to, "--body", "metrics " + to));
        assertTrue(out.contains("250 2.0.0 Ok: queued as "), out);
        return out.substring(out.indexOf("queued as ") + 10).split("\\s")[0];
    }

    private Curl get(String path) throws Exception {
        String token = Curl.token(tmp.resolve("data/admin.token"));
        return Curl.run(tmp.resolve("curl"), with(bearer(token), "http://127.0.0.1:" + adminPort + path));
    }

    /** The value of the sample {@code name{labels}} (labels in the order Prometheus writes them), or -1. */
    private static double sample(String scrape, String name, String labels) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name + "{" + labels + ",}") + " (\\S+)$").matcher(scrape);
        Matcher n = Pattern.compile("(?m)^" + Pattern.quote(name + "{" + labels + "}") + " (\\S+)$").matcher(scrape);
        return m.find() ? Double.parseDouble(m.group(1)) : n.find() ? Double.parseDouble(n.group(1)) : -1;
    }

    @Test
    void mailMovesTheCountersAndPromtoolAcceptsTheScrape() throws Exception {
        String listener = "listener=\"127.0.0.1:" + smtpPort + "\"";
        swaks("carol@example.net", "alice@example.test");
        String id = swaks("alice@example.test", "dave@remote.test");
        remoteMx.awaitDump(id, 20);

        String scrape = null;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            Curl c = get("/metrics");
            assertEquals(200, c.status(), c.body());
            assertEquals("text/plain; version=0.0.4; charset=utf-8", c.headers().get("content-type"));
            scrape = c.body();
            if (sample(scrape, "smtp_queue_deliveries_total", "outcome=\"delivered\",queue=\"mx\"") >= 2) {
                break;
            }
            Thread.sleep(100);
        }
        assertEquals(2, sample(scrape, "smtp_server_messages_total", listener), scrape);
        assertEquals(2, sample(scrape, "smtp_server_sessions_total", listener), scrape);
        assertTrue(sample(scrape, "smtp_server_received_bytes_total", listener) > 100, scrape);
        assertEquals(2, sample(scrape, "smtp_queue_queued_total", "queue=\"mx\""), scrape);
        assertEquals(2, sample(scrape, "smtp_queue_queued_recipients_total", "queue=\"mx\""), scrape);
        assertEquals(2, sample(scrape, "smtp_queue_deliveries_total", "outcome=\"delivered\",queue=\"mx\""), scrape);
        assertTrue(sample(scrape, "smtp_queue_attempts_total", "queue=\"mx\"") >= 2, scrape);
        assertEquals(1, sample(scrape, "smtp_relay_connections_total", "kind=\"opened\""), scrape);
        assertEquals(1, sample(scrape, "smtp_relay_replies_total", "class=\"2xx\",destination=\"other\""), scrape);
        assertTrue(scrape.contains("smtp_server_route_seconds_bucket{"), scrape);
        assertTrue(scrape.contains("smtp_queue_delivery_delay_seconds_count{"), scrape);

        Path file = Files.writeString(tmp.resolve("scrape.txt"), scrape);
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/promtool")),
                "SKIPPED (the counters were checked): promtool (Debian package prometheus) is not installed");
        Process promtool = new ProcessBuilder("/usr/bin/promtool", "check", "metrics").redirectInput(file.toFile())
                .redirectErrorStream(true).start();
        String out = new String(promtool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(promtool.waitFor(30, TimeUnit.SECONDS), out);
        assertEquals(0, promtool.exitValue(), "promtool check metrics: " + out);
    }

    @Test
    void metricsNeedTheAdminTokenAndReadinessNamesEachPart() throws Exception {
        Curl anonymous = Curl.run(tmp.resolve("curl"), "http://127.0.0.1:" + adminPort + "/metrics");
        assertEquals(401, anonymous.status(), anonymous.body());

        Curl health = get("/health");
        assertEquals(200, health.status(), health.body());
        assertTrue(health.body().contains("\"smtp-server-127.0.0.1:" + smtpPort + "\":\"UP\""), health.body());
        assertTrue(health.body().contains("\"smtp-queue-mx\":\"UP\""), health.body());
        assertTrue(health.body().contains("\"smtp-relay-dns-127.0.0.1:" + dnsPort + "\":\"UP\""), health.body());
        Curl live = get("/health/live");
        assertEquals(200, live.status(), live.body());
        assertTrue(live.body().startsWith("{\"status\":\"UP\""), live.body());
        assertTrue(!live.body().contains("smtp-"), "liveness runs none of the readiness probes: " + live.body());
    }
}

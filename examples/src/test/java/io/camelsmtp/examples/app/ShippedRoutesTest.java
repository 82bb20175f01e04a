package io.camelsmtp.examples.app;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import io.camelsmtp.examples.support.Curl;
import org.apache.camel.main.Main;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static io.camelsmtp.examples.support.Peers.freePort;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The app as the README starts it (shipped routes + admin endpoints), on free ports and a temporary data folder:
 * swaks submits a message, it goes through the durable queue into the mailbox, and the admin endpoints show the
 * queue and its health.
 */
class ShippedRoutesTest {

    @TempDir
    Path data;

    private Main main;
    private int smtpPort;
    private int adminPort;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() throws Exception {
        smtpPort = freePort();
        adminPort = freePort();
        main = MailRouter.create("classpath:routes/*.camel.yaml");
        main.addInitialProperty("smtp.port", String.valueOf(smtpPort));
        main.addInitialProperty("admin.port", String.valueOf(adminPort));
        main.addInitialProperty("spool.dir", data.resolve("spool").toString());
        main.addInitialProperty("mailbox.dir", data.resolve("mailbox").toString());
        main.addInitialProperty("data.dir", data.toString());
        main.start();
    }

    @AfterEach
    void stop() {
        main.stop();
    }

    /** An admin call as the README says: with the generated token, and as JSON when it changes something. */
    private HttpResponse<String> call(String method, String path) throws Exception {
        String token = Curl.token(data.resolve("admin.token"));
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + path))
                .header("Authorization", "Bearer " + token).method(method, HttpRequest.BodyPublishers.noBody());
        if (!method.equals("GET")) {
            request.header("Content-Type", "application/json");
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void swaksMessageGoesThroughTheQueueIntoTheMailboxAndTheAdminEndpointsShowIt() throws Exception {
        Process swaks = new ProcessBuilder("swaks", "--server", "127.0.0.1", "--port", String.valueOf(smtpPort),
                "--from", "alice@example.org", "--to", "bob@example.net", "--body", "hello shipped routes")
                .redirectErrorStream(true).start();
        String out = new String(swaks.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(swaks.waitFor(30, TimeUnit.SECONDS));
        assertTrue(out.contains("250 2.0.0 Ok: queued as "), out);
        String id = out.substring(out.indexOf("queued as ") + 10).split("\\s")[0];
        Path stored = data.resolve("mailbox").resolve(id + ".eml");
        long end = System.currentTimeMillis() + 10_000;
        while (!Files.exists(stored)) {
            if (System.currentTimeMillis() > end) {
                fail("not delivered to " + stored);
            }
            Thread.sleep(20);
        }
        assertTrue(Files.readString(stored).contains("hello shipped routes"));
        try (Stream<Path> seg = Files.list(data.resolve("spool/outbound/segments"))) {
            assertTrue(seg.anyMatch(p -> p.toString().endsWith(".seg")), "the spool is where the docs say");
        }

        HttpResponse<String> stats = call("GET", "/queue/outbound/stats");
        assertEquals(200, stats.statusCode());
        assertTrue(stats.body().contains("\"queued\":1") && stats.body().contains("\"delivered\":1"), stats.body());
        assertTrue(stats.body().contains("\"messagesPerSync\":1.0"), "one arrival, one fdatasync: " + stats.body());
        assertEquals("[]", call("GET", "/queue/outbound").body());
        assertEquals("Mail queue is empty\n", call("GET", "/queue/outbound/mailq").body());
        assertEquals("{\"flushed\":0}", call("POST", "/queue/outbound/flush").body());
        assertEquals(404, call("DELETE", "/queue/outbound/NOSUCH").statusCode());
        assertEquals(404, call("GET", "/queue/nosuch").statusCode());
        HttpResponse<String> health = call("GET", "/health");
        assertEquals(200, health.statusCode(), health.body());
        assertTrue(health.body().contains("\"smtp-queue-outbound\":\"UP\""), health.body());
    }

    @Test
    void startUpSummaryNamesTheListenerTheHttpServerTheSpoolAndTheRouteFiles() {
        String summary = String.join("\n", StartupSummary.lines(main.getCamelContext()));
        assertTrue(summary.contains("  SMTP   127.0.0.1:" + smtpPort + "  no TLS, no AUTH, domains *  route inbound"),
                summary);
        assertTrue(summary.contains("  HTTP   127.0.0.1:" + adminPort + "  admin: /queue/NAME, /health, /metrics (token in "
                                    + data.resolve("admin.token").toAbsolutePath() + ")"), summary);
        assertTrue(summary.contains("  queue  outbound  spool " + data.resolve("spool/outbound").toAbsolutePath()
                                    + "  0 queued, 0 held"), summary);
        assertTrue(summary.contains("routes file:") && summary.contains("routes/inbound.camel.yaml: inbound, deliver,"
                                                                        + " mail-events"), summary);
    }
}

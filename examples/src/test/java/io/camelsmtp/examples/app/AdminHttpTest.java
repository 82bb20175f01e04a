package io.camelsmtp.examples.app;

import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

import io.camelsmtp.examples.support.Curl;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.camel.main.Main;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static io.camelsmtp.examples.support.Curl.bearer;
import static io.camelsmtp.examples.support.Curl.with;
import static io.camelsmtp.examples.support.Peers.freePort;
import static io.camelsmtp.examples.support.Peers.runs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The admin endpoints as a web page in the operator's browser would try them, and as the operator uses them, with
 * curl: nothing without the admin token, nothing for a Host that is not this server (DNS rebinding: curl --resolve
 * makes a foreign name point at 127.0.0.1), no change without POST/DELETE and application/json, no body over the
 * limit. The token is generated into the data directory, private, and the start-up summary says where.
 */
class AdminHttpTest {

    @TempDir
    Path tmp;

    private final List<Main> mains = new ArrayList<>();
    private int adminPort;
    private String base;

    @BeforeEach
    void checkCurl() {
        assumeTrue(runs("curl", "--version"),
                "SKIPPED: curl is not installed, this test drives the HTTP server with it");
    }

    @AfterEach
    void stop() {
        mains.forEach(Main::stop);
    }

    private Main start(Path data, String... properties) throws Exception {
        adminPort = freePort();
        base = "http://127.0.0.1:" + adminPort;
        Main main = MailRouter.create("classpath:routes/*.camel.yaml");
        main.addInitialProperty("smtp.port", String.valueOf(freePort()));
        main.addInitialProperty("admin.port", String.valueOf(adminPort));
        main.addInitialProperty("data.dir", data.toString());
        main.addInitialProperty("spool.dir", data.resolve("spool").toString());
        main.addInitialProperty("mailbox.dir", data.resolve("mailbox").toString());
        main.addInitialProperty("http.maxBodySize", "4096");
        for (int i = 0; i < properties.length; i += 2) {
            main.addInitialProperty(properties[i], properties[i + 1]);
        }
        mains.add(main);
        main.start();
        return main;
    }

    private Curl curl(String... options) throws Exception {
        return Curl.run(tmp.resolve("curl"), options);
    }

    @Test
    void theTokenIsGeneratedPrivateReusedAndNamedInTheSummary() throws Exception {
        Path data = tmp.resolve("data");
        Main main = start(data);
        Path file = data.resolve("admin.token");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        String token = Curl.token(file);
        assertTrue(token.matches("[A-Za-z0-9_-]{43}"), "256 random bits, base64url: " + token);
        assertFalse(Files.exists(data.resolve("http.token")), "no HTTP token without routes of one's own");
        String summary = String.join("\n", StartupSummary.lines(main.getCamelContext()));
        assertTrue(summary.contains("admin: /queue/NAME, /health, /metrics (token in " + file.toAbsolutePath() + ")"), summary);
        assertEquals(200, curl(with(bearer(token), base + "/queue/outbound/mailq")).status());

        main.stop();
        start(data);
        assertEquals(token, Curl.token(file), "the same token after a restart");
        assertEquals(200, curl(with(bearer(token), base + "/health")).status());
    }

    /** metrics.enabled=false binds no registry: the components count nothing and /metrics says so with a 503. */
    @Test
    void metricsCanBeSwitchedOff() throws Exception {
        Main on = start(tmp.resolve("data"));
        String[] token = bearer(Curl.token(tmp.resolve("data/admin.token")));
        assertNotNull(on.getCamelContext().getRegistry().findSingleByType(MeterRegistry.class));
        Curl scrape = curl(with(token, base + "/metrics"));
        assertEquals(200, scrape.status());
        assertTrue(scrape.body().contains("smtp_server_sessions_open"), scrape.body());
        on.stop();

        Main off = start(tmp.resolve("data"), "metrics.enabled", "false");
        assertNull(off.getCamelContext().getRegistry().findSingleByType(MeterRegistry.class));
        Curl none = curl(with(token, base + "/metrics"));
        assertEquals(503, none.status());
        assertTrue(none.body().contains("no Prometheus meter registry"), none.body());
        off.stop();

        assertThrows(Exception.class, () -> start(tmp.resolve("data"), "metrics.enabled", "yes"));
    }

    @Test
    void withoutTheRightTokenEveryEndpointIs401() throws Exception {
        start(tmp.resolve("data"));
        String token = Curl.token(tmp.resolve("data/admin.token"));
        for (String[] request : List.of(new String[] {base + "/queue/outbound/mailq"}, new String[] {base + "/health"},
                new String[] {base + "/queue/outbound"}, new String[] {base + "/queue/outbound/stats"},
                new String[] {"-X", "POST", "-H", "Content-Type: application/json", base + "/queue/outbound/flush"},
                new String[] {"-X", "DELETE", "-H", "Content-Type: application/json", base + "/queue/outbound/X1"})) {
            Curl none = curl(request);
            assertEquals(401, none.status(), String.join(" ", request) + ": " + none.body());
            assertEquals("Bearer realm=\"camel-smtp\"", none.headers().get("www-authenticate"));
            assertTrue(none.body().contains("Authorization: Bearer <admin token> required"), none.body());
            assertEquals(401, curl(with(bearer(token + "x"), request)).status(), "a wrong token");
            assertEquals(401, curl(with(new String[] {"-u", "admin:" + token}, request)).status(), "basic auth");
        }
        assertEquals(200, curl("-H", "Authorization: bearer " + token, base + "/health").status(),
                "the scheme is case-insensitive");
    }

    @Test
    void aHostThatIsNotThisServerIs421EvenWithTheToken() throws Exception {
        start(tmp.resolve("data"));
        String[] token = bearer(Curl.token(tmp.resolve("data/admin.token")));
        // a page on rebind.test whose name now resolves to 127.0.0.1: the browser sends Host: rebind.test
        Curl rebound = curl(with(token, "--resolve", "rebind.test:" + adminPort + ":127.0.0.1",
                "http://rebind.test:" + adminPort + "/queue/outbound/mailq"));
        assertEquals(421, rebound.status(), rebound.body());
        assertTrue(rebound.body().contains("Host 'rebind.test:" + adminPort + "' is not this server"), rebound.body());
        assertEquals(421, curl(with(token, "-H", "Host: 127.0.0.2:" + adminPort, base + "/health")).status());
        assertEquals(421, curl(with(token, "-H", "Host: localhost.evil.test", base + "/health")).status());
        int noHost = curl(with(token, "-H", "Host:", base + "/health")).status();
        assertTrue(noHost == 400 || noHost == 421, "no Host at all is refused (by Vert.x itself): " + noHost);
        assertTrue(raw("GET /health HTTP/1.1\r\nHost: localhost\r\nHost: rebind.test\r\n" + token[1] + "\r\n"
                       + "Connection: close\r\n\r\n").startsWith("HTTP/1.1 421 "), "two Host headers");

        assertEquals(200, curl(with(token, base + "/health")).status());
        assertEquals(200, curl(with(token, "http://localhost:" + adminPort + "/health")).status());
        assertEquals(200, curl(with(token, "-H", "Host: LOCALHOST", base + "/health")).status());
    }

    /** A request curl would not send (it sends one Host header): written on a socket, the status line read back. */
    private String raw(String request) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", adminPort)) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            return new String(socket.getInputStream().readNBytes(200), StandardCharsets.US_ASCII);
        }
    }

    @Test
    void aNameInAdminAllowedHostsIsThisServerToo() throws Exception {
        start(tmp.resolve("data"), "admin.allowedHosts", "router.internal.test, other.test");
        String[] token = bearer(Curl.token(tmp.resolve("data/admin.token")));
        assertEquals(200, curl(with(token, "--resolve", "router.internal.test:" + adminPort + ":127.0.0.1",
                "http://router.internal.test:" + adminPort + "/health")).status());
        assertEquals(421, curl(with(token, "-H", "Host: third.test", base + "/health")).status());
    }

    @Test
    void aChangeNeedsPostOrDeleteWithJson() throws Exception {
        start(tmp.resolve("data"));
        String[] token = bearer(Curl.token(tmp.resolve("data/admin.token")));
        String flush = base + "/queue/outbound/flush";
        // what a cross-site form or a simple request can send
        for (String[] simple : List.of(new String[] {"-X", "POST", flush}, new String[] {"-d", "x=1", flush},
                new String[] {"-H", "Content-Type: text/plain", "-d", "{}", flush},
                new String[] {"-F", "x=1", flush},
                new String[] {"-X", "DELETE", base + "/queue/outbound/X1"})) {
            Curl refused = curl(with(token, simple));
            assertEquals(415, refused.status(), String.join(" ", simple) + ": " + refused.body());
            assertTrue(refused.body().contains("needs Content-Type: application/json"), refused.body());
        }
        Curl put = curl(with(token, "-X", "PUT", "-H", "Content-Type: application/json", flush));
        assertEquals(405, put.status(), put.body());

        Curl flushed = curl(with(token, "-X", "POST", "-H", "Content-Type: application/json; charset=utf-8", flush));
        assertEquals(200, flushed.status(), flushed.body());
        assertEquals("{\"flushed\":0}", flushed.body());
        Curl deleted = curl(with(token, "-X", "DELETE", "-H", "Content-Type: application/json",
                base + "/queue/outbound/X1"));
        assertEquals(404, deleted.status(), "through to the queue, which has no such message: " + deleted.body());
    }

    @Test
    void aBodyOverTheLimitIs413() throws Exception {
        start(tmp.resolve("data"));
        String[] token = bearer(Curl.token(tmp.resolve("data/admin.token")));
        Path big = Files.writeString(tmp.resolve("big.json"), "{\"x\": \"" + "a".repeat(5000) + "\"}");
        Curl tooLarge = curl(with(token, "-H", "Content-Type: application/json", "--data-binary", "@" + big,
                base + "/queue/outbound/flush"));
        assertEquals(413, tooLarge.status(), tooLarge.body());
        assertTrue(tooLarge.body().contains("larger than http.maxBodySize (4096 octets)"), tooLarge.body());
        Curl chunked = curl(with(token, "-H", "Content-Type: application/json", "-H", "Transfer-Encoding: chunked",
                "--data-binary", "@" + big, base + "/queue/outbound/flush"));
        assertEquals(413, chunked.status(), "without a Content-Length too: " + chunked.body());
    }

    @Test
    void theSecretPropertyReplacesTheFile() throws Exception {
        String secret = "s3cret-token-of-the-operator-0123";
        Main main = start(tmp.resolve("data"), "admin.token.secret", secret);
        assertFalse(Files.exists(tmp.resolve("data/admin.token")));
        assertEquals(200, curl(with(bearer(secret), base + "/health")).status());
        String summary = String.join("\n", StartupSummary.lines(main.getCamelContext()));
        assertTrue(summary.contains("(token from admin.token.secret)"), summary);
        assertFalse(summary.contains(secret), summary);
    }

    @Test
    void aTokenOthersCanReadOrAShortSecretStopsStartUp() throws Exception {
        Path data = Files.createDirectories(tmp.resolve("loose"));
        Path file = Files.writeString(data.resolve("admin.token"), "0123456789abcdef0123456789abcdef\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        Exception e = assertThrows(Exception.class, () -> start(data));
        String report = StartupFailure.describe(e, mains.get(mains.size() - 1).getCamelContext());
        assertTrue(report.contains(file.toAbsolutePath() + " may be read or written by others (rw-r--r--): chmod 600"),
                report);

        Exception shortSecret = assertThrows(Exception.class, () -> start(tmp.resolve("data"),
                "admin.token.secret", "letmein"));
        String shortReport = StartupFailure.describe(shortSecret, mains.get(mains.size() - 1).getCamelContext());
        assertTrue(shortReport.contains("admin.token.secret must be 16 to 512 characters"), shortReport);
        assertNotEquals(-1, shortReport.indexOf("camel-smtp could not start."));
    }
}

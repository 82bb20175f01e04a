package io.camelsmtp.smtp.server.peers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.apache.camel.RoutesBuilder;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.mock.MockEndpoint;
import org.apache.camel.spi.Registry;
import org.apache.camel.test.AvailablePortFinder;
import org.apache.camel.test.junit5.CamelTestSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static io.camelsmtp.smtp.server.peers.PeerRoutes.body;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A client that hangs up in the middle of a message (peers/hangup_client.py, plain sockets of Debian's Python, and
 * OpenSSL for the TLS case) must leave nothing behind: no Exchange, no spool file, no open session. Small and
 * spooled sizes, FIN and RST, DATA and BDAT, plaintext and TLS. After each, a complete message from a new client
 * must still get through.
 */
class PeerHangUpTest extends CamelTestSupport {

    private static final int PORT = AvailablePortFinder.getNextAvailable();
    private static final int SPOOL_THRESHOLD = 65_536;
    private static final Path SPOOL = tempDir();
    private static final Duration LIMIT = Duration.ofSeconds(30);

    private Path python;
    private Path script;

    private static Path tempDir() {
        try {
            return Files.createTempDirectory("peer-hangup-spool");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @AfterAll
    static void removeSpoolDirectory() throws IOException {
        try (var files = Files.list(SPOOL)) {
            for (Path f : files.toList()) {
                Files.deleteIfExists(f);
            }
        }
        Files.deleteIfExists(SPOOL);
    }

    private static List<Path> spoolFiles() {
        try (var files = Files.list(SPOOL)) {
            return files.toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @BeforeEach
    void findPython() throws Exception {
        python = PeerProcess.require("python3", "python3", "/usr/bin/python3", "python3");
        script = PeerTls.resource("peers/hangup_client.py");
    }

    @Override
    protected void bindToRegistry(Registry registry) throws Exception {
        registry.bind("tls", PeerTls.serverParameters());
    }

    @Override
    protected RoutesBuilder createRouteBuilder() {
        return new RouteBuilder() {
            @Override
            public void configure() {
                from("smtp-server:127.0.0.1:" + PORT + "?acceptedDomains=example.org&sslContextParameters=#tls"
                     + "&spoolThreshold=" + SPOOL_THRESHOLD + "&spoolDirectory=" + SPOOL)
                        .routeId("hangup").convertBodyTo(byte[].class).to("mock:hangup");
            }
        };
    }

    private PeerProcess.Result client(String scenario, int octets) throws Exception {
        List<String> command = new ArrayList<>(List.of(python.toString(), script.toString(), scenario, "127.0.0.1",
                String.valueOf(PORT), String.valueOf(octets)));
        if (scenario.startsWith("tls")) {
            command.add(PeerTls.resource("peers/localhost.crt").toString());
        }
        PeerProcess.Result r = PeerProcess.run(LIMIT, command, null, Map.of("PYTHONNOUSERSITE", "1", "PYTHONPATH", ""));
        assertFalse(r.timedOut(), r.describe());
        assertEquals(0, r.exitCode(), r.describe());
        return r;
    }

    @ParameterizedTest(name = "{0} after {1} octets")
    @CsvSource({
            "data-fin, 200",
            "data-fin, 300000",
            "data-rst, 300000",
            "bdat-fin, 200",
            "bdat-fin, 300000",
            "tls-fin, 200",
            "tls-fin, 300000" })
    void hangUpInsideTheMessageDeliversNothing(String scenario, int octets) throws Exception {
        MockEndpoint mock = getMockEndpoint("mock:hangup");
        mock.expectedMessageCount(0);
        PeerProcess.Result r = client(scenario, octets);
        assertTrue(r.stdout().contains("RESULT hung up after " + octets + " octets"), r.describe());
        if (scenario.startsWith("tls")) {
            assertTrue(r.stdout().contains("TLS TLSv1.3"), r.describe());
        }
        // the server has seen the hang-up once the session is gone; only then is "nothing arrived" meaningful
        PeerRoutes.assertNoSessionsLeft(context, "hangup");
        mock.assertIsSatisfied(100);
        assertTrue(PeerRoutes.await(Duration.ofSeconds(5), () -> spoolFiles().isEmpty()),
                "partial message left in the spool: " + spoolFiles());

        // and the listener still serves the next client
        mock.reset();
        mock.expectedMessageCount(1);
        PeerProcess.Result next = client("complete", 500);
        assertTrue(next.stdout().contains("RESULT complete"), next.describe());
        assertTrue(next.stdout().matches("(?s).*REPLY 250 2\\.0\\.0 Ok: queued as .*"), next.describe());
        mock.assertIsSatisfied();
        assertTrue(body(mock.getExchanges().get(0)).contains("Subject: never finished"));
        PeerRoutes.assertNoSessionsLeft(context, "hangup");
    }
}

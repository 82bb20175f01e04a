package io.camelsmtp.smtp.server.peers;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.camelsmtp.smtp.server.auth.MapAuthenticator;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.camel.CamelContext;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.health.HealthCheck;
import org.apache.camel.health.HealthCheckHelper;
import org.apache.camel.health.HealthCheckRegistry;
import org.apache.camel.impl.health.DefaultHealthCheckRegistry;
import org.apache.camel.spi.Registry;
import org.apache.camel.test.AvailablePortFinder;
import org.apache.camel.test.junit5.CamelTestSupport;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The listener's meters in a MeterRegistry found in the Camel registry, moved by swaks: sessions, TLS by protocol,
 * AUTH successes and failures, refusals by class and enhanced code, accepted messages with their size, and the route's
 * time. And the listener's readiness check, DOWN while its route is suspended.
 */
class PeerMetricsTest extends CamelTestSupport {

    private static final int PORT = AvailablePortFinder.getNextAvailable();
    private static final Duration LIMIT = Duration.ofSeconds(30);

    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private Path swaks;

    @BeforeEach
    void findSwaks() {
        swaks = PeerProcess.require("swaks", "swaks", "swaks", "/usr/bin/swaks");
    }

    @Override
    protected CamelContext createCamelContext() throws Exception {
        CamelContext ctx = super.createCamelContext();
        ctx.getCamelContextExtension().addContextPlugin(HealthCheckRegistry.class, new DefaultHealthCheckRegistry(ctx));
        return ctx;
    }

    @Override
    protected void bindToRegistry(Registry registry) throws Exception {
        registry.bind("tls", PeerTls.serverParameters());
        registry.bind("users", new MapAuthenticator(Map.of("alice", "secret")));
        registry.bind("meters", MeterRegistry.class, meters);
    }

    @Override
    protected RoutesBuilder createRouteBuilder() {
        return new RouteBuilder() {
            @Override
            public void configure() {
                from("smtp-server:127.0.0.1:" + PORT + "?acceptedDomains=example.org&hostName=mx.test"
                     + "&sslContextParameters=#tls&authenticator=#users&authFailureDelay=0")
                        .routeId("metrics").to("mock:in");
            }
        };
    }

    private PeerProcess.Result swaks(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(swaks.toString(), "--server", "127.0.0.1", "--port",
                String.valueOf(PORT), "--helo", "client.test", "--from", "sender@client.test", "--timeout", "20s"));
        command.addAll(List.of(args));
        PeerProcess.Result r = PeerProcess.run(LIMIT, command);
        assertFalse(r.timedOut(), r.describe());
        return r;
    }

    @Test
    void swaksMovesTheCounters() throws Exception {
        String listener = "127.0.0.1:" + PORT;
        PeerProcess.Result ok = swaks("--tls", "--auth", "PLAIN", "--auth-user", "alice", "--auth-password", "secret",
                "--to", "a@example.org", "--body", ("x".repeat(99) + "\n").repeat(50));
        assertEquals(0, ok.exitCode(), ok.describe());
        PeerProcess.Result wrong = swaks("--tls", "--auth", "PLAIN", "--auth-user", "alice", "--auth-password", "bad",
                "--to", "a@example.org");
        assertNotEquals(0, wrong.exitCode(), wrong.describe());
        PeerProcess.Result relay = swaks("--to", "b@elsewhere.test");
        assertNotEquals(0, relay.exitCode(), relay.describe());

        assertEquals(3, count("smtp.server.sessions", "listener", listener));
        assertEquals(2, count("smtp.server.tls.sessions", "protocol", "TLSv1.3"), "both STARTTLS sessions");
        assertEquals(1, count("smtp.server.auth", "result", "success"));
        assertEquals(1, count("smtp.server.auth", "result", "failure"));
        assertEquals(1, meters.get("smtp.server.refused").tag("class", "5xx").tag("code", "5.7.8").counter().count(),
                "535 5.7.8 for the wrong password");
        assertEquals(1, meters.get("smtp.server.refused").tag("class", "5xx").tag("code", "5.7.1").counter().count(),
                "554 5.7.1 relay access denied");
        assertEquals(1, count("smtp.server.messages", "listener", listener));
        double size = meters.get("smtp.server.message.size").summary().totalAmount();
        assertTrue(size > 5000 && size < 7000, "size " + size);
        assertEquals(size, count("smtp.server.received", "listener", listener));
        assertEquals(1, meters.get("smtp.server.route").tag("result", "accepted").timer().count());
        awaitNoSessions();
        assertEquals(0, meters.get("smtp.server.sessions.open").gauge().value());

        context.stop();
        assertNull(meters.find("smtp.server.sessions").counter(), "a removed listener's meters are gone");
    }

    @Test
    void readinessIsUpWhileThePortIsBound() throws Exception {
        String id = "smtp-server-127.0.0.1:" + PORT;
        assertEquals(HealthCheck.State.UP, readiness(id).getState());
        assertEquals(PORT, readiness(id).getDetails().get("smtp.port"));
        context.getRouteController().suspendRoute("metrics");
        HealthCheck.Result down = readiness(id);
        assertEquals(HealthCheck.State.DOWN, down.getState());
        assertTrue(down.getMessage().orElse("").contains("is not listening"), down.getMessage().orElse(""));
        context.getRouteController().resumeRoute("metrics");
        assertEquals(HealthCheck.State.UP, readiness(id).getState());
        PeerProcess.Result ok = swaks("--to", "a@example.org");
        assertEquals(0, ok.exitCode(), "listening again after the resume: " + ok.describe());
    }

    private HealthCheck.Result readiness(String id) {
        return HealthCheckHelper.invokeReadiness(context, "full").stream().filter(r -> r.getCheck().getId().equals(id))
                .findFirst().orElseThrow(() -> new AssertionError("no readiness check " + id));
    }

    private double count(String name, String tag, String value) {
        return meters.get(name).tag(tag, value).counter().count();
    }

    private void awaitNoSessions() throws InterruptedException {
        long end = System.currentTimeMillis() + 5000;
        while (meters.get("smtp.server.sessions.open").gauge().value() > 0 && System.currentTimeMillis() < end) {
            Thread.sleep(20);
        }
    }
}

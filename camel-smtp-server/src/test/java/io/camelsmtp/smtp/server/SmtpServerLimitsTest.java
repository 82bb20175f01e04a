package io.camelsmtp.smtp.server;

import io.camelsmtp.smtp.server.support.SmtpDialogue;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.test.AvailablePortFinder;
import org.apache.camel.test.junit5.CamelTestSupport;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Connection limits and timeouts, each with its 421 and a closed connection. */
class SmtpServerLimitsTest extends CamelTestSupport {

    private final int connectionsPort = AvailablePortFinder.getNextAvailable();
    private final int perIpPort = AvailablePortFinder.getNextAvailable();
    private final int timeoutPort = AvailablePortFinder.getNextAvailable();
    private final int sessionTimePort = AvailablePortFinder.getNextAvailable();

    @Override
    protected RoutesBuilder createRouteBuilder() {
        return new RouteBuilder() {
            @Override
            public void configure() {
                from("smtp-server:127.0.0.1:" + connectionsPort + "?maxConnections=2&maxConnectionsPerIp=0").to("mock:a");
                // loopback is exempt from maxConnectionsPerIp by default: an empty list limits it too
                from("smtp-server:127.0.0.1:" + perIpPort + "?maxConnectionsPerIp=1&connectionLimitExemptNetworks=")
                        .to("mock:b");
                from("smtp-server:127.0.0.1:" + timeoutPort + "?idleTimeout=600ms").to("mock:c");
                from("smtp-server:127.0.0.1:" + sessionTimePort + "?maxSessionTime=1s&idleTimeout=1m").to("mock:d");
            }
        };
    }

    @Test
    void maxConnections() throws Exception {
        try (SmtpDialogue one = SmtpDialogue.open(connectionsPort); SmtpDialogue two = SmtpDialogue.open(connectionsPort)) {
            assertTrue(one.greeting().startsWith("220 "));
            assertTrue(two.greeting().startsWith("220 "));
            try (SmtpDialogue three = SmtpDialogue.open(connectionsPort)) {
                assertEquals("421 4.7.0 Too many connections, try again later", three.greeting());
                assertTrue(three.closedByServer());
            }
            assertEquals("250 2.0.0 Ok", one.cmd("NOOP"));
        }
        awaitFreeSlot(connectionsPort);
    }

    @Test
    void maxConnectionsPerIp() throws Exception {
        try (SmtpDialogue one = SmtpDialogue.open(perIpPort)) {
            assertTrue(one.greeting().startsWith("220 "));
            try (SmtpDialogue two = SmtpDialogue.open(perIpPort)) {
                assertEquals("421 4.7.0 Too many connections from your address, try again later", two.greeting());
                assertTrue(two.closedByServer());
            }
        }
        awaitFreeSlot(perIpPort);
    }

    @Test
    void idleTimeout() throws Exception {
        try (SmtpDialogue s = SmtpDialogue.open(timeoutPort)) {
            assertEquals("250 2.0.0 Ok", s.cmd("NOOP"));
            long t0 = System.nanoTime();
            assertEquals("421 4.4.2 Idle timeout, closing connection", s.reply());
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(ms >= 500 && ms < 2500, "closed after " + ms + " ms");
            assertTrue(s.closedByServer());
        }
    }

    @Test
    void idleInsideACommandLineToo() throws Exception {
        try (SmtpDialogue s = SmtpDialogue.open(timeoutPort)) {
            s.write("NOO");
            assertEquals("421 4.4.2 Idle timeout, closing connection", s.reply());
        }
    }

    @Test
    void maxSessionTime() throws Exception {
        try (SmtpDialogue s = SmtpDialogue.open(sessionTimePort)) {
            long t0 = System.nanoTime();
            String reply = "";
            while (System.nanoTime() - t0 < 5_000_000_000L) {
                reply = s.cmd("NOOP");
                if (!reply.startsWith("250")) {
                    break;
                }
                Thread.sleep(100);
            }
            assertEquals("421 4.4.2 Session time limit exceeded, closing connection", reply);
            assertTrue(s.closedByServer());
        }
    }

    /** A refused or closed connection frees its slot once the server noticed the close. */
    private static void awaitFreeSlot(int port) throws Exception {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (System.nanoTime() < deadline) {
            try (SmtpDialogue s = SmtpDialogue.open(port)) {
                if (s.greeting().startsWith("220 ")) {
                    return;
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("slot on port " + port + " was never freed");
    }
}

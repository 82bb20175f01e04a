package io.camelsmtp.smtp.server;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.camelsmtp.smtp.server.support.SmtpDialogue;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.test.AvailablePortFinder;
import org.apache.camel.test.junit5.CamelTestSupport;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * maxConnectionsPerIp spares the networks of connectionLimitExemptNetworks, loopback by default (as Postfix spares
 * $mynetworks): a local application may open many sessions at once, a client elsewhere may not.
 */
class SmtpServerExemptNetworksTest extends CamelTestSupport {

    private static final String LIMITED = "421 4.7.0 Too many connections from your address, try again later";
    private final int defaultsPort = AvailablePortFinder.getNextAvailable();
    private final int onlyOnePort = AvailablePortFinder.getNextAvailable();
    private final int ipv6Port = AvailablePortFinder.getNextAvailable();
    private final boolean ipv6 = hasIpv6Loopback();

    @Override
    protected RoutesBuilder createRouteBuilder() {
        return new RouteBuilder() {
            @Override
            public void configure() {
                from("smtp-server:127.0.0.1:" + defaultsPort + "?maxConnectionsPerIp=5").routeId("defaults").to("mock:a");
                from("smtp-server:127.0.0.1:" + onlyOnePort + "?maxConnectionsPerIp=5"
                     + "&connectionLimitExemptNetworks=127.0.0.1/32").routeId("only-one").to("mock:b");
                if (ipv6) {
                    from("smtp-server:[::1]:" + ipv6Port + "?maxConnectionsPerIp=1").routeId("ipv6").to("mock:c");
                }
            }
        };
    }

    @Test
    void twoHundredConcurrentSessionsFromLoopbackAreAllServed() throws Exception {
        assertAllServed(null, "127.0.0.1", defaultsPort, 200);
        awaitNoSessions("defaults");
    }

    @Test
    void aClientOutsideTheExemptNetworksIsLimited() throws Exception {
        List<SmtpDialogue> open = new ArrayList<>();
        try {
            for (int i = 0; i < 5; i++) {
                open.add(SmtpDialogue.open("127.0.0.2", "127.0.0.1", onlyOnePort));
                assertTrue(open.get(i).greeting().startsWith("220 "), open.get(i).greeting());
            }
            try (SmtpDialogue sixth = SmtpDialogue.open("127.0.0.2", "127.0.0.1", onlyOnePort)) {
                assertEquals(LIMITED, sixth.greeting());
                assertTrue(sixth.closedByServer());
            }
            // 127.0.0.1 is still exempt, on the same listener, while 127.0.0.2 is at its limit
            assertAllServed(null, "127.0.0.1", onlyOnePort, 20);
        } finally {
            for (SmtpDialogue d : open) {
                d.close();
            }
        }
        awaitNoSessions("only-one");
    }

    @Test
    void ipv6LoopbackIsExemptByDefault() throws Exception {
        Assumptions.assumeTrue(ipv6, "no IPv6 loopback (::1) on this machine");
        assertAllServed(null, "::1", ipv6Port, 10);
        awaitNoSessions("ipv6");
    }

    @Test
    void aBadEntryStopsTheRouteNamingIt() {
        Exception e = assertThrows(Exception.class, () -> context.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("smtp-server:127.0.0.1:0?connectionLimitExemptNetworks=127.0.0.1/8,mx.example.org").to("mock:d");
            }
        }));
        StringBuilder messages = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            messages.append(t.getMessage()).append(" <- ");
        }
        String expected = "connectionLimitExemptNetworks: Not an IP address or network: 'mx.example.org'";
        assertTrue(messages.toString().contains(expected), messages.toString());
    }

    /** Opens {@code count} sessions at once and checks that each got 220 before any is closed. */
    private static void assertAllServed(String local, String host, int port, int count) throws IOException {
        List<SmtpDialogue> open = new ArrayList<>();
        try {
            for (int i = 0; i < count; i++) {
                SmtpDialogue d = SmtpDialogue.open(local, host, port);
                open.add(d);
                assertTrue(d.greeting().startsWith("220 "), "session " + (i + 1) + ": " + d.greeting());
            }
            assertEquals("250 2.0.0 Ok", open.get(0).cmd("NOOP"));
            assertEquals("250 2.0.0 Ok", open.get(count - 1).cmd("NOOP"));
        } finally {
            for (SmtpDialogue d : open) {
                d.close();
            }
        }
    }

    private void awaitNoSessions(String routeId) throws InterruptedException {
        SmtpServerConsumer consumer = (SmtpServerConsumer) context.getRoute(routeId).getConsumer();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (consumer.getSessionCount() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(0, consumer.getSessionCount(), "sessions left on " + routeId);
    }

    private static boolean hasIpv6Loopback() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("::1"))) {
            return s.getLocalPort() > 0;
        } catch (IOException e) {
            return false;
        }
    }
}

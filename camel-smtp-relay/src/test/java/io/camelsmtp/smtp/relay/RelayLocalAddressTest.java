package io.camelsmtp.smtp.relay;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;

import io.camelsmtp.smtp.common.DeliveryReport;
import io.camelsmtp.smtp.common.RecipientResult.Status;
import io.camelsmtp.smtp.relay.client.SourceAddresses;
import io.camelsmtp.smtp.relay.testbed.LoggingPeer;
import io.camelsmtp.smtp.server.SmtpServerConstants;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.mock.MockEndpoint;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.test.AvailablePortFinder;
import org.apache.camel.test.junit5.CamelTestSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code localAddress}: the relay's connections leave from the address given, seen on the receiver's side. The
 * receivers are this project's smtp-server (which also records the HELO name) and aiosmtpd ({@link LoggingPeer}),
 * which logs the peer's address. An address of the other family is left to the system, and what is no local
 * address literal fails the route at start.
 */
class RelayLocalAddressTest extends CamelTestSupport {

    private final int port = AvailablePortFinder.getNextAvailable();

    @TempDir
    Path tmp;

    @Override
    protected RoutesBuilder createRouteBuilder() {
        return new RouteBuilder() {
            @Override
            public void configure() {
                from("smtp-server:127.0.0.1:" + port + "?acceptedDomains=*&maxConnectionsPerIp=0&shutdownGracePeriod=1s")
                        .to("mock:received");
            }
        };
    }

    private Exchange send(String uri) {
        return template.send(uri, e -> {
            e.getMessage().setHeader(SmtpRelayConstants.ENVELOPE_FROM, "sender@origin.test");
            e.getMessage().setHeader(SmtpRelayConstants.ENVELOPE_TO, List.of("to@dest.test"));
            e.getMessage().setBody("Subject: source\r\n\r\nhello\r\n");
        });
    }

    private static void delivered(Exchange e) {
        assertNull(e.getException(), () -> String.valueOf(e.getException()));
        var r = e.getMessage().getHeader(SmtpRelayConstants.DELIVERY_REPORT, DeliveryReport.class).get("to@dest.test");
        assertEquals(Status.DELIVERED, r.getStatus(), r::toString);
    }

    @Test
    void eachEndpointSendsFromItsAddressWithItsHeloName() throws Exception {
        MockEndpoint received = getMockEndpoint("mock:received");
        received.expectedMessageCount(3);
        String relay = "smtp-relay:127.0.0.1:" + port + "?tls=none&connectionReuse=false";
        delivered(send(relay + "&localAddress=127.0.0.42&heloName=out42.test"));
        delivered(send(relay + "&localAddress=127.0.0.43, ::1&heloName=out43.test"));
        delivered(send(relay + "&localAddress=::1&heloName=any.test")); // only IPv6 given: IPv4 is the system's
        received.assertIsSatisfied();
        List<Exchange> got = received.getReceivedExchanges();
        assertEquals("127.0.0.42", got.get(0).getMessage().getHeader(SmtpServerConstants.REMOTE_ADDRESS));
        assertEquals("out42.test", got.get(0).getMessage().getHeader(SmtpServerConstants.HELO));
        assertEquals("127.0.0.43", got.get(1).getMessage().getHeader(SmtpServerConstants.REMOTE_ADDRESS));
        assertEquals("out43.test", got.get(1).getMessage().getHeader(SmtpServerConstants.HELO));
        assertEquals("127.0.0.1", got.get(2).getMessage().getHeader(SmtpServerConstants.REMOTE_ADDRESS));
    }

    @Test
    void aiosmtpdSeesTheSourceAddress() throws Exception {
        int aioPort = AvailablePortFinder.getNextAvailable();
        try (LoggingPeer aio = LoggingPeer.start("127.0.0.1", aioPort, tmp)) {
            delivered(send("smtp-relay:127.0.0.1:" + aioPort + "?tls=none&localAddress=127.0.0.77&heloName=out77.test"));
            List<LoggingPeer.Line> lines = aio.awaitLines(1);
            assertEquals(1, lines.size(), lines::toString);
            assertEquals("127.0.0.77", lines.get(0).address());
        }
    }

    @Test
    void aPoolPerFamilyIsTakenInTurn() throws Exception {
        SourceAddresses pool = SourceAddresses.parse("127.0.0.42, ::1, 127.0.0.43,127.0.0.44");
        assertEquals(3, pool.ipv4().size());
        assertEquals(1, pool.ipv6().size());
        InetSocketAddress v4 = new InetSocketAddress("127.0.0.2", 25);
        List<String> turns = new java.util.ArrayList<>();
        for (int i = 0; i < 4; i++) {
            turns.add(pool.forDestination(v4).getHostAddress());
        }
        assertEquals(List.of("127.0.0.42", "127.0.0.43", "127.0.0.44", "127.0.0.42"), turns);
        assertEquals("0:0:0:0:0:0:0:1", pool.forDestination(new InetSocketAddress("::1", 25)).getHostAddress());
        assertNull(SourceAddresses.parse("::1").forDestination(v4)); // no IPv4 pool: the system's
    }

    @Test
    void whatIsNoLocalAddressLiteralIsRefused() {
        for (String bad : List.of("mx.example.com", "192.0.2.1", "127.0.0.2, 127.0.0.2", "127.0.0.2,", "0.0.0.0", "::",
                "224.0.0.1", "127.0.0.1, fe80::zz")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SourceAddresses.parse(bad),
                    bad);
            assertTrue(e.getMessage().startsWith("localAddress"), e::getMessage);
        }
        assertEquals(SourceAddresses.SYSTEM, SourceAddresses.parse(" "));
    }

    @Test
    void aRouteWithAnAddressOfAnotherMachineFailsToStart() throws Exception {
        try (CamelContext other = new DefaultCamelContext()) {
            other.addRoutes(new RouteBuilder() {
                @Override
                public void configure() {
                    from("direct:out").to("smtp-relay:127.0.0.1:" + port + "?localAddress=192.0.2.1");
                }
            });
            Exception e = assertThrows(Exception.class, other::start);
            StringBuilder chain = new StringBuilder();
            for (Throwable t = e; t != null; t = t.getCause()) {
                chain.append(t.getMessage()).append('\n');
            }
            assertTrue(chain.toString().contains("localAddress 192.0.2.1 is not an address of this machine"),
                    chain::toString);
        }
    }
}

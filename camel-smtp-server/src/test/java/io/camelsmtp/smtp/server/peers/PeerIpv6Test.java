package io.camelsmtp.smtp.server.peers;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import io.camelsmtp.smtp.server.SmtpServerConstants;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import org.apache.camel.Exchange;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.mock.MockEndpoint;
import org.apache.camel.test.AvailablePortFinder;
import org.apache.camel.test.junit5.CamelTestSupport;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static io.camelsmtp.smtp.server.peers.PeerRoutes.header;
import static io.camelsmtp.smtp.server.peers.PeerRoutes.receivedHeader;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The listener on the IPv6 loopback ({@code smtp-server:[::1]:port}) with Python's smtplib and Jakarta Mail as
 * clients: the client address and the Received header's address literal ({@code [IPv6:...]}, RFC 5321 section
 * 4.1.3). swaks is left out: Debian's swaks needs IO::Socket::INET6 for IPv6. Skips when the machine has no ::1.
 */
class PeerIpv6Test extends CamelTestSupport {

    private static final int PORT = AvailablePortFinder.getNextAvailable();
    private static final String RECEIVED_FROM = "Received: from client.test ([IPv6:0:0:0:0:0:0:0:1]) by mx.test";

    @BeforeAll
    static void requireIpv6Loopback() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("::1"))) {
            s.getLocalPort();
        } catch (IOException e) {
            Assumptions.abort("no IPv6 loopback (::1) on this machine: " + e);
        }
    }

    @Override
    protected RoutesBuilder createRouteBuilder() {
        return new RouteBuilder() {
            @Override
            public void configure() {
                from("smtp-server:[::1]:" + PORT + "?acceptedDomains=example.org&hostName=mx.test")
                        .routeId("ipv6").convertBodyTo(byte[].class).to("mock:ipv6");
            }
        };
    }

    private static void assertFromIpv6Loopback(Exchange e) {
        assertEquals("0:0:0:0:0:0:0:1", header(e, SmtpServerConstants.REMOTE_ADDRESS));
        assertEquals("0:0:0:0:0:0:0:1", header(e, SmtpServerConstants.LOCAL_ADDRESS));
        assertTrue(receivedHeader(e).startsWith(RECEIVED_FROM), receivedHeader(e));
    }

    @Test
    void pythonSmtplib() throws Exception {
        MockEndpoint mock = getMockEndpoint("mock:ipv6");
        mock.expectedMessageCount(1);
        PeerProcess.Result r = PeerProcess.run(Duration.ofSeconds(30),
                List.of(PeerProcess.require("python3", "python3", "/usr/bin/python3", "python3").toString(),
                        PeerTls.resource("peers/smtplib_client.py").toString(), "plain", "::1", String.valueOf(PORT)),
                null, Map.of("PYTHONNOUSERSITE", "1", "PYTHONPATH", ""));
        assertFalse(r.timedOut(), r.describe());
        assertEquals(0, r.exitCode(), r.describe());
        mock.assertIsSatisfied();
        assertFromIpv6Loopback(mock.getExchanges().get(0));
    }

    @Test
    void jakartaMail() throws Exception {
        MockEndpoint mock = getMockEndpoint("mock:ipv6");
        mock.expectedMessageCount(1);
        Properties p = new Properties();
        p.put("mail.smtp.host", "::1");
        p.put("mail.smtp.port", String.valueOf(PORT));
        p.put("mail.smtp.localhost", "client.test");
        p.put("mail.smtp.connectiontimeout", "20000");
        p.put("mail.smtp.timeout", "20000");
        Session session = Session.getInstance(p);
        MimeMessage m = new MimeMessage(session);
        m.setFrom(new InternetAddress("sender@client.test"));
        m.setRecipients(Message.RecipientType.TO, "rcpt@example.org");
        m.setSubject("over IPv6");
        m.setSentDate(new Date());
        m.setText("hello");
        Transport.send(m);
        mock.assertIsSatisfied();
        assertFromIpv6Loopback(mock.getExchanges().get(0));
    }
}

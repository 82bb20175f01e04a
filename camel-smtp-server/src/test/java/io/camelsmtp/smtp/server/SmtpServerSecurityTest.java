package io.camelsmtp.smtp.server;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;

import javax.net.ssl.SSLContext;

import io.camelsmtp.smtp.server.auth.MapAuthenticator;
import io.camelsmtp.smtp.server.support.Messages;
import io.camelsmtp.smtp.server.support.SmtpDialogue;
import io.camelsmtp.smtp.server.support.TestTls;
import org.apache.camel.Exchange;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.mock.MockEndpoint;
import org.apache.camel.test.AvailablePortFinder;
import org.apache.camel.test.junit5.CamelTestSupport;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** STARTTLS, implicit TLS, AUTH and relay control, as a raw client sees them. */
class SmtpServerSecurityTest extends CamelTestSupport {

    private final int tlsPort = AvailablePortFinder.getNextAvailable();
    private final int implicitPort = AvailablePortFinder.getNextAvailable();
    private final int plainAuthPort = AvailablePortFinder.getNextAvailable();
    private SSLContext client;

    @Override
    protected void bindToRegistry(org.apache.camel.spi.Registry registry) throws Exception {
        registry.bind("tls", TestTls.serverParameters());
        registry.bind("users", new MapAuthenticator(Map.of("alice", "secret")));
    }

    @Override
    protected RoutesBuilder createRouteBuilder() throws Exception {
        client = TestTls.trustingClient();
        return new RouteBuilder() {
            @Override
            public void configure() {
                from("smtp-server:127.0.0.1:" + tlsPort + "?sslContextParameters=#tls&requireTls=true"
                     + "&authenticator=#users&authFailureDelay=200ms&acceptedDomains=example.org")
                        .to("mock:tls");
                from("smtp-server:127.0.0.1:" + implicitPort + "?sslContextParameters=#tls&implicitTls=true"
                     + "&authenticator=#users&requireAuth=true&authFailureDelay=0")
                        .to("mock:implicit");
                from("smtp-server:127.0.0.1:" + plainAuthPort + "?authenticator=#users&allowAuthWithoutTls=true"
                     + "&authFailureDelay=0&acceptedDomains=example.org")
                        .to("mock:plain");
            }
        };
    }

    private static String plain(String user, String password) {
        return Base64.getEncoder().encodeToString(("\0" + user + "\0" + password).getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void startTlsThenAuthThenMail() throws Exception {
        MockEndpoint tls = getMockEndpoint("mock:tls");
        tls.expectedMessageCount(1);
        try (SmtpDialogue s = SmtpDialogue.open(tlsPort)) {
            String ehlo = s.cmd("EHLO client.test");
            assertTrue(ehlo.contains("250 STARTTLS"), ehlo);
            assertFalse(ehlo.contains("AUTH"), "no AUTH offered before TLS: " + ehlo);
            assertEquals("530 5.7.0 Must issue a STARTTLS command first", s.cmd("MAIL FROM:<a@client.test>"));
            assertEquals("538 5.7.11 Encryption required for requested authentication mechanism",
                    s.cmd("AUTH PLAIN " + plain("alice", "secret")));
            assertEquals("220 2.0.0 Ready to start TLS", s.cmd("STARTTLS"));
            s.startTls(client);
            assertEquals("503 5.5.1 Error: send HELO/EHLO first", s.cmd("MAIL FROM:<a@client.test>"),
                    "state is reset after TLS");
            ehlo = s.cmd("EHLO client.test");
            assertFalse(ehlo.contains("STARTTLS"), ehlo);
            assertTrue(ehlo.contains("250-AUTH PLAIN LOGIN") || ehlo.contains("250 AUTH PLAIN LOGIN"), ehlo);
            assertEquals("503 5.5.1 Error: TLS already active", s.cmd("STARTTLS"));
            long t0 = System.nanoTime();
            assertEquals("535 5.7.8 Authentication credentials invalid", s.cmd("AUTH PLAIN " + plain("alice", "wrong")));
            assertTrue((System.nanoTime() - t0) / 1_000_000 >= 180, "a failed AUTH is answered after the delay");
            assertEquals("235 2.7.0 Authentication successful", s.cmd("AUTH PLAIN " + plain("alice", "secret")));
            assertEquals("503 5.5.1 Error: already authenticated", s.cmd("AUTH PLAIN " + plain("alice", "secret")));
            assertTrue(s.send("a@client.test", "anyone@elsewhere.test", Messages.simple("tls")).startsWith("250 2.0.0"),
                    "an authenticated session may relay");
        }
        tls.assertIsSatisfied();
        Exchange e = tls.getExchanges().get(0);
        assertTrue(e.getMessage().getHeader(SmtpServerConstants.TLS_PROTOCOL, String.class).startsWith("TLSv1."));
        assertTrue(e.getMessage().getHeader(SmtpServerConstants.TLS_CIPHER, String.class).startsWith("TLS_"));
        assertEquals("alice", e.getMessage().getHeader(SmtpServerConstants.AUTHENTICATED_USER));
        String received = e.getMessage().getBody(String.class);
        assertTrue(received.contains("(using TLSv1."), received);
        assertTrue(received.contains(" with ESMTPSA id "), received);
    }

    /** CVE-2011-0411: commands pipelined after STARTTLS in plaintext must not run inside the TLS session. */
    @Test
    void plaintextPipelinedAfterStartTlsIsDiscarded() throws Exception {
        getMockEndpoint("mock:tls").expectedMessageCount(0);
        try (SmtpDialogue s = SmtpDialogue.open(tlsPort).ehlo("client.test")) {
            s.write("STARTTLS\r\nRSET\r\n");
            assertEquals("220 2.0.0 Ready to start TLS", s.reply());
            try {
                s.startTls(client);
                assertEquals("250 2.0.0 Ok", s.cmd("NOOP"), "the injected RSET got no reply of its own");
            } catch (java.io.IOException e) {
                // the server read the injected bytes as a broken handshake and closed: also safe
            }
        }
    }

    @Test
    void authLoginAndCancel() throws Exception {
        MockEndpoint plain = getMockEndpoint("mock:plain");
        plain.expectedMessageCount(0);
        try (SmtpDialogue s = SmtpDialogue.open(plainAuthPort).ehlo("client.test")) {
            assertEquals("334 VXNlcm5hbWU6", s.cmd("AUTH LOGIN"));
            assertEquals("501 5.0.0 Authentication cancelled", s.cmd("*"));
            assertEquals("504 5.5.4 Unrecognized authentication type", s.cmd("AUTH CRAM-MD5"));
            assertEquals("501 5.5.2 Cannot decode AUTH PLAIN response", s.cmd("AUTH PLAIN !!!"));
            assertEquals("250 2.1.0 Ok", s.cmd("MAIL FROM:<a@client.test>"));
            assertEquals("554 5.7.1 <x@elsewhere.test>: Relay access denied", s.cmd("RCPT TO:<x@elsewhere.test>"));
            s.cmd("RSET");
            assertEquals("334 VXNlcm5hbWU6", s.cmd("AUTH LOGIN"));
            assertEquals("334 UGFzc3dvcmQ6", s.cmd(Base64.getEncoder().encodeToString("alice".getBytes())));
            assertEquals("235 2.7.0 Authentication successful", s.cmd(Base64.getEncoder().encodeToString("secret".getBytes())));
            s.cmd("MAIL FROM:<a@client.test>");
            assertEquals("250 2.1.5 Ok", s.cmd("RCPT TO:<x@elsewhere.test>"));
        }
    }

    @Test
    void implicitTlsWithRequiredAuth() throws Exception {
        MockEndpoint implicit = getMockEndpoint("mock:implicit");
        implicit.expectedMessageCount(1);
        try (SmtpDialogue s = SmtpDialogue.openTls(implicitPort, client)) {
            assertTrue(s.greeting().startsWith("220 "), s.greeting());
            String ehlo = s.cmd("EHLO client.test");
            assertFalse(ehlo.contains("STARTTLS"), ehlo);
            assertTrue(ehlo.contains("AUTH PLAIN LOGIN"), ehlo);
            assertEquals("530 5.7.0 Authentication required", s.cmd("MAIL FROM:<a@client.test>"));
            assertEquals("235 2.7.0 Authentication successful", s.cmd("AUTH PLAIN " + plain("alice", "secret")));
            assertTrue(s.send("a@client.test", "b@anywhere.test", Messages.simple("465")).startsWith("250 2.0.0"));
        }
        implicit.assertIsSatisfied();
    }
}

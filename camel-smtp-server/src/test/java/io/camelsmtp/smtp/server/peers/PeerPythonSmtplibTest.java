package io.camelsmtp.smtp.server.peers;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.camelsmtp.smtp.server.SmtpServerConstants;
import io.camelsmtp.smtp.server.auth.MapAuthenticator;
import org.apache.camel.Exchange;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.mock.MockEndpoint;
import org.apache.camel.spi.Registry;
import org.apache.camel.test.AvailablePortFinder;
import org.apache.camel.test.junit5.CamelTestSupport;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static io.camelsmtp.smtp.server.peers.PeerRoutes.QUEUE_ID;
import static io.camelsmtp.smtp.server.peers.PeerRoutes.body;
import static io.camelsmtp.smtp.server.peers.PeerRoutes.envelopeTo;
import static io.camelsmtp.smtp.server.peers.PeerRoutes.header;
import static io.camelsmtp.smtp.server.peers.PeerRoutes.receivedHeader;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Python's smtplib (Debian's /usr/bin/python3, standard library only) runs peers/smtplib_client.py, one scenario per
 * process: a plain sendmail with dot-stuffing, SMTPUTF8 with non-ASCII addresses, a non-ASCII address without
 * SMTPUTF8, bare LF line endings (smtplib fixes them in a str message but not in bytes), and STARTTLS + AUTH verified
 * against the test CA by OpenSSL.
 */
class PeerPythonSmtplibTest extends CamelTestSupport {

    private static final int PORT = AvailablePortFinder.getNextAvailable();
    private static final int BARE_LF_PORT = AvailablePortFinder.getNextAvailable();
    private static final int IDLE_PORT = AvailablePortFinder.getNextAvailable();
    private static final Duration LIMIT = Duration.ofSeconds(30);

    private Path python;
    private Path script;

    @BeforeEach
    void findPython() throws Exception {
        python = PeerProcess.require("python3", "python3", "/usr/bin/python3", "python3");
        script = PeerTls.resource("peers/smtplib_client.py");
    }

    @Override
    protected void bindToRegistry(Registry registry) throws Exception {
        registry.bind("tls", PeerTls.serverParameters());
        registry.bind("users", new MapAuthenticator(Map.of("alice", "secret")));
    }

    @Override
    protected RoutesBuilder createRouteBuilder() {
        return new RouteBuilder() {
            @Override
            public void configure() {
                from("smtp-server:127.0.0.1:" + PORT + "?acceptedDomains=example.org&hostName=mx.test"
                     + "&sslContextParameters=#tls&authenticator=#users&authFailureDelay=0")
                        .routeId("smtplib").convertBodyTo(byte[].class).to("mock:smtplib");
                from("smtp-server:127.0.0.1:" + BARE_LF_PORT + "?acceptedDomains=example.org&allowBareLineFeeds=true")
                        .routeId("bare-lf-allowed").convertBodyTo(byte[].class).to("mock:bare-lf-allowed");
                from("smtp-server:127.0.0.1:" + IDLE_PORT + "?acceptedDomains=example.org&idleTimeout=1s")
                        .routeId("idle").to("mock:idle");
            }
        };
    }

    private PeerProcess.Result run(String scenario, int port, String... more) throws Exception {
        List<String> command = new ArrayList<>(List.of(python.toString(), script.toString(), scenario, "127.0.0.1",
                String.valueOf(port)));
        command.addAll(List.of(more));
        // -I semantics without the flag: no user site-packages, no PYTHON* variables from the build's environment
        PeerProcess.Result r = PeerProcess.run(LIMIT, command, null,
                Map.of("PYTHONNOUSERSITE", "1", "PYTHONPATH", "", "PYTHONIOENCODING", "utf-8"));
        assertFalse(r.timedOut(), r.describe());
        return r;
    }

    @Test
    void sendmail() throws Exception {
        MockEndpoint mock = getMockEndpoint("mock:smtplib");
        mock.expectedMessageCount(1);
        PeerProcess.Result r = run("plain", PORT);
        assertEquals(0, r.exitCode(), r.describe());
        assertTrue(r.stdout().contains("RESULT refused={}"), r.describe());
        // the greeting, the EHLO reply with our extensions, and the final reply after DATA
        assertTrue(r.stdout().contains("REPLY 220 mx.test"), r.describe());
        assertTrue(r.stdout().contains("SMTPUTF8 | "), r.describe());
        assertTrue(r.stdout().matches("(?s).*REPLY 250 2\\.0\\.0 Ok: queued as " + QUEUE_ID + "\n.*"), r.describe());
        assertTrue(r.stdout().contains("REPLY 221 2.0.0 Bye"), r.describe());
        mock.assertIsSatisfied();

        Exchange e = mock.getExchanges().get(0);
        assertTrue(r.stdout().contains("queued as " + header(e, SmtpServerConstants.MESSAGE_ID)), r.describe());
        assertEquals("sender@client.test", header(e, SmtpServerConstants.ENVELOPE_FROM));
        assertEquals(List.of("rcpt@example.org", "second@example.org"), envelopeTo(e));
        // smtplib announces the size it is about to send
        assertTrue(e.getIn().getHeader(SmtpServerConstants.DECLARED_SIZE, Long.class) > 0);
        String body = body(e);
        assertTrue(body.contains("\r\nSubject: smtplib plain\r\n"), body);
        assertTrue(body.endsWith("\r\n.leading dot\r\n..two leading dots\r\n"), body);
        assertFalse(body.replace("\r\n", "").contains("\n"), "only CRLF line endings: " + body);
        // two recipients: the Received header names none of them
        assertFalse(receivedHeader(e).contains(" for <"), receivedHeader(e));
        assertTrue(receivedHeader(e).startsWith("Received: from client.test ([127.0.0.1]) by mx.test (camel-smtp) with ESMTP id"),
                receivedHeader(e));
    }

    @Test
    void smtpUtf8() throws Exception {
        MockEndpoint mock = getMockEndpoint("mock:smtplib");
        mock.expectedMessageCount(1);
        PeerProcess.Result r = run("utf8", PORT);
        assertEquals(0, r.exitCode(), r.describe());
        assertTrue(r.stdout().contains("RESULT refused={}"), r.describe());
        mock.assertIsSatisfied();

        Exchange e = mock.getExchanges().get(0);
        assertEquals("jörg@absender.example", header(e, SmtpServerConstants.ENVELOPE_FROM));
        assertEquals(List.of("用户@example.org"), envelopeTo(e));
        assertEquals(Boolean.TRUE, e.getIn().getHeader(SmtpServerConstants.UTF8, Boolean.class));
        assertEquals("8BITMIME", header(e, SmtpServerConstants.BODY_TYPE));
        String body = body(e);
        assertTrue(body.contains("\r\nSubject: Grüße aus Python\r\n"), body);
        assertTrue(body.contains("\r\nSchöne Grüße, 你好.\r\n"), body);
        assertTrue(receivedHeader(e).contains(" for <用户@example.org>"), receivedHeader(e));
    }

    @Test
    void nonAsciiSenderWithoutSmtpUtf8Gets553() throws Exception {
        MockEndpoint mock = getMockEndpoint("mock:smtplib");
        mock.expectedMessageCount(0);
        PeerProcess.Result r = run("utf8-without-smtputf8", PORT);
        assertEquals(0, r.exitCode(), r.describe());
        assertTrue(r.stdout().contains("REPLY 553 5.6.7 "), r.describe());
        assertTrue(r.stdout().contains("RESULT mail=553"), r.describe());
        mock.assertIsSatisfied(200);
    }

    @Test
    void bareLfInStrIsNormalisedBySmtplib() throws Exception {
        MockEndpoint mock = getMockEndpoint("mock:smtplib");
        mock.expectedMessageCount(1);
        PeerProcess.Result r = run("bare-lf-str", PORT);
        assertEquals(0, r.exitCode(), r.describe());
        mock.assertIsSatisfied();
        String body = body(mock.getExchanges().get(0));
        assertTrue(body.endsWith("\r\nline one\r\nline two\r\n"), body);
    }

    @Test
    void bareLfInBytesIsRefused() throws Exception {
        MockEndpoint mock = getMockEndpoint("mock:smtplib");
        mock.expectedMessageCount(0);
        PeerProcess.Result r = run("bare-lf-bytes", PORT);
        assertEquals(1, r.exitCode(), r.describe());
        assertTrue(r.stdout().contains("ERROR SMTPDataError (550, b'5.6.0 Message contains a bare CR or LF"),
                r.describe());
        // the session survives the refusal: smtplib's QUIT still gets its 221
        assertTrue(r.stdout().contains("REPLY 221 2.0.0 Bye"), r.describe());
        mock.assertIsSatisfied(200);
    }

    @Test
    void bareLfInBytesIsNormalisedWhenAllowed() throws Exception {
        MockEndpoint mock = getMockEndpoint("mock:bare-lf-allowed");
        mock.expectedMessageCount(1);
        PeerProcess.Result r = run("bare-lf-bytes", BARE_LF_PORT);
        assertEquals(0, r.exitCode(), r.describe());
        mock.assertIsSatisfied();
        String body = body(mock.getExchanges().get(0));
        assertTrue(body.contains("\r\nSubject: bare LF as bytes\r\n\r\nline one\r\nline two\r\n"), body);
        assertFalse(body.replace("\r\n", "").contains("\n"), "only CRLF line endings: " + body);
    }

    @Test
    void idleClientIsDisconnectedWith421() throws Exception {
        PeerProcess.Result r = run("idle", IDLE_PORT, "2.5");
        assertEquals(0, r.exitCode(), r.describe());
        // smtplib reads the 421 the server sent when the idle timeout struck as the reply to its NOOP
        assertTrue(r.stdout().contains("RESULT noop=421"), r.describe());
        PeerRoutes.assertNoSessionsLeft(context, "idle");
    }

    @Test
    void idleTimeoutReplyHasAnEnhancedStatusCode() throws Exception {
        PeerProcess.Result r = run("idle", IDLE_PORT, "2.5");
        assertEquals(0, r.exitCode(), r.describe());
        assertTrue(r.stdout().matches("(?s).*REPLY 421 4\\.[0-9]{1,3}\\.[0-9]{1,3} .*"), r.describe());
    }

    @Test
    void startTlsAndLoginVerifiedByOpenSsl() throws Exception {
        MockEndpoint mock = getMockEndpoint("mock:smtplib");
        mock.expectedMessageCount(1);
        Path ca = PeerTls.resource("peers/localhost.crt");
        PeerProcess.Result r = run("starttls-login", PORT, ca.toString(), "alice", "secret");
        assertEquals(0, r.exitCode(), r.describe());
        assertTrue(r.stdout().contains("REPLY 220 2.0.0 Ready to start TLS"), r.describe());
        assertTrue(r.stdout().contains("TLS TLSv1.3"), r.describe());
        assertTrue(r.stdout().contains("REPLY 235 2.7.0"), r.describe());
        mock.assertIsSatisfied();

        Exchange e = mock.getExchanges().get(0);
        assertEquals("alice", header(e, SmtpServerConstants.AUTHENTICATED_USER));
        assertEquals("TLSv1.3", header(e, SmtpServerConstants.TLS_PROTOCOL));
        assertEquals(List.of("someone@elsewhere.test"), envelopeTo(e));
        assertTrue(receivedHeader(e).contains(" with ESMTPSA id "), receivedHeader(e));
    }
}

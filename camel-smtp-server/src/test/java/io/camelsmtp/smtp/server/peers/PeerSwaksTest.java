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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static io.camelsmtp.smtp.server.peers.PeerRoutes.QUEUE_ID;
import static io.camelsmtp.smtp.server.peers.PeerRoutes.body;
import static io.camelsmtp.smtp.server.peers.PeerRoutes.envelopeTo;
import static io.camelsmtp.smtp.server.peers.PeerRoutes.header;
import static io.camelsmtp.smtp.server.peers.PeerRoutes.receivedHeader;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * swaks (Perl, Net::SSLeay for TLS) against the listener: PIPELINING with a refused recipient in the middle of the
 * pipeline, STARTTLS, AUTH PLAIN and LOGIN, a wrong password, AUTH refused on plaintext, a message over
 * maxMessageSize, relay refused, and clients that hang up after DATA or after the final dot.
 * <p>
 * Debian's swaks (20201014.0) has no BDAT/CHUNKING support, so BDAT is not tested through it.
 */
class PeerSwaksTest extends CamelTestSupport {

    private static final int PORT = AvailablePortFinder.getNextAvailable();
    private static final int SUBMISSION_PORT = AvailablePortFinder.getNextAvailable();
    private static final int IMPLICIT_PORT = AvailablePortFinder.getNextAvailable();
    private static final int MAX_SIZE = 20_000;
    private static final Duration LIMIT = Duration.ofSeconds(30);

    private Path swaks;

    @BeforeEach
    void findSwaks() {
        swaks = PeerProcess.require("swaks", "swaks", "swaks", "/usr/bin/swaks");
    }

    @AfterEach
    void noSessionLeft() throws Exception {
        PeerRoutes.assertNoSessionsLeft(context, "swaks");
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
                from("smtp-server:127.0.0.1:" + PORT + "?acceptedDomains=example.org&hostName=mx.test&maxMessageSize="
                     + MAX_SIZE + "&sslContextParameters=#tls&authenticator=#users&authFailureDelay=0")
                        .routeId("swaks").convertBodyTo(byte[].class).to("mock:swaks");
                // a submission port (587): TLS and AUTH before MAIL
                from("smtp-server:127.0.0.1:" + SUBMISSION_PORT + "?sslContextParameters=#tls&authenticator=#users"
                     + "&requireTls=true&requireAuth=true&authFailureDelay=0")
                        .routeId("submission").convertBodyTo(byte[].class).to("mock:submission");
                // submissions over implicit TLS (465)
                from("smtp-server:127.0.0.1:" + IMPLICIT_PORT + "?sslContextParameters=#tls&implicitTls=true"
                     + "&authenticator=#users&authFailureDelay=0")
                        .routeId("implicit").convertBodyTo(byte[].class).to("mock:implicit");
            }
        };
    }

    private PeerProcess.Result swaks(String... args) throws Exception {
        return swaksOn(PORT, args);
    }

    private PeerProcess.Result swaksOn(int port, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(swaks.toString(), "--server", "127.0.0.1", "--port",
                String.valueOf(port), "--helo", "client.test", "--from", "sender@client.test", "--timeout", "20s"));
        command.addAll(List.of(args));
        PeerProcess.Result r = PeerProcess.run(LIMIT, command);
        assertFalse(r.timedOut(), r.describe());
        return r;
    }

    /** The server's replies as swaks printed them ("<-  250 ..."), in order, TLS-decrypted ones included. */
    private static List<String> replies(PeerProcess.Result r) {
        return r.stdout().lines().filter(l -> l.matches("<[-~*]+ +.*")).map(l -> l.replaceFirst("<[-~*]+ +", ""))
                .toList();
    }

    /** The lines swaks sent ("-> ..."), in order. */
    private static List<String> sent(PeerProcess.Result r) {
        return r.stdout().lines().filter(l -> l.matches(" *[-~*]+> +.*")).map(l -> l.replaceFirst(" *[-~*]+> +", ""))
                .toList();
    }

    @Test
    void pipelineWithOneRecipientRefused() throws Exception {
        MockEndpoint mock = getMockEndpoint("mock:swaks");
        mock.expectedMessageCount(1);
        PeerProcess.Result r = swaks("--pipeline", "--to", "a@example.org,b@elsewhere.test,c@example.org",
                "--header", "Subject: pipelined");
        assertEquals(0, r.exitCode(), r.describe());
        // pipelined: MAIL, the three RCPTs and DATA went out before the first reply to them was read
        List<String> out = sent(r);
        int mail = indexOfPrefix(out, "MAIL FROM:");
        assertTrue(mail >= 0, r.describe());
        assertTrue(out.get(mail + 1).startsWith("RCPT TO:<a@example.org>") && out.get(mail + 4).equals("DATA"),
                r.describe());
        List<String> in = replies(r);
        int ok = in.indexOf("250 2.1.0 Ok");
        assertTrue(ok >= 0, r.describe());
        assertEquals(List.of("250 2.1.5 Ok", "554 5.7.1 <b@elsewhere.test>: Relay access denied", "250 2.1.5 Ok",
                "354 End data with <CR><LF>.<CR><LF>"), in.subList(ok + 1, ok + 5), r.describe());
        assertTrue(in.get(ok + 5).matches("250 2\\.0\\.0 Ok: queued as " + QUEUE_ID), r.describe());
        mock.assertIsSatisfied();

        Exchange e = mock.getExchanges().get(0);
        assertEquals(List.of("a@example.org", "c@example.org"), envelopeTo(e));
        assertTrue(body(e).contains("\r\nSubject: pipelined\r\n"), body(e));
        assertTrue(in.get(ok + 5).endsWith(header(e, SmtpServerConstants.MESSAGE_ID)), r.describe());
    }

    @Test
    void heloInsteadOfEhlo() throws Exception {
        MockEndpoint mock = getMockEndpoint("mock:swaks");
        mock.expectedMessageCount(1);
        PeerProcess.Result r = swaks("--protocol", "SMTP", "--to", "a@example.org");
        assertEquals(0, r.exitCode(), r.describe());
        assertTrue(sent(r).contains("HELO client.test"), r.describe());
        assertTrue(replies(r).contains("250 mx.test"), r.describe());
        mock.assertIsSatisfied();
        Exchange e = mock.getExchanges().get(0);
        assertEquals("client.test", header(e, SmtpServerConstants.HELO));
        // RFC 3848: plain SMTP, not ESMTP, after HELO
        assertTrue(receivedHeader(e).contains(" by mx.test (camel-smtp) with SMTP id "), receivedHeader(e));
    }

    @Test
    void ehloOffersStartTlsButNoAuthOnPlaintext() throws Exception {
        PeerProcess.Result r = swaks("--to", "a@example.org", "--quit-after", "EHLO");
        assertEquals(0, r.exitCode(), r.describe());
        List<String> in = replies(r);
        assertTrue(in.contains("250 STARTTLS"), r.describe());
        assertTrue(in.contains("250-PIPELINING") && in.contains("250-CHUNKING") && in.contains("250-SIZE " + MAX_SIZE),
                r.describe());
        assertTrue(in.stream().noneMatch(l -> l.contains("AUTH")), r.describe());
    }

    @Test
    void authWithoutTlsIsNotPossible() throws Exception {
        MockEndpoint mock = getMockEndpoint("mock:swaks");
        mock.expectedMessageCount(0);
        PeerProcess.Result r = swaks("--to", "someone@elsewhere.test", "--auth", "PLAIN", "--auth-user", "alice",
                "--auth-password", "secret");
        assertEquals(28, r.exitCode(), "swaks exit code for an AUTH failure\n" + r.describe());
        mock.assertIsSatisfied(200);
    }

    @Test
    void startTls() throws Exception {
        MockEndpoint mock = getMockEndpoint("mock:swaks");
        mock.expectedMessageCount(1);
        PeerProcess.Result r = swaks("--tls", "--to", "a@example.org");
        assertEquals(0, r.exitCode(), r.describe());
        assertTrue(replies(r).contains("220 2.0.0 Ready to start TLS"), r.describe());
        assertTrue(r.stdout().contains("TLS started with cipher TLSv1.3"), r.describe());
        mock.assertIsSatisfied();

        Exchange e = mock.getExchanges().get(0);
        assertEquals("TLSv1.3", header(e, SmtpServerConstants.TLS_PROTOCOL));
        assertNull(header(e, SmtpServerConstants.AUTHENTICATED_USER));
        assertTrue(receivedHeader(e).contains(" with ESMTPS id "), receivedHeader(e));
    }

    @Test
    void authPlainOverStartTls() throws Exception {
        authOverStartTls("PLAIN");
    }

    @Test
    void authLoginOverStartTls() throws Exception {
        authOverStartTls("LOGIN");
    }

    private void authOverStartTls(String mechanism) throws Exception {
        MockEndpoint mock = getMockEndpoint("mock:swaks");
        mock.expectedMessageCount(1);
        PeerProcess.Result r = swaks("--tls", "--auth", mechanism, "--auth-user", "alice", "--auth-password",
                "secret", "--to", "someone@elsewhere.test", "--pipeline");
        assertEquals(0, r.exitCode(), r.describe());
        assertTrue(replies(r).contains("235 2.7.0 Authentication successful"), r.describe());
        mock.assertIsSatisfied();

        Exchange e = mock.getExchanges().get(0);
        assertEquals("alice", header(e, SmtpServerConstants.AUTHENTICATED_USER));
        assertEquals("TLSv1.3", header(e, SmtpServerConstants.TLS_PROTOCOL));
        assertEquals(List.of("someone@elsewhere.test"), envelopeTo(e));
        assertTrue(receivedHeader(e).contains(" with ESMTPSA id "), receivedHeader(e));
    }

    @Test
    void wrongPasswordGets535() throws Exception {
        MockEndpoint mock = getMockEndpoint("mock:swaks");
        mock.expectedMessageCount(0);
        PeerProcess.Result r = swaks("--tls", "--auth", "PLAIN", "--auth-user", "alice", "--auth-password", "wrong",
                "--to", "a@example.org");
        assertEquals(28, r.exitCode(), r.describe());
        assertTrue(replies(r).contains("535 5.7.8 Authentication credentials invalid"), r.describe());
        mock.assertIsSatisfied(200);
    }

    @Test
    void messageOverMaxMessageSizeGets552() throws Exception {
        MockEndpoint mock = getMockEndpoint("mock:swaks");
        mock.expectedMessageCount(1);
        String line = "x".repeat(70) + "\n";
        String body = line.repeat(MAX_SIZE / line.length() + 10);
        PeerProcess.Result r = swaks("--to", "a@example.org", "--body", body);
        assertEquals(26, r.exitCode(), "swaks exit code for a refused message\n" + r.describe());
        assertTrue(replies(r).stream().anyMatch(l -> l.startsWith("552 5.3.4 ")), r.describe());
        // the session goes on: the same connection is not needed, but the next client is served as usual
        PeerProcess.Result next = swaks("--to", "a@example.org", "--header", "Subject: after the big one");
        assertEquals(0, next.exitCode(), next.describe());
        mock.assertIsSatisfied();
        assertTrue(body(mock.getExchanges().get(0)).contains("Subject: after the big one"));
    }

    @Test
    void relayIsRefused() throws Exception {
        MockEndpoint mock = getMockEndpoint("mock:swaks");
        mock.expectedMessageCount(0);
        PeerProcess.Result r = swaks("--to", "someone@elsewhere.test");
        assertEquals(24, r.exitCode(), "swaks exit code for no recipient accepted\n" + r.describe());
        assertTrue(replies(r).contains("554 5.7.1 <someone@elsewhere.test>: Relay access denied"), r.describe());
        mock.assertIsSatisfied(200);
    }

    @Test
    void hangUpAfterDataCommandDeliversNothing() throws Exception {
        MockEndpoint mock = getMockEndpoint("mock:swaks");
        mock.expectedMessageCount(0);
        PeerProcess.Result r = swaks("--to", "a@example.org", "--drop-after", "DATA");
        assertTrue(replies(r).contains("354 End data with <CR><LF>.<CR><LF>"), r.describe());
        mock.assertIsSatisfied(300);
    }

    @Test
    void hangUpAfterTheFinalDotStillDeliversOnce() throws Exception {
        // the message is complete once the dot arrived; the client just never reads the 250. RFC 5321 §6.1 accepts
        // the resulting risk of a duplicate (the client will retry); the route must see the message exactly once
        MockEndpoint mock = getMockEndpoint("mock:swaks");
        mock.expectedMessageCount(1);
        PeerProcess.Result r = swaks("--to", "a@example.org", "--header", "Subject: dropped after dot",
                "--drop-after-send", "DOT");
        assertTrue(r.stdout().contains("=== Dropping connection"), r.describe());
        assertFalse(replies(r).stream().anyMatch(l -> l.startsWith("250 2.0.0 Ok: queued")), r.describe());
        mock.assertIsSatisfied();
        mock.assertIsSatisfied(300);
        assertTrue(body(mock.getExchanges().get(0)).contains("Subject: dropped after dot"));
    }

    @Test
    void submissionPortWantsTlsThenAuth() throws Exception {
        MockEndpoint mock = getMockEndpoint("mock:submission");
        mock.expectedMessageCount(1);
        PeerProcess.Result plain = swaksOn(SUBMISSION_PORT, "--to", "someone@elsewhere.test");
        assertEquals(23, plain.exitCode(), "swaks exit code for a refused MAIL\n" + plain.describe());
        assertTrue(replies(plain).contains("530 5.7.0 Must issue a STARTTLS command first"), plain.describe());

        PeerProcess.Result tlsOnly = swaksOn(SUBMISSION_PORT, "--tls", "--to", "someone@elsewhere.test");
        assertEquals(23, tlsOnly.exitCode(), tlsOnly.describe());
        assertTrue(replies(tlsOnly).contains("530 5.7.0 Authentication required"), tlsOnly.describe());

        PeerProcess.Result ok = swaksOn(SUBMISSION_PORT, "--tls", "--auth", "LOGIN", "--auth-user", "alice",
                "--auth-password", "secret", "--to", "someone@elsewhere.test");
        assertEquals(0, ok.exitCode(), ok.describe());
        mock.assertIsSatisfied();
        Exchange e = mock.getExchanges().get(0);
        assertEquals("alice", header(e, SmtpServerConstants.AUTHENTICATED_USER));
        assertEquals(List.of("someone@elsewhere.test"), envelopeTo(e));
        PeerRoutes.assertNoSessionsLeft(context, "submission");
    }

    @Test
    void implicitTlsWithAuth() throws Exception {
        MockEndpoint mock = getMockEndpoint("mock:implicit");
        mock.expectedMessageCount(1);
        PeerProcess.Result r = swaksOn(IMPLICIT_PORT, "--tls-on-connect", "--auth", "PLAIN", "--auth-user", "alice",
                "--auth-password", "secret", "--to", "someone@elsewhere.test");
        assertEquals(0, r.exitCode(), r.describe());
        assertTrue(r.stdout().contains("TLS started with cipher TLSv1.3"), r.describe());
        // the greeting already came over TLS, and STARTTLS is not offered again
        assertTrue(replies(r).stream().noneMatch(l -> l.contains("STARTTLS")), r.describe());
        mock.assertIsSatisfied();
        Exchange e = mock.getExchanges().get(0);
        assertEquals("TLSv1.3", header(e, SmtpServerConstants.TLS_PROTOCOL));
        assertTrue(receivedHeader(e).contains(" with ESMTPSA id "), receivedHeader(e));
        PeerRoutes.assertNoSessionsLeft(context, "implicit");
    }

    private static int indexOfPrefix(List<String> lines, String prefix) {
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith(prefix)) {
                return i;
            }
        }
        return -1;
    }
}

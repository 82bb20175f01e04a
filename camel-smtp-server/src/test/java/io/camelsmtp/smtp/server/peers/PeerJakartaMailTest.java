package io.camelsmtp.smtp.server.peers;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;

import io.camelsmtp.smtp.server.SmtpServerConstants;
import io.camelsmtp.smtp.server.auth.MapAuthenticator;
import jakarta.activation.DataHandler;
import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.Message;
import jakarta.mail.Multipart;
import jakarta.mail.Part;
import jakarta.mail.SendFailedException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import jakarta.mail.util.ByteArrayDataSource;
import org.apache.camel.Exchange;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.mock.MockEndpoint;
import org.apache.camel.spi.Registry;
import org.apache.camel.test.AvailablePortFinder;
import org.apache.camel.test.junit5.CamelTestSupport;
import org.eclipse.angus.mail.smtp.SMTPMessage;
import org.eclipse.angus.mail.smtp.SMTPTransport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import static io.camelsmtp.smtp.server.peers.PeerRoutes.QUEUE_ID;
import static io.camelsmtp.smtp.server.peers.PeerRoutes.body;
import static io.camelsmtp.smtp.server.peers.PeerRoutes.envelopeTo;
import static io.camelsmtp.smtp.server.peers.PeerRoutes.header;
import static io.camelsmtp.smtp.server.peers.PeerRoutes.receivedHeader;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Jakarta Mail (Eclipse Angus, the SMTP client most Java applications use) against the listener: plaintext, STARTTLS
 * with the test certificate verified by host name, AUTH PLAIN and LOGIN over STARTTLS, a wrong password, implicit
 * TLS, and a message big enough to be spooled to a file.
 */
class PeerJakartaMailTest extends CamelTestSupport {

    private static final int PLAIN_PORT = AvailablePortFinder.getNextAvailable();
    private static final int STARTTLS_PORT = AvailablePortFinder.getNextAvailable();
    private static final int IMPLICIT_PORT = AvailablePortFinder.getNextAvailable();
    private static final int DSN_PORT = AvailablePortFinder.getNextAvailable();
    private static final String COMMON = "acceptedDomains=example.org&hostName=mx.test&authFailureDelay=0";
    private static final Path SPOOL = tempDir();

    private static Path tempDir() {
        try {
            return Files.createTempDirectory("peer-jakarta-spool");
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

    private static long spooledFiles() {
        try (var files = Files.list(SPOOL)) {
            return files.count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    protected void bindToRegistry(Registry registry) throws Exception {
        registry.bind("tls", PeerTls.serverParameters());
        registry.bind("users", new MapAuthenticator(Map.of("alice", "secret", "bob", "hunter2")));
    }

    @Override
    protected RoutesBuilder createRouteBuilder() {
        return new RouteBuilder() {
            @Override
            public void configure() {
                from("smtp-server:127.0.0.1:" + PLAIN_PORT + "?" + COMMON + "&spoolThreshold=65536&spoolDirectory="
                     + SPOOL)
                        .process(e -> e.getIn().setHeader("spooledFiles", spooledFiles()))
                        .convertBodyTo(byte[].class).to("mock:plain");
                from("smtp-server:127.0.0.1:" + STARTTLS_PORT + "?" + COMMON
                     + "&sslContextParameters=#tls&authenticator=#users")
                        .convertBodyTo(byte[].class).to("mock:starttls");
                from("smtp-server:127.0.0.1:" + IMPLICIT_PORT + "?" + COMMON
                     + "&sslContextParameters=#tls&implicitTls=true&authenticator=#users")
                        .convertBodyTo(byte[].class).to("mock:implicit");
                from("smtp-server:127.0.0.1:" + DSN_PORT + "?" + COMMON + "&dsn=true")
                        .convertBodyTo(byte[].class).to("mock:dsn");
            }
        };
    }

    private static Properties props(int port) {
        Properties p = new Properties();
        p.put("mail.smtp.host", "127.0.0.1");
        p.put("mail.smtp.port", String.valueOf(port));
        p.put("mail.smtp.localhost", "client.test");
        p.put("mail.smtp.connectiontimeout", "20000");
        p.put("mail.smtp.timeout", "20000");
        p.put("mail.smtp.writetimeout", "20000");
        return p;
    }

    private static Properties startTlsProps(int port) throws Exception {
        Properties p = props(port);
        p.put("mail.smtp.starttls.enable", "true");
        p.put("mail.smtp.starttls.required", "true");
        p.put("mail.smtp.ssl.socketFactory", PeerTls.clientSocketFactory());
        p.put("mail.smtp.ssl.checkserveridentity", "true");
        return p;
    }

    private static MimeMessage message(Session session, String subject, String to) throws Exception {
        MimeMessage m = new MimeMessage(session);
        m.setFrom(new InternetAddress("sender@client.test"));
        m.setRecipients(Message.RecipientType.TO, to);
        m.setSubject(subject);
        m.setSentDate(new Date());
        m.setText("Hello from Jakarta Mail.\r\n.a line that starts with a dot\r\n", "UTF-8");
        return m;
    }

    /** Sends one message on its own connection and returns the server's last reply (the one after DATA). */
    private static String send(Session session, MimeMessage m, String user, String password) throws Exception {
        try (Transport t = session.getTransport("smtp")) {
            if (user == null) {
                t.connect();
            } else {
                t.connect(user, password);
            }
            m.saveChanges();
            t.sendMessage(m, m.getAllRecipients());
            return ((SMTPTransport) t).getLastServerResponse();
        }
    }

    private static void assertQueued(String reply, Exchange exchange) {
        String id = header(exchange, SmtpServerConstants.MESSAGE_ID);
        assertNotNull(id);
        assertTrue(id.matches(QUEUE_ID), id);
        assertTrue(reply.startsWith("250 2.0.0 Ok: queued as " + id), reply);
        assertTrue(receivedHeader(exchange).contains(" id " + id), receivedHeader(exchange));
    }

    @Test
    void plainSend() throws Exception {
        MockEndpoint mock = getMockEndpoint("mock:plain");
        mock.expectedMessageCount(1);
        Session session = Session.getInstance(props(PLAIN_PORT));
        String reply = send(session, message(session, "plain", "rcpt@example.org"), null, null);
        mock.assertIsSatisfied();

        Exchange e = mock.getExchanges().get(0);
        assertQueued(reply, e);
        assertEquals("sender@client.test", header(e, SmtpServerConstants.ENVELOPE_FROM));
        assertEquals(List.of("rcpt@example.org"), envelopeTo(e));
        assertEquals("client.test", header(e, SmtpServerConstants.HELO));
        assertEquals("127.0.0.1", header(e, SmtpServerConstants.REMOTE_ADDRESS));
        assertNull(header(e, SmtpServerConstants.TLS_PROTOCOL));
        assertNull(header(e, SmtpServerConstants.AUTHENTICATED_USER));
        String received = receivedHeader(e);
        assertTrue(received.matches("Received: from client\\.test \\(\\[127\\.0\\.0\\.1]\\) by mx\\.test \\(camel-smtp\\) "
                                    + "with ESMTP id " + QUEUE_ID + " for <rcpt@example\\.org>; .+"),
                received);
        String body = body(e);
        assertTrue(body.contains("\r\nSubject: plain\r\n"), body);
        // Jakarta Mail dot-stuffs the line; the server must have removed exactly one dot again
        assertTrue(body.contains("\r\n.a line that starts with a dot\r\n"), body);
        assertEquals(body.getBytes(StandardCharsets.UTF_8).length,
                e.getIn().getHeader(SmtpServerConstants.MESSAGE_SIZE, Long.class));
        // what the route got parses as the message that was sent
        MimeMessage parsed = new MimeMessage(null, new ByteArrayInputStream(body.getBytes(StandardCharsets.UTF_8)));
        assertEquals("plain", parsed.getSubject());
        assertNotNull(parsed.getHeader("Message-ID"));
        assertEquals(0L, e.getIn().getHeader("spooledFiles", Long.class), "a small message is kept in memory");
    }

    @Test
    void severalMessagesOnOneConnection() throws Exception {
        MockEndpoint mock = getMockEndpoint("mock:plain");
        mock.expectedMessageCount(3);
        Session session = Session.getInstance(props(PLAIN_PORT));
        List<String> replies = new java.util.ArrayList<>();
        try (Transport t = session.getTransport("smtp")) {
            t.connect();
            for (int i = 1; i <= 3; i++) {
                MimeMessage m = message(session, "message " + i, "rcpt" + i + "@example.org");
                m.saveChanges();
                t.sendMessage(m, m.getAllRecipients());
                replies.add(((SMTPTransport) t).getLastServerResponse());
            }
        }
        mock.assertIsSatisfied();

        List<Exchange> got = mock.getExchanges();
        for (int i = 0; i < 3; i++) {
            Exchange e = got.get(i);
            assertQueued(replies.get(i), e);
            // each transaction starts afresh: only its own recipient, its own subject
            assertEquals(List.of("rcpt" + (i + 1) + "@example.org"), envelopeTo(e));
            assertTrue(body(e).contains("\r\nSubject: message " + (i + 1) + "\r\n"), body(e));
            assertEquals(header(got.get(0), SmtpServerConstants.SESSION_ID), header(e, SmtpServerConstants.SESSION_ID));
        }
        assertEquals(3, got.stream().map(e -> header(e, SmtpServerConstants.MESSAGE_ID)).distinct().count());
    }

    @Test
    void eightBitMime() throws Exception {
        MockEndpoint mock = getMockEndpoint("mock:plain");
        mock.expectedMessageCount(1);
        Session session = Session.getInstance(props(PLAIN_PORT));
        SMTPMessage m = new SMTPMessage(session);
        m.setFrom(new InternetAddress("sender@client.test"));
        m.setRecipients(Message.RecipientType.TO, "rcpt@example.org");
        m.setSubject("8bit");
        m.setText("Grüße, ça va? 你好\r\n", "UTF-8");
        m.setAllow8bitMIME(true);
        send(session, m, null, null);
        mock.assertIsSatisfied();

        Exchange e = mock.getExchanges().get(0);
        // Angus switches the part to 8bit because we offer 8BITMIME, but never sends BODY=8BITMIME; like Postfix,
        // the listener takes the 8-bit octets anyway and reports what the client declared
        assertEquals("7BIT", header(e, SmtpServerConstants.BODY_TYPE));
        String body = body(e);
        assertTrue(body.contains("Content-Transfer-Encoding: 8bit"), body);
        assertTrue(body.contains("\r\n\r\nGrüße, ça va? 你好\r\n"), body);
    }

    @Test
    void dsnParameters() throws Exception {
        MockEndpoint mock = getMockEndpoint("mock:dsn");
        mock.expectedMessageCount(1);
        Session session = Session.getInstance(props(DSN_PORT));
        SMTPMessage m = new SMTPMessage(session);
        m.setFrom(new InternetAddress("sender@client.test"));
        m.setRecipients(Message.RecipientType.TO, "a@example.org, b@example.org");
        m.setSubject("dsn");
        m.setText("with DSN parameters");
        m.setReturnOption(SMTPMessage.RETURN_HDRS);
        m.setNotifyOptions(SMTPMessage.NOTIFY_SUCCESS | SMTPMessage.NOTIFY_FAILURE);
        m.setMailExtension("ENVID=QQ314159+2Bx");
        send(session, m, null, null);
        mock.assertIsSatisfied();

        Exchange e = mock.getExchanges().get(0);
        assertEquals("HDRS", header(e, SmtpServerConstants.DSN_RET));
        assertEquals("QQ314159+x", header(e, SmtpServerConstants.DSN_ENVID));
        assertEquals(List.of("SUCCESS,FAILURE", "SUCCESS,FAILURE"),
                e.getIn().getHeader(SmtpServerConstants.DSN_NOTIFY, List.class));
        assertEquals(List.of("a@example.org", "b@example.org"), envelopeTo(e));
    }

    @Test
    void unauthenticatedRelayIsRefused() throws Exception {
        MockEndpoint mock = getMockEndpoint("mock:plain");
        mock.expectedMessageCount(0);
        Session session = Session.getInstance(props(PLAIN_PORT));
        SendFailedException e = assertThrows(SendFailedException.class,
                () -> send(session, message(session, "relay", "someone@elsewhere.test"), null, null));
        String all = describe(e);
        assertTrue(all.contains("554 5.7.1"), all);
        mock.assertIsSatisfied(200);
    }

    @Test
    void largeMessageIsSpooledAndArrivesIntact() throws Exception {
        MockEndpoint mock = getMockEndpoint("mock:plain");
        mock.expectedMessageCount(1);
        byte[] attachment = new byte[600 * 1024];
        new Random(42).nextBytes(attachment);
        Session session = Session.getInstance(props(PLAIN_PORT));
        MimeMessage m = message(session, "large", "rcpt@example.org");
        MimeBodyPart text = new MimeBodyPart();
        text.setText("see attachment");
        MimeBodyPart file = new MimeBodyPart();
        file.setDataHandler(new DataHandler(new ByteArrayDataSource(attachment, "application/octet-stream")));
        file.setFileName("random.bin");
        Multipart mp = new MimeMultipart(text, file);
        m.setContent(mp);
        String reply = send(session, m, null, null);
        mock.assertIsSatisfied();

        Exchange e = mock.getExchanges().get(0);
        assertQueued(reply, e);
        byte[] raw = e.getIn().getBody(byte[].class);
        assertTrue(raw.length > attachment.length, "message of " + raw.length + " octets");
        MimeMessage parsed = new MimeMessage(null, new ByteArrayInputStream(raw));
        MimeMultipart got = (MimeMultipart) parsed.getContent();
        Part part = got.getBodyPart(1);
        assertEquals("random.bin", part.getFileName());
        byte[] received = part.getInputStream().readAllBytes();
        assertEquals(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(attachment)),
                HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(received)));
        assertArrayEquals(attachment, received);
        // above spoolThreshold the message sat in a file while the route ran, and the file is gone afterwards
        assertEquals(1L, e.getIn().getHeader("spooledFiles", Long.class));
        PeerRoutes.await(Duration.ofSeconds(5), () -> spooledFiles() == 0);
        assertEquals(0, spooledFiles(), "spool file left behind");
    }

    @Test
    void startTlsWithoutAuth() throws Exception {
        MockEndpoint mock = getMockEndpoint("mock:starttls");
        mock.expectedMessageCount(1);
        Session session = Session.getInstance(startTlsProps(STARTTLS_PORT));
        String reply = send(session, message(session, "starttls", "rcpt@example.org"), null, null);
        mock.assertIsSatisfied();

        Exchange e = mock.getExchanges().get(0);
        assertQueued(reply, e);
        assertEquals("TLSv1.3", header(e, SmtpServerConstants.TLS_PROTOCOL));
        assertNotNull(header(e, SmtpServerConstants.TLS_CIPHER));
        assertNull(header(e, SmtpServerConstants.AUTHENTICATED_USER));
        // the client greets again after STARTTLS, as RFC 3207 wants
        assertEquals("client.test", header(e, SmtpServerConstants.HELO));
        String received = receivedHeader(e);
        assertTrue(received.contains("(using TLSv1.3 with cipher " + header(e, SmtpServerConstants.TLS_CIPHER) + ")"),
                received);
        assertTrue(received.contains(" with ESMTPS id "), received);
    }

    @Test
    void startTlsAuthPlain() throws Exception {
        authOverStartTls("PLAIN", "alice", "secret");
    }

    @Test
    void startTlsAuthLogin() throws Exception {
        authOverStartTls("LOGIN", "bob", "hunter2");
    }

    private void authOverStartTls(String mechanism, String user, String password) throws Exception {
        MockEndpoint mock = getMockEndpoint("mock:starttls");
        mock.expectedMessageCount(1);
        Properties p = startTlsProps(STARTTLS_PORT);
        p.put("mail.smtp.auth", "true");
        p.put("mail.smtp.auth.mechanisms", mechanism);
        Session session = Session.getInstance(p);
        // an authenticated client may relay: elsewhere.test is not an accepted domain
        String reply = send(session, message(session, "auth " + mechanism, "someone@elsewhere.test"), user, password);
        mock.assertIsSatisfied();

        Exchange e = mock.getExchanges().get(0);
        assertQueued(reply, e);
        assertEquals(user, header(e, SmtpServerConstants.AUTHENTICATED_USER));
        assertEquals("TLSv1.3", header(e, SmtpServerConstants.TLS_PROTOCOL));
        assertEquals(List.of("someone@elsewhere.test"), envelopeTo(e));
        assertTrue(receivedHeader(e).contains(" with ESMTPSA id "), receivedHeader(e));
    }

    @Test
    void wrongPasswordGets535() throws Exception {
        MockEndpoint mock = getMockEndpoint("mock:starttls");
        mock.expectedMessageCount(0);
        for (String mechanism : List.of("PLAIN", "LOGIN")) {
            Properties p = startTlsProps(STARTTLS_PORT);
            p.put("mail.smtp.auth", "true");
            p.put("mail.smtp.auth.mechanisms", mechanism);
            Session session = Session.getInstance(p);
            try (Transport t = session.getTransport("smtp")) {
                AuthenticationFailedException e = assertThrows(AuthenticationFailedException.class,
                        () -> t.connect("alice", "wrong"));
                assertTrue(describe(e).contains("535 5.7.8"), mechanism + ": " + describe(e));
            }
        }
        mock.assertIsSatisfied(200);
    }

    @Test
    void implicitTlsWithAuth() throws Exception {
        MockEndpoint mock = getMockEndpoint("mock:implicit");
        mock.expectedMessageCount(1);
        Properties p = props(IMPLICIT_PORT);
        p.put("mail.smtp.ssl.enable", "true");
        p.put("mail.smtp.ssl.socketFactory", PeerTls.clientSocketFactory());
        p.put("mail.smtp.ssl.checkserveridentity", "true");
        p.put("mail.smtp.auth", "true");
        Session session = Session.getInstance(p);
        String reply = send(session, message(session, "implicit", "rcpt@example.org"), "alice", "secret");
        mock.assertIsSatisfied();

        Exchange e = mock.getExchanges().get(0);
        assertQueued(reply, e);
        assertEquals("TLSv1.3", header(e, SmtpServerConstants.TLS_PROTOCOL));
        assertEquals("alice", header(e, SmtpServerConstants.AUTHENTICATED_USER));
        assertTrue(receivedHeader(e).contains(" with ESMTPSA id "), receivedHeader(e));
    }

    @Test
    void implicitTlsWithoutAuth() throws Exception {
        MockEndpoint mock = getMockEndpoint("mock:implicit");
        mock.expectedMessageCount(1);
        Properties p = props(IMPLICIT_PORT);
        p.put("mail.smtp.ssl.enable", "true");
        p.put("mail.smtp.ssl.socketFactory", PeerTls.clientSocketFactory());
        p.put("mail.smtp.ssl.checkserveridentity", "true");
        Session session = Session.getInstance(p);
        String reply = send(session, message(session, "implicit", "rcpt@example.org"), null, null);
        mock.assertIsSatisfied();

        Exchange e = mock.getExchanges().get(0);
        assertQueued(reply, e);
        assertEquals("TLSv1.3", header(e, SmtpServerConstants.TLS_PROTOCOL));
        assertNull(header(e, SmtpServerConstants.AUTHENTICATED_USER));
        assertTrue(receivedHeader(e).contains(" with ESMTPS id "), receivedHeader(e));
    }

    /** An exception's message and those of its causes and next exceptions, where the server's reply ends up. */
    private static String describe(Throwable t) {
        StringBuilder sb = new StringBuilder();
        for (Throwable c = t; c != null; c = next(c)) {
            sb.append(c.getClass().getSimpleName()).append(": ").append(c.getMessage()).append('\n');
            if (c instanceof SendFailedException sfe && sfe.getInvalidAddresses() != null) {
                sb.append("invalid: ").append(Arrays.toString(sfe.getInvalidAddresses())).append('\n');
            }
        }
        return sb.toString();
    }

    private static Throwable next(Throwable t) {
        if (t instanceof jakarta.mail.MessagingException me && me.getNextException() != null) {
            return me.getNextException();
        }
        return t.getCause();
    }
}

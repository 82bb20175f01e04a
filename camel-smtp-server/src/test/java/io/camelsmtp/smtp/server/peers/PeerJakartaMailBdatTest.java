package io.camelsmtp.smtp.server.peers;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;

import javax.net.SocketFactory;

import io.camelsmtp.smtp.server.SmtpServerConstants;
import io.camelsmtp.smtp.server.auth.MapAuthenticator;
import jakarta.activation.DataHandler;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
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
import org.eclipse.angus.mail.smtp.SMTPTransport;
import org.junit.jupiter.api.Test;

import static io.camelsmtp.smtp.server.peers.PeerRoutes.QUEUE_ID;
import static io.camelsmtp.smtp.server.peers.PeerRoutes.body;
import static io.camelsmtp.smtp.server.peers.PeerRoutes.envelopeTo;
import static io.camelsmtp.smtp.server.peers.PeerRoutes.header;
import static io.camelsmtp.smtp.server.peers.PeerRoutes.receivedHeader;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * BDAT (CHUNKING, RFC 3030) through a real client: Jakarta Mail (Eclipse Angus) sends with BDAT when the server
 * offers CHUNKING and {@code mail.smtp.chunksize} is set, splitting the message into chunks of that size and ending
 * with {@code BDAT n LAST}. Postfix's SMTP client, swaks and smtplib never use BDAT; Angus is the one peer here that
 * does. The protocol trace on stdout is not needed: the listener with {@code chunking=false} shows that without
 * CHUNKING the same client falls back to DATA, so what arrives through the other listener came by BDAT.
 */
class PeerJakartaMailBdatTest extends CamelTestSupport {

    private static final int PORT = AvailablePortFinder.getNextAvailable();
    private static final int NO_CHUNKING_PORT = AvailablePortFinder.getNextAvailable();
    private static final int MAX_SIZE = 200_000;

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
                     + MAX_SIZE + "&spoolThreshold=65536&sslContextParameters=#tls&authenticator=#users"
                     + "&authFailureDelay=0")
                        .convertBodyTo(byte[].class).to("mock:bdat");
                from("smtp-server:127.0.0.1:" + NO_CHUNKING_PORT + "?acceptedDomains=example.org&chunking=false")
                        .convertBodyTo(byte[].class).to("mock:data");
            }
        };
    }

    private static Properties props(int port, int chunkSize) {
        Properties p = new Properties();
        p.put("mail.smtp.host", "127.0.0.1");
        p.put("mail.smtp.port", String.valueOf(port));
        p.put("mail.smtp.localhost", "client.test");
        p.put("mail.smtp.connectiontimeout", "20000");
        p.put("mail.smtp.timeout", "20000");
        p.put("mail.smtp.chunksize", String.valueOf(chunkSize));
        // Angus writes "BDAT n" and the chunk separately, then waits for the reply: with Nagle on, every chunk
        // waits for the server's delayed ACK (40 ms here). Plain sockets without Nagle keep many chunks fast.
        p.put("mail.smtp.socketFactory", new NoDelaySocketFactory());
        return p;
    }

    /** Plain sockets with TCP_NODELAY. */
    private static final class NoDelaySocketFactory extends SocketFactory {

        private static Socket noDelay(Socket s) throws IOException {
            s.setTcpNoDelay(true);
            return s;
        }

        @Override
        public Socket createSocket() throws IOException {
            return noDelay(new Socket());
        }

        @Override
        public Socket createSocket(String host, int port) throws IOException {
            return noDelay(new Socket(host, port));
        }

        @Override
        public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
            return noDelay(new Socket(host, port, localHost, localPort));
        }

        @Override
        public Socket createSocket(InetAddress host, int port) throws IOException {
            return noDelay(new Socket(host, port));
        }

        @Override
        public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
                throws IOException {
            return noDelay(new Socket(address, port, localAddress, localPort));
        }
    }

    private static MimeMessage textMessage(Session session, String subject, String text) throws Exception {
        MimeMessage m = new MimeMessage(session);
        m.setFrom(new InternetAddress("sender@client.test"));
        m.setRecipients(Message.RecipientType.TO, "rcpt@example.org");
        m.setSubject(subject);
        m.setSentDate(new Date());
        m.setText(text, "UTF-8");
        return m;
    }

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

    /**
     * {@code count} lines of exactly 30 octets with CRLF. Sent in chunks of 31 octets, successive chunk boundaries
     * move one octet further into a line each time, so within any 30 chunks of the body one boundary falls between
     * a CR and its LF (and every other position): 40 lines are enough.
     */
    private static String fixedLines(int count) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < count; i++) {
            sb.append(String.format("line %04d of chunked content", i)).append("\r\n");
        }
        return sb.toString();
    }

    /** Lines of varying length. */
    private static String lines(int count) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < count; i++) {
            sb.append("line ").append(i).append(" of a message sent in chunks, ").append("z".repeat(i % 50)).append("\r\n");
        }
        return sb.toString();
    }

    @Test
    void messageInManySmallChunks() throws Exception {
        MockEndpoint mock = getMockEndpoint("mock:bdat");
        mock.expectedMessageCount(1);
        Session session = Session.getInstance(props(PORT, 31));
        String text = fixedLines(40);
        assertEquals(30 * 40, text.length());
        String reply = send(session, textMessage(session, "chunked", text), null, null);
        mock.assertIsSatisfied();

        Exchange e = mock.getExchanges().get(0);
        String id = header(e, SmtpServerConstants.MESSAGE_ID);
        assertTrue(id.matches(QUEUE_ID), id);
        assertTrue(reply.startsWith("250 2.0.0 Ok: queued as " + id), reply);
        assertEquals(List.of("rcpt@example.org"), envelopeTo(e));
        assertTrue(receivedHeader(e).contains(" with ESMTP id " + id), receivedHeader(e));
        String body = body(e);
        assertTrue(body.contains("\r\nSubject: chunked\r\n"), body);
        assertTrue(body.endsWith("\r\n\r\n" + text), body.substring(Math.max(0, body.length() - 300)));
    }

    @Test
    void sameMessageByDataWhenChunkingIsOff() throws Exception {
        MockEndpoint mock = getMockEndpoint("mock:data");
        mock.expectedMessageCount(1);
        Session session = Session.getInstance(props(NO_CHUNKING_PORT, 31));
        String text = fixedLines(40);
        send(session, textMessage(session, "by DATA", text), null, null);
        mock.assertIsSatisfied();
        String body = body(mock.getExchanges().get(0));
        assertTrue(body.endsWith("\r\n\r\n" + text), body.substring(Math.max(0, body.length() - 300)));
    }

    @Test
    void binaryAttachmentSpooledAndIntact() throws Exception {
        MockEndpoint mock = getMockEndpoint("mock:bdat");
        mock.expectedMessageCount(1);
        byte[] attachment = new byte[100_000];
        new Random(7).nextBytes(attachment);
        Session session = Session.getInstance(props(PORT, 16_384));
        MimeMessage m = textMessage(session, "attachment", "see attachment");
        MimeBodyPart text = new MimeBodyPart();
        text.setText("see attachment");
        MimeBodyPart file = new MimeBodyPart();
        file.setDataHandler(new DataHandler(new ByteArrayDataSource(attachment, "application/octet-stream")));
        file.setFileName("random.bin");
        m.setContent(new MimeMultipart(text, file));
        send(session, m, null, null);
        mock.assertIsSatisfied();

        byte[] raw = mock.getExchanges().get(0).getIn().getBody(byte[].class);
        MimeMessage parsed = new MimeMessage(null, new ByteArrayInputStream(raw));
        MimeMultipart got = (MimeMultipart) parsed.getContent();
        assertArrayEquals(attachment, got.getBodyPart(1).getInputStream().readAllBytes());
    }

    @Test
    void overMaxMessageSizeGets552() throws Exception {
        MockEndpoint mock = getMockEndpoint("mock:bdat");
        mock.expectedMessageCount(1);
        Session session = Session.getInstance(props(PORT, 8192));
        // Angus sends no SIZE= parameter, so the limit is only found while the chunks stream in
        MimeMessage big = textMessage(session, "too big", lines(MAX_SIZE / 40));
        // Angus reports a refused chunk as an IOException inside a MessagingException
        MessagingException e = assertThrows(MessagingException.class, () -> send(session, big, null, null));
        assertTrue(String.valueOf(e.getNextException()).contains("552 5.3.4 Message size exceeds fixed maximum message size"),
                String.valueOf(e.getNextException()));
        // the next message on a new connection is fine
        send(session, textMessage(session, "small", "small\r\n"), null, null);
        mock.assertIsSatisfied();
        assertTrue(body(mock.getExchanges().get(0)).contains("Subject: small"));
    }

    @Test
    void bdatOverStartTlsWithAuth() throws Exception {
        MockEndpoint mock = getMockEndpoint("mock:bdat");
        mock.expectedMessageCount(1);
        Properties p = props(PORT, 500);
        p.put("mail.smtp.starttls.enable", "true");
        p.put("mail.smtp.starttls.required", "true");
        p.put("mail.smtp.ssl.socketFactory", PeerTls.clientSocketFactory());
        p.put("mail.smtp.ssl.checkserveridentity", "true");
        p.put("mail.smtp.auth", "true");
        Session session = Session.getInstance(p);
        String text = lines(100);
        send(session, textMessage(session, "tls chunks", text), "alice", "secret");
        mock.assertIsSatisfied();

        Exchange e = mock.getExchanges().get(0);
        assertEquals("alice", header(e, SmtpServerConstants.AUTHENTICATED_USER));
        assertEquals("TLSv1.3", header(e, SmtpServerConstants.TLS_PROTOCOL));
        assertTrue(receivedHeader(e).contains(" with ESMTPSA id "), receivedHeader(e));
        assertTrue(body(e).endsWith("\r\n\r\n" + text));
    }

    @Test
    void chunkOctetsAreKeptAsSentEvenDots() throws Exception {
        // Angus 2.0.5 dot-stuffs BDAT content too (its BDATOutputStream extends the DATA stream SMTPOutputStream), a
        // client bug: RFC 3030 chunks are taken octet for octet. The server must not undo it, so the doubled dots
        // arrive. Over DATA the same message arrives as written. Should Angus stop stuffing, expect the text as is.
        String text = "first\r\n.one dot\r\n..two dots\r\n.\r\nlast\r\n";
        String stuffed = "first\r\n..one dot\r\n...two dots\r\n..\r\nlast\r\n";
        MockEndpoint bdat = getMockEndpoint("mock:bdat");
        bdat.expectedMessageCount(1);
        Session session = Session.getInstance(props(PORT, 1024));
        send(session, textMessage(session, "dots", text), null, null);
        bdat.assertIsSatisfied();
        String body = body(bdat.getExchanges().get(0));
        assertTrue(body.endsWith("\r\n\r\n" + stuffed), "BDAT octets as Angus sent them: " + body);

        MockEndpoint data = getMockEndpoint("mock:data");
        data.expectedMessageCount(1);
        Session plain = Session.getInstance(props(NO_CHUNKING_PORT, 1024));
        send(plain, textMessage(plain, "dots", text), null, null);
        data.assertIsSatisfied();
        assertTrue(body(data.getExchanges().get(0)).endsWith("\r\n\r\n" + text), body(data.getExchanges().get(0)));
    }
}

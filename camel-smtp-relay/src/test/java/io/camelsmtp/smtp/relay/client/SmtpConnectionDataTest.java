package io.camelsmtp.smtp.relay.client;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** What DATA puts on the wire: CRLF line endings, dot-stuffing, a final CRLF and the terminating dot. */
class SmtpConnectionDataTest {

    @Test
    void canonicalisesAndStuffs() throws Exception {
        assertEquals("a\r\n..b\r\n.\r\n", wire("a\r\n.b"));
        assertEquals("..\r\nx\r\ny\r\n\r\n..z\r\n.\r\n", wire(".\nx\ry\r\r\n.z\r\n"));
        assertEquals("..lead\r\nplain text\r\n.\r\n", wire(".lead\r\nplain text\r\n"));
        String big = ("line " + "x".repeat(200) + "\n.dot\n").repeat(100);
        assertEquals(big.replace("\n", "\r\n").replace("\r\n.", "\r\n..") + ".\r\n", wire(big));
    }

    private static String wire(String content) throws Exception {
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
        try (ServerSocket server = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            SmtpConnection c = SmtpConnection.open("peer", (java.net.SocketAddress) new InetSocketAddress(server.getInetAddress(), server.getLocalPort()),
                    Duration.ofSeconds(2), timer, null);
            try (Socket accepted = server.accept()) {
                c.timeout(Duration.ofSeconds(2));
                c.writeData(new ByteArrayInputStream(content.getBytes(StandardCharsets.US_ASCII)));
                c.close();
                InputStream in = accepted.getInputStream();
                return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
            }
        } finally {
            timer.shutdownNow();
        }
    }
}

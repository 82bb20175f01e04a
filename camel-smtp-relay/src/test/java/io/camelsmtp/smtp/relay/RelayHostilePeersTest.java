package io.camelsmtp.smtp.relay;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.camelsmtp.smtp.common.DeliveryReport;
import io.camelsmtp.smtp.common.RecipientResult;
import io.camelsmtp.smtp.common.RecipientResult.Status;
import io.camelsmtp.smtp.relay.support.ScriptedPeer;
import org.apache.camel.Exchange;
import org.apache.camel.StreamCache;
import org.apache.camel.test.junit5.CamelTestSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Next hops that attack the relay rather than take mail, each a {@link ScriptedPeer} reached as a smart host: a reply
 * that never ends, one that trickles a byte a second, a 10 MB greeting, silence after the final dot, a TLS handshake
 * that stalls or trickles. Each defers its recipient with a reason that says what happened, in bounded time.
 */
class RelayHostilePeersTest extends CamelTestSupport {

    private static final String FROM = "sender@origin.test";
    private static final String TO = "rcpt@dest.test";

    private final List<ScriptedPeer> peers = new ArrayList<>();

    @AfterEach
    void stopPeers() {
        peers.forEach(ScriptedPeer::close);
    }

    private ScriptedPeer peer(ScriptedPeer.Script script) throws IOException {
        ScriptedPeer p = ScriptedPeer.start(script);
        peers.add(p);
        return p;
    }

    private static String relay(ScriptedPeer peer, String options) {
        return "smtp-relay:127.0.0.1:" + peer.port() + "?heloName=relay.test&connectTimeout=2s&"
               + options;
    }

    private Exchange send(String uri, Object body) {
        return template.send(uri, e -> {
            e.getMessage().setHeader(SmtpRelayConstants.ENVELOPE_FROM, FROM);
            e.getMessage().setHeader(SmtpRelayConstants.ENVELOPE_TO, List.of(TO));
            e.getMessage().setBody(body);
        });
    }

    private static final String MESSAGE = "From: <" + FROM + ">\r\nTo: <" + TO + ">\r\nSubject: hostile\r\n\r\nhello\r\n";

    /** The recipient's result, after checking that the Exchange failed transiently (deferred). */
    private static RecipientResult deferred(Exchange e) {
        SmtpDeliveryException x = assertInstanceOf(SmtpDeliveryException.class, e.getException(),
                () -> "expected a deferral, got " + e.getException());
        assertTrue(x.isTransient(), x::getMessage);
        DeliveryReport report = e.getMessage().getHeader(SmtpRelayConstants.DELIVERY_REPORT, DeliveryReport.class);
        RecipientResult r = report.get(TO);
        assertEquals(Status.DEFERRED, r.getStatus(), r::toString);
        return r;
    }

    private record Timed(RecipientResult result, long millis) {
    }

    /** Sends the message through {@code uri}, expecting a deferral; with the time it took. */
    private Timed deferredAfter(String uri) {
        long t0 = System.nanoTime();
        Exchange e = send(uri, MESSAGE);
        return new Timed(deferred(e), (System.nanoTime() - t0) / 1_000_000);
    }

    /** Greeting, EHLO offering STARTTLS, and 220 to STARTTLS: from here the peer owes a TLS handshake. */
    private static void acceptStartTls(ScriptedPeer.Session s) throws IOException {
        s.send("220 hostile.test ESMTP\r\n");
        s.readLine();
        s.send("250-hostile.test\r\n250 STARTTLS\r\n");
        s.readLine();
        s.send("220 2.0.0 Ready to start TLS\r\n");
    }

    @Test
    void endlessMultiLineReplyDefersAfterTheLineLimit() throws Exception {
        ScriptedPeer p = peer(s -> {
            s.send("220 hostile.test ESMTP\r\n");
            s.readLine();
            byte[] lines = "250-XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX\r\n".repeat(100)
                    .getBytes(StandardCharsets.US_ASCII);
            while (s.alive()) {
                s.send(lines);
            }
        });
        Timed t = deferredAfter(relay(p, "tls=none&commandTimeout=5s"));
        RecipientResult r = t.result();
        assertEquals(451, r.getCode());
        assertEquals("4.4.2", r.getEnhancedStatus());
        assertTrue(r.getText().contains("more than 100 lines"), r::toString);
        assertEquals("127.0.0.1", r.getHost());
        assertTrue(t.millis() < 5000, "took " + t.millis() + " ms");
    }

    /** A greeting of 10 MB in lines of 1000 octets: over the size limit long before the line limit. */
    @Test
    void tenMegabyteGreetingDefersAndSendsNothing() throws Exception {
        ScriptedPeer p = peer(s -> {
            byte[] line = ("220-" + "G".repeat(994) + "\r\n").getBytes(StandardCharsets.US_ASCII);
            ByteArrayOutputStream chunk = new ByteArrayOutputStream();
            for (int i = 0; i < 64; i++) {
                chunk.write(line);
            }
            for (int i = 0; i < 10 * 1024 * 1024 / chunk.size(); i++) {
                s.send(chunk.toByteArray());
            }
            s.send("220 hostile.test ESMTP\r\n");
            s.serveMail();
        });
        Exchange e = send(relay(p, "tls=none&commandTimeout=5s"), MESSAGE);
        RecipientResult r = deferred(e);
        assertEquals("4.4.2", r.getEnhancedStatus());
        assertTrue(r.getText().contains("longer than 65536 octets"), r::toString);
        assertFalse(p.lines().stream().anyMatch(l -> l.startsWith("MAIL")), "no transaction: " + p.lines());
    }

    /**
     * One octet a second: every read gets something within commandTimeout (5 s), so only the attempt's deadline
     * (maxAttemptTime=2s) ends it. The peer gives up after 20 s by itself.
     */
    @Test
    void greetingTrickledAByteASecondEndsAtMaxAttemptTime() throws Exception {
        ScriptedPeer p = peer(s -> s.trickle("220-slow".getBytes(StandardCharsets.US_ASCII), Duration.ofSeconds(1)));
        Timed t = deferredAfter(relay(p, "tls=none&commandTimeout=5s&maxAttemptTime=2s"));
        assertEquals("4.4.2", t.result().getEnhancedStatus());
        assertTrue(t.result().getText().contains("took longer than maxAttemptTime (2 s)"), t.result()::toString);
        assertTrue(t.millis() >= 1900 && t.millis() < 4500, "maxAttemptTime=2s, took " + t.millis() + " ms");
    }

    /** The attempt's deadline covers the whole session: here a transaction whose replies trickle in. */
    @Test
    void repliesTrickledDuringTheTransactionEndAtMaxAttemptTime() throws Exception {
        ScriptedPeer p = peer(s -> {
            s.send("220 hostile.test ESMTP\r\n");
            s.readLine();
            s.send("250 hostile.test\r\n");
            s.readLine();
            s.trickle("250-ok\r\n".getBytes(StandardCharsets.US_ASCII), Duration.ofMillis(400));
        });
        Timed t = deferredAfter(relay(p, "tls=none&commandTimeout=5s&maxAttemptTime=2s"));
        assertTrue(t.result().getText().contains("maxAttemptTime"), t.result()::toString);
        assertTrue(t.millis() < 4500, "maxAttemptTime=2s, took " + t.millis() + " ms");
    }

    @Test
    void aMalformedReplyToTheFinalDotIsNeverTakenForItsLastLine() throws Exception {
        // "45100" is no reply line (no space or hyphen after the code); the lenient reader took it for a continuation
        // and returned the next line's 250: a deferral became a delivery (found by ReplyFuzzTest)
        ScriptedPeer p = peer(s -> {
            s.send("220 hostile.test ESMTP\r\n");
            String line;
            while ((line = s.readLine()) != null) {
                if (line.startsWith("DATA")) {
                    s.send("354 go ahead\r\n");
                    while ((line = s.readLine()) != null && !line.equals(".")) {
                        // the content
                    }
                    s.send("45100\r\n250 2.0.0 queued\r\n");
                    s.silence();
                    return;
                }
                s.send("250 ok\r\n");
            }
        });
        Timed t = deferredAfter(relay(p, "tls=none&commandTimeout=5s&dataTimeout=5s"));
        assertTrue(t.result().getText().contains("Malformed reply"), t.result()::toString);
    }

    @Test
    void aReplyWhoseLinesDisagreeOnTheCodeIsMalformed() throws Exception {
        ScriptedPeer p = peer(s -> {
            s.send("220 hostile.test ESMTP\r\n");
            String line;
            while ((line = s.readLine()) != null) {
                if (line.startsWith("RCPT")) {
                    s.send("550-5.1.1 no such user\r\n250 2.1.5 ok\r\n");
                } else {
                    s.send("250 ok\r\n");
                }
            }
        });
        Timed t = deferredAfter(relay(p, "tls=none&commandTimeout=5s"));
        assertTrue(t.result().getText().contains("Malformed reply"), t.result()::toString);
    }

    @Test
    void noReplyAfterTheFinalDotDefersAfterTheDataTimeout() throws Exception {
        ScriptedPeer p = peer(s -> {
            s.send("220 hostile.test ESMTP\r\n");
            String line;
            while ((line = s.readLine()) != null) {
                if (line.startsWith("DATA")) {
                    s.send("354 go ahead\r\n");
                    while ((line = s.readLine()) != null && !line.equals(".")) {
                        // the content
                    }
                    s.silence();
                    return;
                }
                s.send("250 ok\r\n");
            }
        });
        Timed t = deferredAfter(relay(p, "tls=none&commandTimeout=5s&dataTimeout=1s"));
        assertEquals("4.4.2", t.result().getEnhancedStatus());
        assertTrue(t.result().getText().contains("timed out"), t.result()::toString);
        assertTrue(t.millis() >= 900 && t.millis() < 4000, "dataTimeout=1s, took " + t.millis() + " ms");
    }

    /** STARTTLS accepted, then not a byte: the handshake's read times out after commandTimeout. */
    @Test
    void stalledTlsHandshakeDefers() throws Exception {
        ScriptedPeer p = peer(s -> {
            acceptStartTls(s);
            s.silence();
        });
        Timed t = deferredAfter(relay(p, "tls=required&commandTimeout=1s"));
        assertEquals(451, t.result().getCode());
        assertEquals("4.7.5", t.result().getEnhancedStatus());
        assertTrue(t.result().getText().contains("TLS handshake with 127.0.0.1"), t.result()::toString);
        assertTrue(t.millis() < 4000, "commandTimeout=1s, took " + t.millis() + " ms");
    }

    /**
     * STARTTLS accepted, then a TLS record header announcing 16 KB and one octet of it a second: the handshake never
     * times out read by read. The deadline ends it, and (opportunistic TLS) no plaintext retry follows, since the
     * attempt's time is up.
     */
    @Test
    void tricklingTlsHandshakeEndsAtMaxAttemptTime() throws Exception {
        ScriptedPeer p = peer(s -> {
            acceptStartTls(s);
            s.send(new byte[] { 0x16, 0x03, 0x03, 0x40, 0x00, 0x02 }); // handshake record of 16 KB: ServerHello
            s.trickle(new byte[] { 0x00 }, Duration.ofSeconds(1));
        });
        Timed t = deferredAfter(relay(p, "tls=opportunistic&commandTimeout=5s&maxAttemptTime=2s"));
        assertEquals("4.4.2", t.result().getEnhancedStatus());
        assertTrue(t.result().getText().contains("maxAttemptTime"), t.result()::toString);
        assertTrue(t.millis() < 4500, "maxAttemptTime=2s, took " + t.millis() + " ms");
        assertEquals(1, p.connections(), "no second connection after the deadline");
    }

    /**
     * Whatever an attempt throws, an Error included, defers its recipients: here the message's own content fails
     * with an OutOfMemoryError in the middle of DATA. The session is dropped, not kept, and the next message goes
     * through.
     */
    @Test
    void errorDuringTheAttemptDefersAndTheNextMessageIsDelivered() throws Exception {
        ScriptedPeer p = peer(s -> {
            s.send("220 quiet.test ESMTP\r\n");
            s.serveMail();
        });
        String uri = relay(p, "tls=none&commandTimeout=5s");
        Exchange e = send(uri, new FailingContent(MESSAGE.getBytes(StandardCharsets.US_ASCII)));
        RecipientResult r = deferred(e);
        assertEquals(451, r.getCode());
        assertEquals("4.3.0", r.getEnhancedStatus());
        assertTrue(r.getText().contains("OutOfMemoryError: simulated"), r::toString);
        assertFalse(p.lines().contains("."), "the message was not ended: " + p.lines());

        Exchange next = send(uri, MESSAGE);
        assertNull(next.getException());
        assertTrue(p.lines().contains("."), "delivered: " + p.lines());
        assertEquals(2, p.connections(), "the broken session was not kept");
    }

    /**
     * A message body (a stream cache, as smtp-server hands over) that reads fine the first time, when the relay
     * inspects it, and throws an OutOfMemoryError the second, in the middle of DATA.
     */
    private static final class FailingContent extends InputStream implements StreamCache {

        private final byte[] bytes;
        private int position;
        private int passes;

        FailingContent(byte[] bytes) {
            this.bytes = bytes;
        }

        @Override
        public int read() {
            if (passes >= 2 && position > 10) {
                throw new OutOfMemoryError("simulated");
            }
            return position < bytes.length ? bytes[position++] & 0xff : -1;
        }

        @Override
        public void reset() {
            position = 0;
            passes++;
        }

        @Override
        public void writeTo(OutputStream os) throws IOException {
            os.write(bytes);
        }

        @Override
        public StreamCache copy(Exchange exchange) {
            return new FailingContent(bytes);
        }

        @Override
        public boolean inMemory() {
            return true;
        }

        @Override
        public long length() {
            return bytes.length;
        }

        @Override
        public long position() {
            return position;
        }
    }
}

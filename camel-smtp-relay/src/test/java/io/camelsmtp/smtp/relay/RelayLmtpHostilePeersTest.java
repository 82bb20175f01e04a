package io.camelsmtp.smtp.relay;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import io.camelsmtp.smtp.common.DeliveryReport;
import io.camelsmtp.smtp.common.RecipientResult;
import io.camelsmtp.smtp.common.RecipientResult.Status;
import io.camelsmtp.smtp.relay.support.ScriptedLmtpPeer;
import org.apache.camel.Exchange;
import org.apache.camel.ResolveEndpointFailedException;
import org.apache.camel.test.junit5.CamelTestSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code smtp-relay:lmtp:...} against LMTP peers that misbehave after the data, over TCP and over a Unix-domain
 * socket: each recipient is decided by its own reply (RFC 2033 §4.2), a recipient counts as delivered only when its
 * own 2xx arrived, and whatever the peer does (fewer replies than recipients, a hang-up or silence mid-replies, a
 * malformed reply, a reply after the time-out, more replies than asked for, an SMTP server's single reply) every
 * recipient gets a definite outcome in bounded time, the undecided ones deferred.
 */
class RelayLmtpHostilePeersTest extends CamelTestSupport {

    private static final String FROM = "sender@origin.test";
    private static final String MESSAGE = "From: <" + FROM + ">\r\nSubject: lmtp\r\n\r\nhello\r\n";

    @TempDir
    Path tmp;

    private final List<ScriptedLmtpPeer> peers = new ArrayList<>();

    @AfterEach
    void stopPeers() {
        peers.forEach(ScriptedLmtpPeer::close);
    }

    private ScriptedLmtpPeer peer(String transport, ScriptedLmtpPeer.Script script) throws IOException {
        ScriptedLmtpPeer p = "unix".equals(transport) ? ScriptedLmtpPeer.unix(tmp.resolve("lmtp.sock"), script)
                : ScriptedLmtpPeer.tcp(script);
        peers.add(p);
        return p;
    }

    private static String relay(ScriptedLmtpPeer peer, String options) throws IOException {
        return "smtp-relay:" + peer.destination() + "?heloName=relay.test&connectTimeout=2s&commandTimeout=5s&" + options;
    }

    private Exchange send(String uri, String... to) {
        return template.send(uri, e -> {
            e.getMessage().setHeader(SmtpRelayConstants.ENVELOPE_FROM, FROM);
            e.getMessage().setHeader(SmtpRelayConstants.ENVELOPE_TO, List.of(to));
            e.getMessage().setBody(MESSAGE);
        });
    }

    private static DeliveryReport report(Exchange e) {
        return e.getMessage().getHeader(SmtpRelayConstants.DELIVERY_REPORT, DeliveryReport.class);
    }

    private static RecipientResult result(Exchange e, String rcpt, Status status, int code) {
        RecipientResult r = report(e).get(rcpt);
        assertEquals(status, r.getStatus(), r::toString);
        assertEquals(code, r.getCode(), r::toString);
        return r;
    }

    @ParameterizedTest
    @ValueSource(strings = { "tcp", "unix" })
    void eachRecipientIsDecidedByItsOwnReplyAfterTheData(String transport) throws Exception {
        ScriptedLmtpPeer p = peer(transport, s -> {
            if (s.upToTheDot() == 2) {
                s.send("250 2.0.0 <a@dest.test> Saved\r\n452 4.2.2 <b@dest.test> Quota exceeded\r\n");
            }
            s.silence();
        });
        Exchange e = send(relay(p, "dataTimeout=5s"), "a@dest.test", "b@dest.test", "refuse@dest.test");
        SmtpDeliveryException x = assertInstanceOf(SmtpDeliveryException.class, e.getException());
        assertTrue(x.isTransient(), x::getMessage);
        RecipientResult a = result(e, "a@dest.test", Status.DELIVERED, 250);
        RecipientResult b = result(e, "b@dest.test", Status.DEFERRED, 452);
        assertEquals("4.2.2", b.getEnhancedStatus());
        assertTrue(b.getText().contains("Quota exceeded"), b::toString);
        result(e, "refuse@dest.test", Status.FAILED, 550);
        assertEquals("unix".equals(transport) ? tmp.resolve("lmtp.sock").toString() : "127.0.0.1", a.getAddress());
        // the envelope shrinks to the deferred recipient, so a retry sends to b alone
        assertEquals(List.of("b@dest.test"), e.getMessage().getHeader(SmtpRelayConstants.ENVELOPE_TO, List.class));
        List<String> lines = p.lines();
        assertTrue(lines.contains("LHLO relay.test"), lines::toString);
        assertTrue(lines.stream().noneMatch(l -> l.startsWith("EHLO") || l.startsWith("HELO")), lines::toString);
        assertEquals(1, lines.stream().filter("DATA"::equals).count(), lines::toString);
    }

    @ParameterizedTest
    @ValueSource(strings = { "tcp", "unix" })
    void aHangUpMidRepliesDefersTheRecipientsNotYetAnswered(String transport) throws Exception {
        ScriptedLmtpPeer p = peer(transport, s -> {
            if (s.upToTheDot() == 3) {
                s.send("250 2.0.0 <a@dest.test> Saved\r\n");
                s.hangUp();
            }
        });
        Exchange e = send(relay(p, "dataTimeout=5s"), "a@dest.test", "b@dest.test", "c@dest.test");
        result(e, "a@dest.test", Status.DELIVERED, 250);
        for (String r : List.of("b@dest.test", "c@dest.test")) {
            RecipientResult res = result(e, r, Status.DEFERRED, 451);
            assertEquals("4.4.2", res.getEnhancedStatus());
            assertTrue(res.getText().contains("before this recipient's LMTP reply"), res::toString);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = { "tcp", "unix" })
    void fewerRepliesThanRecipientsDefersTheRestAfterTheDataTimeout(String transport) throws Exception {
        ScriptedLmtpPeer p = peer(transport, s -> {
            if (s.upToTheDot() == 2) {
                s.send("250 2.0.0 <a@dest.test> Saved\r\n");
            }
            s.silence();
        });
        long t0 = System.nanoTime();
        Exchange e = send(relay(p, "dataTimeout=1s"), "a@dest.test", "b@dest.test");
        long millis = (System.nanoTime() - t0) / 1_000_000;
        result(e, "a@dest.test", Status.DELIVERED, 250);
        RecipientResult b = result(e, "b@dest.test", Status.DEFERRED, 451);
        assertTrue(b.getText().contains("timed out"), b::toString);
        assertTrue(millis >= 900 && millis < 4000, "dataTimeout=1s, took " + millis + " ms");
    }

    @ParameterizedTest
    @ValueSource(strings = { "tcp", "unix" })
    void aMalformedReplyDefersItsRecipientAndEveryOneAfterIt(String transport) throws Exception {
        ScriptedLmtpPeer p = peer(transport, s -> {
            if (s.upToTheDot() == 3) {
                // "25O" is no reply: it must not pass for b's 250, nor shift the next 250 onto b
                s.send("250 2.0.0 Saved\r\n25O 2.0.0 Saved\r\n250 2.0.0 Saved\r\n");
            }
            s.silence();
        });
        Exchange e = send(relay(p, "dataTimeout=5s"), "a@dest.test", "b@dest.test", "c@dest.test");
        result(e, "a@dest.test", Status.DELIVERED, 250);
        for (String r : List.of("b@dest.test", "c@dest.test")) {
            assertTrue(result(e, r, Status.DEFERRED, 451).getText().contains("Malformed reply"), r);
        }
    }

    @Test
    void anSmtpServerThatRefusesLhloIsNotSpokenToInSmtp() throws Exception {
        ScriptedLmtpPeer p = peer("tcp", s -> {
            s.send("220 mx.test ESMTP\r\n");
            String line;
            while ((line = s.readLine()) != null) {
                s.send(line.startsWith("EHLO") || line.startsWith("HELO") ? "250 mx.test\r\n" : "500 5.5.1 Unknown command\r\n");
            }
        });
        Exchange e = send(relay(p, "dataTimeout=5s"), "a@dest.test");
        RecipientResult a = result(e, "a@dest.test", Status.DEFERRED, 451);
        assertTrue(a.getText().contains("refused LHLO"), a::toString);
        assertTrue(p.lines().stream().noneMatch(l -> l.startsWith("EHLO") || l.startsWith("HELO")), p.lines()::toString);
    }

    @Test
    void anSmtpServerAnsweringLhloGivesOneReplyAndOnlyTheFirstRecipientCounts() throws Exception {
        // an SMTP server that takes LHLO for EHLO answers the dot once: that answers the first recipient only
        ScriptedLmtpPeer p = peer("tcp", s -> {
            if (s.upToTheDot("250-mx.test\r\n250 PIPELINING\r\n") == 2) {
                s.send("250 2.0.0 Ok: queued as 1234\r\n");
            }
            s.silence();
        });
        Exchange e = send(relay(p, "dataTimeout=1s"), "a@dest.test", "b@dest.test");
        result(e, "a@dest.test", Status.DELIVERED, 250);
        result(e, "b@dest.test", Status.DEFERRED, 451);
    }

    @Test
    void aReplyAfterTheTimeOutIsNeverReadAsAnotherAnswer() throws Exception {
        ScriptedLmtpPeer p = peer("tcp", s -> {
            int accepted = s.upToTheDot();
            if (accepted == 2) {
                s.send("250 2.0.0 <a@dest.test> Saved\r\n");
                Thread.sleep(1500);
                s.send("250 2.0.0 <b@dest.test> Saved late\r\n");
                s.silence();
            } else if (accepted > 0) {
                s.send("250 2.0.0 Saved\r\n".repeat(accepted));
                s.silence();
            }
        });
        String uri = relay(p, "dataTimeout=1s");
        Exchange e = send(uri, "a@dest.test", "b@dest.test");
        result(e, "a@dest.test", Status.DELIVERED, 250);
        result(e, "b@dest.test", Status.DEFERRED, 451);
        // the retry of b goes over a new connection: the late 250 stays on the old one
        Exchange retry = send(uri, "b@dest.test");
        assertNull(retry.getException());
        assertEquals(2, p.connections());
    }

    @Test
    void moreRepliesThanRecipientsKeepTheSessionFromBeingUsedAgain() throws Exception {
        ScriptedLmtpPeer p = peer("tcp", s -> {
            int accepted;
            while ((accepted = s.upToTheDot()) > 0) {
                s.send("250 2.0.0 Saved\r\n".repeat(accepted + 1)); // one too many
            }
        });
        String uri = relay(p, "dataTimeout=5s");
        Exchange first = send(uri, "a@dest.test");
        assertNull(first.getException());
        Exchange second = send(uri, "b@dest.test");
        assertNull(second.getException());
        assertEquals(2, p.connections(), "the out-of-step session was not kept");
    }

    @Test
    void aWellBehavedSessionIsKeptForTheNextMessage() throws Exception {
        ScriptedLmtpPeer p = peer("unix", s -> {
            int accepted;
            while ((accepted = s.upToTheDot()) > 0) {
                s.send("250 2.0.0 Saved\r\n".repeat(accepted));
            }
        });
        String uri = relay(p, "dataTimeout=5s");
        assertNull(send(uri, "a@dest.test", "b@dest.test").getException());
        assertNull(send(uri, "c@dest.test").getException());
        assertEquals(1, p.connections());
        assertTrue(p.lines().contains("RSET"), p.lines()::toString);
    }

    @Test
    void repliesTrickledOverAUnixSocketEndAtMaxAttemptTime() throws Exception {
        ScriptedLmtpPeer p = peer("unix", s -> {
            if (s.upToTheDot() == 1) {
                while (s.alive()) {
                    s.send("2");
                    Thread.sleep(200);
                }
            }
        });
        long t0 = System.nanoTime();
        Exchange e = send(relay(p, "dataTimeout=5s&maxAttemptTime=2s"), "a@dest.test");
        long millis = (System.nanoTime() - t0) / 1_000_000;
        RecipientResult a = result(e, "a@dest.test", Status.DEFERRED, 451);
        assertTrue(a.getText().contains("maxAttemptTime"), a::toString);
        assertTrue(millis < 4500, "maxAttemptTime=2s, took " + millis + " ms");
    }

    @Test
    void noSocketThereDefers() {
        Exchange e = send("smtp-relay:lmtp:" + tmp.resolve("absent.sock") + "?connectTimeout=1s", "a@dest.test");
        RecipientResult a = result(e, "a@dest.test", Status.DEFERRED, 451);
        assertEquals("4.4.1", a.getEnhancedStatus());
        assertTrue(a.getText().contains("absent.sock"), a::toString);
    }

    @Test
    void anLmtpDestinationNeedsAPortOrASocketPath() {
        for (String uri : List.of("smtp-relay:lmtp:localhost", "smtp-relay:lmtp:")) {
            Exception x = assertThrows(ResolveEndpointFailedException.class, () -> context.getEndpoint(uri));
            assertTrue(String.valueOf(x.getCause()).contains("lmtp"), x::toString);
        }
        SmtpRelayEndpoint tcp = context.getEndpoint("smtp-relay:lmtp:[::1]:24", SmtpRelayEndpoint.class);
        assertTrue(tcp.isLmtp());
        assertNull(tcp.lmtpSocket());
        assertEquals("::1", tcp.smartHost());
        assertEquals(24, tcp.smartHostPort());
        SmtpRelayEndpoint unix = context.getEndpoint("smtp-relay:lmtp:/run/dovecot/lmtp", SmtpRelayEndpoint.class);
        assertEquals("/run/dovecot/lmtp", unix.lmtpSocket());
        assertFalse(context.getEndpoint("smtp-relay:lmtp.example.test:24", SmtpRelayEndpoint.class).isLmtp());
    }
}

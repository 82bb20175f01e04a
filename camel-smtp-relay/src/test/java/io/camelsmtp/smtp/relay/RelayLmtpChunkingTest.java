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
import org.apache.camel.test.junit5.CamelTestSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * CHUNKING (RFC 3030) over LMTP, against a scripted peer that offers it: the content goes as one
 * {@code BDAT <n> LAST} with exactly n octets of canonical CRLF lines, not dot-stuffed; the replies after the last
 * chunk decide each accepted recipient as after the dot (RFC 2033 §4.2), a missing one deferred; nothing is sent
 * when no recipient is left, and {@code chunking=false} keeps DATA.
 */
class RelayLmtpChunkingTest extends CamelTestSupport {

    private static final String FROM = "sender@origin.test";
    private static final String LHLO = "250-lmtp.test\r\n250-PIPELINING\r\n250-CHUNKING\r\n250 ENHANCEDSTATUSCODES\r\n";
    /** Bare LF and CR, lines starting with a dot, no final line ending: all must arrive canonical and unstuffed. */
    private static final String MESSAGE = "From: <" + FROM + ">\nSubject: chunk\r\n\r\n.leading dot\r..\rlast line";
    private static final String CANONICAL = "From: <" + FROM + ">\r\nSubject: chunk\r\n\r\n.leading dot\r\n..\r\nlast line\r\n";

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

    private Exchange send(ScriptedLmtpPeer peer, String options, String... to) throws IOException {
        String uri = "smtp-relay:" + peer.destination() + "?heloName=relay.test&connectTimeout=2s&commandTimeout=5s"
                + "&dataTimeout=3s" + options;
        return template.send(uri, e -> {
            e.getMessage().setHeader(SmtpRelayConstants.ENVELOPE_FROM, FROM);
            e.getMessage().setHeader(SmtpRelayConstants.ENVELOPE_TO, List.of(to));
            e.getMessage().setBody(MESSAGE);
        });
    }

    private static RecipientResult result(Exchange e, String rcpt, Status status, int code) {
        RecipientResult r = e.getMessage().getHeader(SmtpRelayConstants.DELIVERY_REPORT, DeliveryReport.class).get(rcpt);
        assertEquals(status, r.getStatus(), r::toString);
        assertEquals(code, r.getCode(), r::toString);
        return r;
    }

    @ParameterizedTest
    @ValueSource(strings = { "tcp", "unix" })
    void theLastChunkIsAnsweredPerRecipientAndAMissingReplyDefers(String transport) throws Exception {
        ScriptedLmtpPeer p = peer(transport, s -> {
            if (s.upToTheDot(LHLO) == 3) {
                s.send("250 2.0.0 <a@dest.test> Saved\r\n452 4.2.2 <b@dest.test> Quota exceeded\r\n");
                s.hangUp(); // c's reply never comes
            }
        });
        Exchange e = send(p, "", "a@dest.test", "b@dest.test", "c@dest.test", "refuse@dest.test");
        result(e, "a@dest.test", Status.DELIVERED, 250);
        assertEquals("4.2.2", result(e, "b@dest.test", Status.DEFERRED, 452).getEnhancedStatus());
        assertTrue(result(e, "c@dest.test", Status.DEFERRED, 451).getText()
                .contains("before this recipient's LMTP reply"));
        result(e, "refuse@dest.test", Status.FAILED, 550);
        List<String> lines = p.lines();
        assertTrue(lines.contains("BDAT " + CANONICAL.length() + " LAST"), lines::toString);
        assertTrue(lines.stream().noneMatch("DATA"::equals), lines::toString);
        assertEquals(List.of(CANONICAL), p.chunks());
    }

    @Test
    void withChunkingOffTheContentGoesWithDataDotStuffed() throws Exception {
        ScriptedLmtpPeer p = peer("tcp", s -> {
            if (s.upToTheDot(LHLO) == 1) {
                s.send("250 2.0.0 <a@dest.test> Saved\r\n");
            }
            s.silence();
        });
        Exchange e = send(p, "&chunking=false", "a@dest.test");
        result(e, "a@dest.test", Status.DELIVERED, 250);
        List<String> lines = p.lines();
        assertTrue(lines.contains("DATA") && lines.contains("..leading dot") && lines.contains("..."), lines::toString);
        assertTrue(lines.stream().noneMatch(l -> l.startsWith("BDAT")), lines::toString);
        assertTrue(p.chunks().isEmpty());
    }

    @Test
    void noChunkIsSentWhenEveryRecipientIsRefusedAndTheSessionIsReset() throws Exception {
        ScriptedLmtpPeer p = peer("tcp", s -> {
            s.upToTheDot(LHLO);
            s.silence();
        });
        Exchange e = send(p, "", "refuse1@dest.test", "refuse2@dest.test");
        result(e, "refuse1@dest.test", Status.FAILED, 550);
        result(e, "refuse2@dest.test", Status.FAILED, 550);
        List<String> lines = p.lines();
        assertTrue(lines.contains("RSET"), lines::toString);
        assertTrue(lines.stream().noneMatch(l -> l.startsWith("BDAT") || l.equals("DATA")), lines::toString);
    }

    @Test
    void aRefusedChunkDecidesEveryRecipientBySingleRepliesUnderLmtpToo() throws Exception {
        // a broken server that answers BDAT LAST once for two recipients: the first reply decides the first
        // recipient, the second waits for its own reply, which never comes, and is deferred
        ScriptedLmtpPeer p = peer("tcp", s -> {
            if (s.upToTheDot(LHLO) == 2) {
                s.send("552 5.3.4 Message too big\r\n");
            }
            s.silence();
        });
        Exchange e = send(p, "", "a@dest.test", "b@dest.test");
        result(e, "a@dest.test", Status.FAILED, 552);
        result(e, "b@dest.test", Status.DEFERRED, 451);
    }
}

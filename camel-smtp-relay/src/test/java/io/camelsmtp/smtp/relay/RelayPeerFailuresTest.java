package io.camelsmtp.smtp.relay;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;

import io.camelsmtp.smtp.common.RecipientResult;
import io.camelsmtp.smtp.common.RecipientResult.Status;
import io.camelsmtp.smtp.relay.testbed.PeerTestSupport;
import io.camelsmtp.smtp.relay.testbed.Testbed;
import org.apache.camel.Exchange;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Receivers that misbehave, each a real smtp-sink (or a socket nobody answers): temporary and permanent refusals,
 * connections dropped during and after DATA, a host that never greets, a 421 greeting, refused and timed-out
 * connections. Timeouts are 1 s.
 */
class RelayPeerFailuresTest extends PeerTestSupport {

    private static final String SENDER = "sender@origin.test";

    @Test
    void temporaryRefusalOfRecipientDefers() {
        String to = rcpt("tempfail.test");
        Exchange e = send("direct:relay", SENDER, to);
        assertEquals(List.of(to), failure(e, true).getPendingRecipients());
        RecipientResult r = assertResult(report(e), to, Status.DEFERRED, 451, "4.3.0");
        assertEquals("mx.tempfail.test", r.getHost());
        assertEquals("127.0.0.11", r.getAddress());
        assertEquals("Try again later", r.getText());
        assertEquals(List.of(to), e.getMessage().getHeader(SmtpRelayConstants.ENVELOPE_TO, List.class));
    }

    @Test
    void permanentRefusalOfRecipientFails() {
        String to = rcpt("reject.test");
        Exchange e = send("direct:relay", SENDER, to);
        assertTrue(failure(e, false).getPendingRecipients().isEmpty());
        RecipientResult r = assertResult(report(e), to, Status.FAILED, 550, "5.1.1");
        assertEquals("mx.reject.test", r.getHost());
        assertEquals("No such user", r.getText());
        assertEquals(List.of(), e.getMessage().getHeader(SmtpRelayConstants.ENVELOPE_TO, List.class),
                "nothing left to retry");
    }

    /**
     * smtp-sink -A 0 answers DATA with 354, then at once sends {@code 550 This violates SMTP} and closes without reading
     * the content. A small message fits in the socket buffers, so the relay finishes writing and then reads that 550 as
     * the reply to its final dot: a permanent refusal (Postfix's client reads it the same way), nothing delivered.
     */
    @Test
    void smallMessageRefusedInTheMiddleOfDataFails() {
        String to = rcpt("dropdata.test");
        Exchange e = send("direct:relay", SENDER, to);
        failure(e, false);
        RecipientResult r = assertResult(report(e), to, Status.FAILED, 550, null);
        assertEquals("This violates SMTP", r.getText());
        assertEquals("mx.dropdata.test", r.getHost());
    }

    /** A message far larger than the socket buffers is still being written when the sink closes: connection lost. */
    @Test
    void largeMessageCutOffInTheMiddleOfDataDefers() {
        String to = rcpt("dropdata.test");
        String line = "x".repeat(998) + "\r\n";
        Exchange e = sendPadded("direct:relay", line.repeat(8000), SENDER, to);
        failure(e, true);
        RecipientResult r = assertResult(report(e), to, Status.DEFERRED, 451, "4.4.2");
        assertTrue(r.getText().contains("lost"), r::toString);
    }

    /**
     * smtp-sink -A 4 answers DATA with 354 and then reads nothing for 4 s: once the socket buffers are full, every write
     * blocks. A real peer may keep that up for ever; the relay should give up after about dataTimeout (1 s here).
     */
    @Test
    void peerThatStopsReadingDuringDataDefersWithinTheDataTimeout() {
        String to = rcpt("stall.test");
        long t0 = System.nanoTime();
        Exchange e = sendPadded("direct:relay", ("x".repeat(998) + "\r\n").repeat(8000), SENDER, to);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        failure(e, true);
        assertResult(report(e), to, Status.DEFERRED, 451, "4.4.2");
        assertTrue(ms < 3000, "dataTimeout=1s, took " + ms + " ms (the sink stalls for 4 s)");
    }

    /** The sink may have kept the message: deferring risks a duplicate, never a loss (RFC 5321 §4.1.1.4, RFC 1047). */
    @Test
    void connectionDroppedAfterTheFinalDotDefers() {
        String to = rcpt("dropdot.test");
        Exchange e = send("direct:relay", SENDER, to);
        failure(e, true);
        RecipientResult r = assertResult(report(e), to, Status.DEFERRED, 451, "4.4.2");
        assertEquals("mx.dropdot.test", r.getHost());
    }

    @Test
    void hostThatNeverGreetsDefersAfterTheCommandTimeout() {
        String to = rcpt("silent.test");
        long t0 = System.nanoTime();
        Exchange e = send("direct:relay", SENDER, to);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        failure(e, true);
        RecipientResult r = assertResult(report(e), to, Status.DEFERRED, 451, "4.4.2");
        assertEquals("127.0.0.15", r.getAddress());
        assertTrue(ms >= 900 && ms < 3000, "commandTimeout=1s, took " + ms + " ms");
    }

    @Test
    void greeting421Defers() {
        String to = rcpt("busy.test");
        Exchange e = send("direct:relay", SENDER, to);
        failure(e, true);
        RecipientResult r = assertResult(report(e), to, Status.DEFERRED, 421, "4.0.0");
        assertEquals("mx.busy.test", r.getHost());
    }

    @Test
    void greeting421MovesOnToTheNextMx() throws Exception {
        String to = rcpt("busyprimary.test");
        RecipientResult r = delivered(send("direct:relay", SENDER, to), to);
        assertEquals("mx3.multi.test", r.getHost());
        assertEquals(1, dumpedEventually("mx3", to, 1).size());
    }

    @Test
    void refusedConnectionDefers() {
        String to = rcpt("refused.test");
        Exchange e = send("direct:relay", SENDER, to);
        failure(e, true);
        RecipientResult r = assertResult(report(e), to, Status.DEFERRED, 451, "4.4.1");
        assertEquals("mx.refused.test", r.getHost());
        assertEquals("127.0.0.18", r.getAddress());
    }

    /** A listener whose accept queue is full: the kernel drops the SYN and connect() times out. */
    @Test
    void connectTimeoutDefers() throws Exception {
        Testbed.ensureFree("127.0.0.19", 25);
        InetAddress blackhole = InetAddress.getByName("127.0.0.19");
        try (ServerSocket listener = new ServerSocket(25, 1, blackhole);
             Socket filler1 = new Socket(blackhole, 25);
             Socket filler2 = new Socket(blackhole, 25)) {
            String to = rcpt("blackhole.test");
            long t0 = System.nanoTime();
            Exchange e = send("direct:relay", SENDER, to);
            long ms = (System.nanoTime() - t0) / 1_000_000;
            failure(e, true);
            RecipientResult r = assertResult(report(e), to, Status.DEFERRED, 451, "4.4.1");
            assertTrue(r.getText().contains("timed out"), r::toString);
            assertTrue(ms >= 900 && ms < 3000, "connectTimeout=1s, took " + ms + " ms");
        }
    }
}

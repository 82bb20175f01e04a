package io.camelsmtp.smtp.relay;

import java.util.ArrayList;
import java.util.List;

import io.camelsmtp.smtp.common.RecipientResult;
import io.camelsmtp.smtp.common.RecipientResult.Status;
import io.camelsmtp.smtp.relay.testbed.PeerTestSupport;
import org.apache.camel.Exchange;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a real receiver sees of the envelope, read from smtp-sink's dumps ({@code X-Mail-Args:}, {@code X-Rcpt-Args:}):
 * the null reverse-path, DSN parameters, and the SMTPUTF8 check against a peer that does not offer it. smtp-sink offers
 * PIPELINING, 8BITMIME, ENHANCEDSTATUSCODES and DSN, but neither SIZE nor SMTPUTF8.
 */
class RelayEnvelopeTest extends PeerTestSupport {

    private static final String SENDER = "sender@origin.test";

    @Test
    void nullReversePathForBounces() throws Exception {
        String to = rcpt("multi.test");
        delivered(send("direct:relay", "", to), to);
        String dump = dumpedEventually("mx1", to, 1).get(0);
        assertTrue(dump.contains("X-Mail-Args: <>\n"), dump);
    }

    @Test
    void dsnParametersReachThePeerAndFollowThePendingRecipients() throws Exception {
        String ok = rcpt("multi.test");
        String later = rcpt("tempfail.test");
        Exchange e = template.send("direct:relay", x -> {
            x.getMessage().setHeader(SmtpRelayConstants.ENVELOPE_FROM, SENDER);
            x.getMessage().setHeader(SmtpRelayConstants.ENVELOPE_TO, new ArrayList<>(List.of(ok, later)));
            x.getMessage().setHeader(SmtpRelayConstants.DSN_NOTIFY, new ArrayList<>(List.of("SUCCESS,FAILURE", "DELAY")));
            x.getMessage().setHeader(SmtpRelayConstants.DSN_ORCPT,
                    new ArrayList<>(List.of("rfc822;first+1@origin.test", "rfc822;second@origin.test")));
            x.getMessage().setHeader(SmtpRelayConstants.DSN_RET, "HDRS");
            x.getMessage().setHeader(SmtpRelayConstants.DSN_ENVID, "env id=1");
            x.getMessage().setBody(message(SENDER, ok, ""));
        });
        failure(e, true);
        assertResult(report(e), ok, Status.DELIVERED, 250, "2.0.0");
        assertResult(report(e), later, Status.DEFERRED, 451, "4.3.0");
        String dump = dumpedEventually("mx1", ok, 1).get(0);
        assertTrue(dump.contains("X-Mail-Args: <" + SENDER + "> RET=HDRS ENVID=env+20id+3D1\n"), dump);
        assertTrue(dump.contains("X-Rcpt-Args: <" + ok + "> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;first+2B1@origin.test\n"), dump);
        assertEquals(List.of(later), e.getMessage().getHeader(SmtpRelayConstants.ENVELOPE_TO, List.class));
        assertEquals(List.of("DELAY"), e.getMessage().getHeader(SmtpRelayConstants.DSN_NOTIFY, List.class),
                "DSN lists stay aligned with the pending recipients");
        assertEquals(List.of("rfc822;second@origin.test"), e.getMessage().getHeader(SmtpRelayConstants.DSN_ORCPT, List.class));
    }

    @Test
    void utf8AddressToAPeerWithoutSmtputf8FailsBeforeSending() {
        String to = rcpt("multi.test").replace("-", "-jösé-");
        Exchange e = send("direct:relay", SENDER, to);
        failure(e, false);
        RecipientResult r = assertResult(report(e), to, Status.FAILED, 553, "5.6.7");
        assertEquals("mx1.multi.test", r.getHost());
        for (String sink : List.of("mx1", "mx2", "mx3")) {
            assertTrue(testbed.dumped(sink, to).isEmpty(), sink);
        }
    }
}

package io.camelsmtp.smtp.relay;

import io.camelsmtp.smtp.common.RecipientResult;
import io.camelsmtp.smtp.common.RecipientResult.Status;
import io.camelsmtp.smtp.relay.testbed.PeerTestSupport;
import io.camelsmtp.smtp.relay.testbed.Testbed;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * dnsmasq answering one address family of an MX host and refusing the other (REFUSED for a name it holds only an A
 * or only an AAAA record of), forwarding it to the SERVFAIL responder, or never answering it: the relay delivers to
 * the family that resolved, to the smtp-sink on 127.0.0.x or on [::1], and defers only when neither resolved.
 */
class RelayAddressFamilyPeerTest extends PeerTestSupport {

    private static final String SENDER = "sender@origin.test";

    @Override
    protected void routes(RouteBuilder b) {
        b.from("direct:smart-host").to("smtp-relay:mx.v4only.example:25?dnsServers=" + Testbed.DNS_SERVER
                                       + "&dnsTimeout=1s&connectTimeout=1s&commandTimeout=1s&heloName=relay.test");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "aaaarefused.test,  mx.v4only.example, 127.0.0.2,       mx1",
        "arefused.test,     mx.v6only.example, 0:0:0:0:0:0:0:1, v6",
        "aaaaservfail.test, v4.servfail.test,  127.0.0.3,       mx2",
        "aservfail.test,    v6.servfail.test,  0:0:0:0:0:0:0:1, v6",
        "aaaatimeout.test,  v4.timeout.test,   127.0.0.4,       mx3",
        "atimeout.test,     v6.timeout.test,   0:0:0:0:0:0:0:1, v6" })
    void deliversToTheFamilyThatResolved(String domain, String host, String address, String receiver) throws Exception {
        String to = rcpt(domain);
        long t0 = System.nanoTime();
        Exchange e = send("direct:relay", SENDER, to);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        RecipientResult r = delivered(e, to);
        assertEquals(host, r.getHost());
        assertEquals(address, r.getAddress());
        assertEquals(1, dumpedEventually(receiver, to, 1).size(), "dumped by " + receiver);
        // the family that never answers is waited for until dnsTimeout (1 s) at the most
        assertTrue(ms < 2500, "took " + ms + " ms");
    }

    @Test
    void smartHostWhoseAaaaIsRefused() throws Exception {
        String to = rcpt("anywhere.test");
        RecipientResult r = delivered(send("direct:smart-host", SENDER, to), to);
        assertEquals("mx.v4only.example", r.getHost());
        assertEquals(1, dumpedEventually("mx1", to, 1).size());
    }

    @Test
    void neitherFamilyResolvedDefersNamingBoth() {
        String to = rcpt("bothrefused.test");
        Exchange e = send("direct:relay", SENDER, to);
        failure(e, true);
        RecipientResult r = assertResult(report(e), to, Status.DEFERRED, 451, "4.4.3");
        assertNoHost(r);
        assertEquals("DNS lookup of mx.norecord.example failed: A REFUSED, AAAA REFUSED", r.getText());
    }
}

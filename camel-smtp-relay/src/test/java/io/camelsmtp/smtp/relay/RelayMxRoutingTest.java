package io.camelsmtp.smtp.relay;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.camelsmtp.smtp.common.DeliveryReport;
import io.camelsmtp.smtp.common.RecipientResult;
import io.camelsmtp.smtp.common.RecipientResult.Status;
import io.camelsmtp.smtp.relay.testbed.PeerTestSupport;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Where mail goes, decided by real DNS answers from dnsmasq: MX preference, fallback, equal preferences, implicit and
 * null MX, CNAME targets, address literals, IPv6, DNS failures and the private-address guard. The receivers are
 * smtp-sink processes that dump what they accept.
 */
class RelayMxRoutingTest extends PeerTestSupport {

    private static final String SENDER = "sender@origin.test";

    @Override
    protected void routes(RouteBuilder b) {
        b.from("direct:relay-no-reuse").to(MX + "&connectionReuse=false");
        b.from("direct:relay-one-mx").to(MX + "&maxMxHosts=1");
        b.from("direct:relay-public-only").to(MX.replace("allowPrivateAddresses=true", "allowPrivateAddresses=false"));
    }

    @Test
    void lowestPreferenceFirst() throws Exception {
        String to = rcpt("multi.test");
        RecipientResult r = delivered(send("direct:relay", SENDER, to), to);
        assertEquals("mx1.multi.test", r.getHost());
        assertEquals("127.0.0.2", r.getAddress());
        assertEquals("2.0.0", r.getEnhancedStatus());
        assertNull(r.getTlsProtocol(), "smtp-sink offers no STARTTLS");
        List<String> dumped = dumpedEventually("mx1", to, 1);
        assertEquals(1, dumped.size());
        String dump = dumped.get(0);
        assertTrue(dump.contains("X-Mail-Args: <" + SENDER + ">"), dump);
        assertTrue(dump.contains("\n.a line that starts with a dot"), "dot-stuffed on the wire, unstuffed by the sink: " + dump);
        assertTrue(testbed.dumped("mx2", to).isEmpty());
        assertTrue(testbed.dumped("mx3", to).isEmpty());
    }

    @Test
    void refusedPrimaryFallsBackToSecondary() throws Exception {
        String to = rcpt("deadprimary.test");
        RecipientResult r = delivered(send("direct:relay", SENDER, to), to);
        assertEquals("mx2.multi.test", r.getHost());
        assertEquals("127.0.0.3", r.getAddress());
        assertEquals(1, dumpedEventually("mx2", to, 1).size());
    }

    @Test
    void recipientDeferredByPrimaryIsDeliveredBySecondary() throws Exception {
        String to = rcpt("fallback.test");
        RecipientResult r = delivered(send("direct:relay", SENDER, to), to);
        assertEquals("mx1.multi.test", r.getHost());
        assertEquals(1, dumpedEventually("mx1", to, 1).size());
    }

    @Test
    void maxMxHostsLimitsTheFallback() {
        String to = rcpt("deadprimary.test");
        Exchange e = send("direct:relay-one-mx", SENDER, to);
        failure(e, true);
        RecipientResult r = assertResult(report(e), to, Status.DEFERRED, 451, "4.4.1");
        assertEquals("mx.refused.test", r.getHost());
        assertTrue(testbed.dumped("mx2", to).isEmpty(), "the second MX is not tried");
    }

    @Test
    void nextAddressOfTheSameHostIsTried() throws Exception {
        String to = rcpt("halfdead.test");
        RecipientResult r = delivered(send("direct:relay", SENDER, to), to);
        assertEquals("mx.halfdead.test", r.getHost());
        assertEquals("0:0:0:0:0:0:0:1", r.getAddress(), "127.0.0.18 refuses, ::1 accepts");
        assertEquals(1, dumpedEventually("v6", to, 1).size());
    }

    @Test
    void mxTargetWhoseAddressLookupFailsIsSkipped() throws Exception {
        String to = rcpt("halfbroken.test");
        RecipientResult r = delivered(send("direct:relay", SENDER, to), to);
        assertEquals("mx2.multi.test", r.getHost());
        assertEquals(1, dumpedEventually("mx2", to, 1).size());

        String only = rcpt("brokentarget.test");
        Exchange e = send("direct:relay", SENDER, only);
        failure(e, true);
        assertNoHost(assertResult(report(e), only, Status.DEFERRED, 451, "4.4.3"));
    }

    @Test
    void equalPreferencesShareTheLoad() throws Exception {
        Map<String, Integer> byHost = new HashMap<>();
        int messages = 40;
        for (int i = 0; i < messages; i++) {
            String to = rcpt("equal.test");
            RecipientResult r = delivered(send("direct:relay-no-reuse", SENDER, to), to);
            byHost.merge(r.getHost(), 1, Integer::sum);
            String receiver = r.getHost().startsWith("mx1.") ? "mx1" : "mx2";
            assertEquals(1, dumpedEventually(receiver, to, 1).size(), "dumped by " + receiver);
        }
        assertEquals(messages, byHost.getOrDefault("mx1.multi.test", 0) + byHost.getOrDefault("mx2.multi.test", 0),
                byHost.toString());
        assertTrue(byHost.getOrDefault("mx1.multi.test", 0) > 0, "mx1 got none: " + byHost);
        assertTrue(byHost.getOrDefault("mx2.multi.test", 0) > 0, "mx2 got none: " + byHost);
    }

    @Test
    void noMxMeansTheDomainsOwnAddress() throws Exception {
        String to = rcpt("implicit.test");
        RecipientResult r = delivered(send("direct:relay", SENDER, to), to);
        assertEquals("implicit.test", r.getHost());
        assertEquals("127.0.0.2", r.getAddress());
        assertEquals(1, dumpedEventually("mx1", to, 1).size());
    }

    @Test
    void mxTargetThatIsACnameIsFollowed() throws Exception {
        String to = rcpt("cnamemx.test");
        RecipientResult r = delivered(send("direct:relay", SENDER, to), to);
        assertEquals("alias.cnamemx.test", r.getHost());
        assertEquals("127.0.0.2", r.getAddress());
        assertEquals(1, dumpedEventually("mx1", to, 1).size());
    }

    @Test
    void addressLiteralNeedsNoDns() throws Exception {
        String to = "literal-" + System.nanoTime() + "@[127.0.0.3]";
        RecipientResult r = delivered(send("direct:relay", SENDER, to), to);
        assertEquals("[127.0.0.3]", r.getHost());
        assertEquals("127.0.0.3", r.getAddress());
        assertEquals(1, dumpedEventually("mx2", to, 1).size());
    }

    @Test
    void ipv6OnlyMailExchanger() throws Exception {
        String to = rcpt("only6.test");
        RecipientResult r = delivered(send("direct:relay", SENDER, to), to);
        assertEquals("mx.only6.test", r.getHost());
        assertEquals("0:0:0:0:0:0:0:1", r.getAddress());
        assertEquals(1, dumpedEventually("v6", to, 1).size());
    }

    @Test
    void ipv6AddressLiteral() throws Exception {
        String to = "literal6-" + System.nanoTime() + "@[IPv6:::1]";
        RecipientResult r = delivered(send("direct:relay", SENDER, to), to);
        assertEquals("0:0:0:0:0:0:0:1", r.getAddress());
        assertEquals(1, dumpedEventually("v6", to, 1).size());
    }

    @Test
    void nullMxFailsWithoutConnecting() {
        String to = rcpt("nullmx.test");
        Exchange e = send("direct:relay", SENDER, to);
        failure(e, false);
        assertNoHost(assertResult(report(e), to, Status.FAILED, 556, "5.1.10"));
    }

    @Test
    void nonexistentDomainFails() {
        String to = rcpt("nx.test");
        Exchange e = send("direct:relay", SENDER, to);
        failure(e, false);
        assertNoHost(assertResult(report(e), to, Status.FAILED, 550, "5.1.2"));
    }

    @Test
    void mxTargetWithoutAddressFails() {
        String to = rcpt("dangling.test");
        Exchange e = send("direct:relay", SENDER, to);
        failure(e, false);
        assertNoHost(assertResult(report(e), to, Status.FAILED, 550, "5.4.4"));
    }

    @Test
    void servfailDefers() {
        String to = rcpt("servfail.test");
        Exchange e = send("direct:relay", SENDER, to);
        assertEquals(List.of(to), failure(e, true).getPendingRecipients());
        RecipientResult r = assertResult(report(e), to, Status.DEFERRED, 451, "4.4.3");
        assertNoHost(r);
        assertEquals(List.of(to), e.getMessage().getHeader(SmtpRelayConstants.ENVELOPE_TO, List.class));
    }

    @Test
    void dnsTimeoutDefers() {
        String to = rcpt("timeout.test");
        long t0 = System.nanoTime();
        Exchange e = send("direct:relay", SENDER, to);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        failure(e, true);
        assertNoHost(assertResult(report(e), to, Status.DEFERRED, 451, "4.4.3"));
        assertTrue(ms < 5000, "dnsTimeout=1s, took " + ms + " ms");
    }

    @Test
    void privateAddressesRefusedUnlessAllowed() {
        String to = rcpt("multi.test");
        Exchange e = send("direct:relay-public-only", SENDER, to);
        failure(e, false);
        assertNoHost(assertResult(report(e), to, Status.FAILED, 550, "5.4.4"));
        String literal = "literal-" + System.nanoTime() + "@[127.0.0.2]";
        e = send("direct:relay-public-only", SENDER, literal);
        failure(e, false);
        assertNoHost(assertResult(report(e), literal, Status.FAILED, 550, "5.4.4"));
        assertTrue(testbed.dumped("mx1", to).isEmpty());
        assertTrue(testbed.dumped("mx1", literal).isEmpty());
    }

    @Test
    void oneMessageToThreeDomainsIsDecidedPerDomain() throws Exception {
        String ok = rcpt("multi.test");
        String rejected = rcpt("reject.test");
        String deferred = rcpt("tempfail.test");
        Exchange e = send("direct:relay", SENDER, ok, rejected, deferred);
        SmtpDeliveryException x = failure(e, true);
        DeliveryReport report = report(e);
        assertEquals(List.of(ok, rejected, deferred), report.getResults().stream().map(RecipientResult::getRecipient).toList(),
                "in envelope order");
        assertResult(report, ok, Status.DELIVERED, 250, "2.0.0");
        assertResult(report, rejected, Status.FAILED, 550, "5.1.1");
        assertResult(report, deferred, Status.DEFERRED, 451, "4.3.0");
        assertEquals(List.of(deferred), x.getPendingRecipients());
        assertEquals(List.of(deferred), e.getMessage().getHeader(SmtpRelayConstants.ENVELOPE_TO, List.class),
                "only the deferred recipient is left for a retry");
        assertEquals(1, dumpedEventually("mx1", ok, 1).size());
    }
}

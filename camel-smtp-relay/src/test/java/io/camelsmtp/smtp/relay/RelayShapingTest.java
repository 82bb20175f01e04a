package io.camelsmtp.smtp.relay;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.camelsmtp.smtp.common.RecipientResult;
import io.camelsmtp.smtp.common.RecipientResult.Status;
import io.camelsmtp.smtp.common.shaping.Rate;
import io.camelsmtp.smtp.common.shaping.ShapingRule;
import io.camelsmtp.smtp.relay.testbed.LoggingPeer;
import io.camelsmtp.smtp.relay.testbed.PeerTestSupport;
import io.camelsmtp.smtp.relay.testbed.Testbed;
import org.apache.camel.Exchange;
import org.apache.camel.test.AvailablePortFinder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What {@code smtp-relay} honours of the queue's {@link ShapingRule} (the exchange property
 * {@code CamelSmtpShapingRule}), seen from a real receiver's side: aiosmtpd logging each message's connection
 * ({@link LoggingPeer}). Messages per connection and the connection rate are counted by peer port and connection
 * time, the TLS floor by what arrives, the smart host by which receiver gets the mail, the source pool by the peer
 * address.
 */
class RelayShapingTest extends PeerTestSupport {

    @TempDir
    Path tmp;

    private static ShapingRule rule(String site, int perConnection, Rate connectionRate, String tls, String smartHost) {
        return new ShapingRule(site, 4, perConnection, null, connectionRate, tls, smartHost);
    }

    private Exchange sendRuled(String uri, ShapingRule rule, String to) {
        return sendWith(uri, e -> {
            if (rule != null) {
                e.setProperty(ShapingRule.PROPERTY, rule);
            }
        }, "", "sender@origin.test", to);
    }

    private static String smartHostUri(String address, int port) {
        return "smtp-relay:" + address + ":" + port + "?tls=none&connectTimeout=2s&commandTimeout=2s&heloName=relay.test";
    }

    @Test
    void aConnectionCarriesAtMostMaxMessagesPerConnection() throws Exception {
        int port = AvailablePortFinder.getNextAvailable();
        try (LoggingPeer peer = LoggingPeer.start("127.0.0.31", port, tmp)) {
            ShapingRule r = rule("site-a", 3, null, null, null);
            for (int i = 0; i < 10; i++) {
                String to = rcpt("dest.test");
                delivered(sendRuled(smartHostUri("127.0.0.31", port) + "&connectionReuse=true", r, to), to);
            }
            List<LoggingPeer.Line> lines = peer.awaitLines(10);
            assertEquals(10, lines.size(), lines::toString);
            Map<String, Integer> perConnection = new HashMap<>();
            lines.forEach(l -> perConnection.merge(l.connection(), 1, Integer::sum));
            assertEquals(3, perConnection.values().stream().mapToInt(Integer::intValue).max().orElse(0),
                    () -> "kept connections are reused, up to the rule's 3 messages: " + perConnection);
            assertEquals(4, perConnection.size(), perConnection::toString); // 3 + 3 + 3 + 1
        }
    }

    @Test
    void withoutTheRuleAConnectionCarriesThemAll() throws Exception {
        int port = AvailablePortFinder.getNextAvailable();
        try (LoggingPeer peer = LoggingPeer.start("127.0.0.31", port, tmp)) {
            for (int i = 0; i < 5; i++) {
                String to = rcpt("dest.test");
                delivered(sendRuled(smartHostUri("127.0.0.31", port), null, to), to);
            }
            assertEquals(1, peer.awaitLines(5).stream().map(LoggingPeer.Line::connection).distinct().count());
        }
    }

    @Test
    void newConnectionsKeepTheSiteConnectionRate() throws Exception {
        int port = AvailablePortFinder.getNextAvailable();
        try (LoggingPeer peer = LoggingPeer.start("127.0.0.31", port, tmp)) {
            ShapingRule r = rule("site-b", 1, Rate.parse("5/s"), null, null);
            for (int i = 0; i < 10; i++) {
                String to = rcpt("dest.test");
                delivered(sendRuled(smartHostUri("127.0.0.31", port), r, to), to);
            }
            List<LoggingPeer.Line> lines = peer.awaitLines(10);
            assertEquals(10, lines.stream().map(LoggingPeer.Line::connection).distinct().count(), lines::toString);
            for (int i = 1; i < lines.size(); i++) {
                double gap = lines.get(i).connectedAt() - lines.get(i - 1).connectedAt();
                // 5/s is one connection every 200 ms; the receiver's clock may see a few ms of jitter
                assertTrue(gap >= 0.185, "connection " + i + " came " + gap + " s after the one before: " + lines);
            }
        }
    }

    @Test
    void noPermitBeforeTheDeadlineDefersWithoutConnecting() throws Exception {
        int port = AvailablePortFinder.getNextAvailable();
        try (LoggingPeer peer = LoggingPeer.start("127.0.0.31", port, tmp)) {
            ShapingRule r = rule("slow.site", 1, Rate.parse("1/h"), null, null);
            String uri = smartHostUri("127.0.0.31", port) + "&maxAttemptTime=2s";
            String first = rcpt("dest.test");
            delivered(sendRuled(uri, r, first), first);
            String second = rcpt("dest.test");
            long t0 = System.nanoTime();
            Exchange e = sendRuled(uri, r, second);
            assertTrue(System.nanoTime() - t0 < 1_000_000_000L, "a permit an hour away is not waited for");
            failure(e, true);
            RecipientResult result = assertResult(report(e), second, Status.DEFERRED, 451, "4.4.5");
            assertEquals("Connection rate limit of site slow.site reached, try again later", result.getReply().text());
            assertEquals(1, peer.awaitLines(1).size());
        }
    }

    @Test
    void theRulesTlsRequiredStandsInForTheEndpointsOption() throws Exception {
        int port = AvailablePortFinder.getNextAvailable();
        try (LoggingPeer peer = LoggingPeer.start("127.0.0.31", port, tmp)) { // offers no STARTTLS
            String uri = "smtp-relay:127.0.0.31:" + port + "?tls=opportunistic&connectTimeout=2s&heloName=relay.test";
            String refused = rcpt("dest.test");
            Exchange e = sendRuled(uri, rule("site-c", 0, null, "required", null), refused);
            failure(e, true);
            RecipientResult r = report(e).get(refused);
            assertEquals(Status.DEFERRED, r.getStatus(), r::toString);
            assertTrue(r.getEnhancedStatus().startsWith("4.7."), r::toString);
            String plain = rcpt("dest.test");
            delivered(sendRuled(uri, null, plain), plain);
            List<LoggingPeer.Line> lines = peer.awaitLines(1);
            assertEquals(1, lines.size(), lines::toString);
            assertEquals(plain, lines.get(0).recipients());
        }
    }

    @Test
    void theRulesSmartHostTakesTheSitesMailInsteadOfItsMx() throws Exception {
        int port = AvailablePortFinder.getNextAvailable();
        try (LoggingPeer mx = LoggingPeer.start("127.0.0.2", port, tmp); // mx1.multi.test, on the test's port
             LoggingPeer smart = LoggingPeer.start("127.0.0.33", port, tmp)) {
            String uri = MX + "&port=" + port + "&tls=none";
            String moved = rcpt("multi.test");
            delivered(sendRuled(uri, rule("multi", 0, null, null, "127.0.0.33:" + port), moved), moved);
            String direct = rcpt("multi.test");
            delivered(sendRuled(uri, null, direct), direct);
            assertEquals(moved, smart.awaitLines(1).get(0).recipients());
            List<LoggingPeer.Line> mxLines = mx.awaitLines(1);
            assertEquals(1, mxLines.size(), mxLines::toString);
            assertEquals(direct, mxLines.get(0).recipients());
            assertEquals(1, smart.lines().size());
        }
    }

    @Test
    void aSmartHostOnAPrivateAddressIsRefusedUnlessAllowed() {
        String uri = MX.replace("allowPrivateAddresses=true", "allowPrivateAddresses=false");
        String to = rcpt("multi.test");
        Exchange e = sendRuled(uri, rule("multi", 0, null, null, "127.0.0.33:2525"), to);
        failure(e, true);
        RecipientResult r = assertResult(report(e), to, Status.DEFERRED, 451, "4.4.4");
        assertTrue(r.getReply().text().contains("allowPrivateAddresses=false"), r::toString);
        assertNoHost(r);
    }

    @Test
    void daneRequiredHoldsForTheRulesSmartHost() {
        // dnsmasq signs nothing: no host has usable DANE, so daneRequired refuses every one, the rule's smart host too
        String uri = MX + "&daneRequired=true&daneTrustedResolvers=" + Testbed.DNS_SERVER;
        String literal = rcpt("multi.test");
        Exchange e = sendRuled(uri, rule("multi", 0, null, null, "127.0.0.33:2525"), literal);
        failure(e, true);
        assertNoHost(assertResult(report(e), literal, Status.DEFERRED, 451, "4.7.5"));
        String named = rcpt("multi.test");
        e = sendRuled(uri, rule("multi", 0, null, null, "mx1.multi.test"), named);
        failure(e, true);
        RecipientResult r = report(e).get(named);
        assertEquals(Status.DEFERRED, r.getStatus(), r::toString);
        assertTrue(r.getEnhancedStatus().startsWith("4.7."), r::toString);
        assertNull(r.getAddress(), r::toString); // refused before any connection
    }

    @Test
    void malformedSmartHostsDeferNamingTheValue() {
        for (String bad : List.of("", " ", "::1", "[::1", "[::1]x", "mx.example:0", "mx.example:65536", "mx.example:25:25",
                "mx..example", "-mx.example", "mx.example.", "999.1.1.1", "[127.0.0.1]", "a b", "mx\r\nRSET",
                "mx.example:+25", "\u00e9.example")) {
            String to = rcpt("multi.test");
            Exchange e = sendRuled(MX, rule("multi", 0, null, null, bad), to);
            failure(e, true);
            RecipientResult r = assertResult(report(e), to, Status.DEFERRED, 451, "4.3.5");
            assertTrue(r.getReply().text().startsWith("Smart host '"), r::toString);
            assertTrue(r.getReply().text().chars().allMatch(c -> c >= 0x20 && c < 0x7f), r::toString);
        }
    }

    @Test
    void aSourcePoolIsTakenInTurn() throws Exception {
        int port = AvailablePortFinder.getNextAvailable();
        try (LoggingPeer peer = LoggingPeer.start("127.0.0.31", port, tmp)) {
            String uri = smartHostUri("127.0.0.31", port) + "&localAddress=127.0.0.42, 127.0.0.43";
            ShapingRule r = rule("site-d", 1, null, null, null);
            for (int i = 0; i < 6; i++) {
                String to = rcpt("dest.test");
                delivered(sendRuled(uri, r, to), to);
            }
            List<LoggingPeer.Line> lines = peer.awaitLines(6);
            assertEquals(6, lines.size(), lines::toString);
            for (int i = 1; i < lines.size(); i++) {
                assertNotEquals(lines.get(i - 1).address(), lines.get(i).address(), lines::toString);
            }
            assertEquals(List.of("127.0.0.42", "127.0.0.43"),
                    lines.stream().map(LoggingPeer.Line::address).distinct().sorted().toList());
        }
    }
}

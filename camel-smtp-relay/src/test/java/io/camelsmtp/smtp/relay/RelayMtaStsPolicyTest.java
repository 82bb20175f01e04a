package io.camelsmtp.smtp.relay;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import io.camelsmtp.smtp.relay.support.MtaStsPeers;
import io.camelsmtp.smtp.relay.support.MtaStsTestSupport;
import io.camelsmtp.smtp.relay.tls.TlsOutcome;
import io.camelsmtp.smtp.relay.tls.TlsOutcomeListener;
import io.camelsmtp.smtp.relay.tls.TlsResultType;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Getting the policy: hostile or broken policy hosts and TXT records are classified (RFC 8460) and, with no cached
 * policy, the domain is delivered to as if it published none; the cache persists across a restart and is used when
 * the policy host is down; a new TXT id makes the relay fetch again.
 */
class RelayMtaStsPolicyTest extends MtaStsTestSupport {

    @BeforeAll
    static void zone() throws Exception {
        if (peers == null) {
            return;
        }
        String txt = "v=STSv1; id=1;";
        for (String d : List.of("notfound", "redirect", "big", "bigchunked", "hang", "html", "badpolicy", "webpki")) {
            domain(d + ".test", "mx." + d + ".test", MtaStsPeers.PLAIN, txt);
        }
        peers.policy("notfound.test", "!404\n");
        peers.policy("redirect.test", "!redirect\n");
        peers.policy("big.test", "!big\n");
        peers.policy("bigchunked.test", "!bigchunked\n");
        peers.policy("hang.test", "!hang\n");
        peers.policy("html.test", "!html\n" + enforce("mx.html.test"));
        peers.policy("badpolicy.test", enforce("mx.badpolicy.test").replace("max_age: 86400", "max_age: 99999999"));
        peers.policy("webpki.test", enforce("mx.webpki.test"));
        domain("junktxt.test", "mx.junktxt.test", MtaStsPeers.PLAIN, "v=STSv1; id=not valid!;");
        peers.policy("junktxt.test", enforce("mx.junktxt.test"));
        domain("twotxt.test", "mx.twotxt.test", MtaStsPeers.PLAIN, "v=STSv1; id=1;");
        peers.dns.add("_mta-sts.twotxt.test. 0 IN TXT \"v=STSv1; id=2;\"");
        peers.policy("twotxt.test", enforce("mx.twotxt.test"));
        domain("chunked.test", "mx.chunked.test", MtaStsPeers.GOOD, txt);
        peers.policy("chunked.test", "!chunked\n" + enforce("mx.chunked.test"));
        domain("persist.test", "mx.persist.test", MtaStsPeers.GOOD, txt);
        peers.policy("persist.test", enforce("mx.persist.test"));
        domain("refetch.test", "mx.refetch.test", MtaStsPeers.GOOD, txt);
        peers.policy("refetch.test", enforce("mx.refetch.test"));
        for (String d : List.of("refresh", "refreshhang")) {
            domain(d + ".test", "mx." + d + ".test", MtaStsPeers.GOOD, txt);
            peers.policy(d + ".test", enforce("mx." + d + ".test").replace("max_age: 86400", "max_age: " + SHORT_AGE));
        }
    }

    /** max_age of the refresh tests' policies, seconds: refreshed once older than half of it. */
    private static final int SHORT_AGE = 6;

    /** Each is delivered in plaintext to the receiver without STARTTLS, as if the domain had no policy. */
    @ParameterizedTest
    @CsvSource({
            "notfound, sts-policy-fetch-error, HTTP 404",
            "redirect, sts-policy-fetch-error, not followed",
            "big, sts-policy-fetch-error, larger than 65536",
            "bigchunked, sts-policy-fetch-error, larger than 65536",
            "html, sts-policy-invalid, not text/plain",
            "badpolicy, sts-policy-invalid, max_age",
            "webpki, sts-webpki-invalid, Certificate of https://mta-sts.webpki.test",
            "junktxt, sts-policy-invalid, Bad id",
            "twotxt, sts-policy-invalid, 2 TXT records" })
    void aPolicyThatCannotBeHadIsClassifiedAndTheDomainTreatedAsWithoutOne(String name, String type, String detail)
            throws Exception {
        String domain = name + ".test";
        Exchange e = send("direct:relay", "a@" + domain);
        assertNull(e.getException(), () -> "delivered as without a policy: " + e.getException());
        assertEquals(1, getMockEndpoint("mock:plain").getReceivedCounter());
        TlsOutcome o = outcome(domain, null);
        assertEquals(type, o.failure().rfcName(), o::toString);
        assertTrue(o.detail().contains(detail), o::toString);
        assertEquals("config", outcome(domain, "mx." + domain).policy());
    }

    @Test
    void aPolicyHostThatHangsIsGivenUpAfterTheFetchTimeout() throws Exception {
        long t0 = System.nanoTime();
        Exchange e = send("direct:relay", "b@hang.test");
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertNull(e.getException());
        assertTrue(ms < 6000, "took " + ms + " ms with mtaStsFetchTimeout=2s");
        TlsOutcome o = outcome("hang.test", null);
        assertEquals(TlsResultType.STS_POLICY_FETCH_ERROR, o.failure());
        assertTrue(o.detail().contains("timed out"), o::toString);
        long fetches = peers.fetches("hang.test");
        send("direct:relay", "c@hang.test");
        assertEquals(fetches, peers.fetches("hang.test"), "a failed fetch is not repeated for every message");
    }

    @Test
    void aChunkedPolicyIsRead() {
        Exchange e = send("direct:relay", "d@chunked.test");
        assertNull(e.getException());
        TlsOutcome o = outcome("chunked.test", "mx.chunked.test");
        assertEquals("sts", o.policy());
        assertTrue(o.verified(), o::toString);
    }

    /**
     * A policy fetched by one CamelContext is in force in the next one (a restart) with the same cache directory,
     * though its policy host is now down and its TXT record names a new id; without the directory it is not.
     */
    @Test
    void thePersistedCacheSurvivesARestartAndServesWhenThePolicyHostIsDown(@TempDir Path cache) throws Exception {
        String persisted = relay("&mtaStsCacheDirectory=" + cache);
        try (Relay first = new Relay(persisted)) {
            assertNull(first.send("a@persist.test").getException());
            assertEquals("sts", first.outcomes.get(0).policy());
        }
        assertTrue(Files.exists(cache.resolve("persist.test.sts")));
        peers.policy("persist.test", "!404\n");
        peers.dns.set("_mta-sts.persist.test. 0 IN TXT \"v=STSv1; id=2;\"");
        long before = peers.fetches("persist.test");
        try (Relay restarted = new Relay(persisted)) {
            assertNull(restarted.send("b@persist.test").getException());
            assertEquals(before + 1, peers.fetches("persist.test"), "the new id was tried");
            TlsOutcome session = restarted.outcomes.stream().filter(o -> o.mxHost() != null).findFirst().orElseThrow();
            assertEquals("sts", session.policy(), "the cached policy is in force: " + restarted.outcomes);
            assertTrue(session.verified());
        }
        try (Relay memoryOnly = new Relay(relay(""))) {
            assertNull(memoryOnly.send("c@persist.test").getException());
            TlsOutcome session = memoryOnly.outcomes.stream().filter(o -> o.mxHost() != null).findFirst().orElseThrow();
            assertEquals("config", session.policy(), "no policy without the cache");
        }
    }

    @Test
    void aNewIdMakesTheRelayFetchAgain() throws Exception {
        long before = peers.fetches("refetch.test");
        assertNull(send("direct:relay", "a@refetch.test").getException());
        assertNull(send("direct:relay", "b@refetch.test").getException());
        assertEquals(before + 1, peers.fetches("refetch.test"), "the same id is served from the cache");
        peers.policy("refetch.test", enforce("mx.elsewhere.test"));
        peers.dns.set("_mta-sts.refetch.test. 0 IN TXT \"v=STSv1; id=2;\"");
        Exchange e = send("direct:relay", "c@refetch.test");
        assertEquals(before + 2, peers.fetches("refetch.test"));
        assertEquals("4.7.5", result(e, "c@refetch.test").getEnhancedStatus(), "the new policy no longer lists the MX");
        assertEquals(2, getMockEndpoint("mock:good").getReceivedCounter());
    }

    /**
     * A policy still delivered to is fetched again in the background once older than half its max_age, with the same
     * TXT id: the refreshed policy is in force afterwards, and the delivery that started the refresh used the cached
     * one without waiting.
     */
    @Test
    void aPolicyInUseIsRefreshedInTheBackgroundBeforeItExpires() throws Exception {
        long before = peers.fetches("refresh.test");
        assertNull(send("direct:relay", "a@refresh.test").getException());
        assertEquals(before + 1, peers.fetches("refresh.test"));
        assertNull(send("direct:relay", "b@refresh.test").getException());
        assertEquals(before + 1, peers.fetches("refresh.test"), "young: served from the cache");
        Thread.sleep(SHORT_AGE * 1000 / 2 + 300);
        peers.policy("refresh.test", enforce("mx.elsewhere.test").replace("max_age: 86400", "max_age: 3600"));
        Exchange aging = send("direct:relay", "c@refresh.test");
        assertEquals(250, result(aging, "c@refresh.test").getCode(), "the cached policy still lists the MX");
        awaitFetches("refresh.test", before + 2);
        Exchange refreshed = send("direct:relay", "d@refresh.test");
        assertEquals("4.7.5", result(refreshed, "d@refresh.test").getEnhancedStatus(),
                "the refreshed policy, same id, no longer lists the MX");
        assertEquals(before + 2, peers.fetches("refresh.test"));
    }

    /** A refresh that hangs does not hold up the delivery that started it; the cached policy stays in force. */
    @Test
    void aRefreshThatHangsDoesNotDelayDelivery() throws Exception {
        long before = peers.fetches("refreshhang.test");
        assertNull(send("direct:relay", "a@refreshhang.test").getException());
        Thread.sleep(SHORT_AGE * 1000 / 2 + 300);
        peers.policy("refreshhang.test", "!hang\n");
        long t0 = System.nanoTime();
        Exchange e = send("direct:relay", "b@refreshhang.test");
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(250, result(e, "b@refreshhang.test").getCode());
        assertTrue(ms < 1900, "took " + ms + " ms: waited for the refresh (mtaStsFetchTimeout=2s)?");
        awaitFetches("refreshhang.test", before + 2);
        long sessions = outcomes.stream().filter(o -> "refreshhang.test".equals(o.domain()) && o.mxHost() != null
                                                      && "sts".equals(o.policy()) && o.verified()).count();
        assertEquals(2, sessions, "both deliveries under the cached policy: " + outcomes);
    }

    private static void awaitFetches(String domain, long count) throws Exception {
        long end = System.nanoTime() + 5_000_000_000L;
        while (peers.fetches(domain) < count && System.nanoTime() < end) {
            Thread.sleep(20);
        }
        assertEquals(count, peers.fetches(domain), "the background refresh of " + domain);
    }

    /** A relay in a CamelContext of its own (a restart), with its own outcome list. */
    private final class Relay implements AutoCloseable {
        final List<TlsOutcome> outcomes = new java.util.concurrent.CopyOnWriteArrayList<>();
        final CamelContext camel = new DefaultCamelContext();
        final ProducerTemplate producer;

        Relay(String uri) throws Exception {
            camel.getRegistry().bind("stsTrust", peers.pki.trust());
            camel.getRegistry().bind("outcomes", (TlsOutcomeListener) outcomes::add);
            camel.addRoutes(new RouteBuilder() {
                @Override
                public void configure() {
                    from("direct:relay").to(uri);
                }
            });
            camel.start();
            producer = camel.createProducerTemplate();
        }

        Exchange send(String to) {
            return producer.send("direct:relay", e -> {
                e.getMessage().setHeader(SmtpRelayConstants.ENVELOPE_FROM, "sender@origin.test");
                e.getMessage().setHeader(SmtpRelayConstants.ENVELOPE_TO, List.of(to));
                e.getMessage().setBody("Subject: restart\r\n\r\nhello\r\n");
            });
        }

        @Override
        public void close() {
            camel.stop();
        }
    }
}

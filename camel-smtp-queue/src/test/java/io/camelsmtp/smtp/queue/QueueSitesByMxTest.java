package io.camelsmtp.smtp.queue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;

import io.camelsmtp.smtp.common.shaping.ShapingRule;
import io.camelsmtp.smtp.common.shaping.SiteResolver;
import io.camelsmtp.smtp.relay.testbed.PeerTestSupport;
import org.apache.camel.builder.RouteBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Sites by MX host set, through real DNS: dnsmasq answers the MX records of the relay's test bed, smtp-relay binds its
 * SiteResolver, and the queue groups recipient domains into sites by them. multi.test and equal.test are both served
 * only by hosts under .multi.test, so a rule with that MX suffix makes them one site; fallback.test has one MX host
 * elsewhere, so it is not in that site but in the site of its own MX set. Postfix's smtp-sink accepts at mx1.
 */
class QueueSitesByMxTest extends PeerTestSupport {

    @TempDir
    static Path dir;

    private final Map<String, String> siteOf = new ConcurrentHashMap<>();
    private final Map<String, ShapingRule> ruleOf = new ConcurrentHashMap<>();

    @Override
    protected void routes(RouteBuilder b) throws Exception {
        Path rules = Files.writeString(dir.resolve("shaping.yaml"), """
                defaults:
                  maxConnections: 3
                sites:
                  provider:
                    mxSuffixes: [.multi.test]
                    maxConnections: 2
                    maxMessagesPerConnection: 50
                """);
        String spool = dir.resolve("spool").toString();
        b.from("direct:in").to("smtp-queue:mx-sites?spoolDirectory=" + spool);
        b.from("smtp-queue:mx-sites?spoolDirectory=" + spool + "&shapingRules=" + rules + "&minBackoff=200&maxBackoff=400")
                .process(e -> {
                    String to = e.getMessage().getHeader(SmtpQueueConstants.ENVELOPE_TO, java.util.List.class).get(0).toString();
                    String domain = to.substring(to.indexOf('@') + 1);
                    siteOf.put(domain, e.getMessage().getHeader(SmtpQueueConstants.SITE, String.class));
                    ruleOf.put(domain, e.getProperty(ShapingRule.PROPERTY, ShapingRule.class));
                })
                .to(MX);
    }

    @Test
    void domainsServedByTheSameProviderShareOneSite() throws Exception {
        for (String domain : new String[] {"multi.test", "equal.test", "fallback.test"}) {
            send("direct:in", "alice@example.org", rcpt(domain));
        }
        await(() -> siteOf.size() == 3 && testbed.dumped("mx1", "").size() >= 0);
        assertNotNull(context.getRegistry().findSingleByType(SiteResolver.class), "smtp-relay bound its SiteResolver");
        assertEquals("provider", siteOf.get("multi.test"), "every MX host ends with .multi.test");
        assertEquals("provider", siteOf.get("equal.test"), "a second domain with the provider's MX hosts: the same site");
        assertEquals("mx:mx.tempfail.test,mx1.multi.test", siteOf.get("fallback.test"),
                "one MX host elsewhere: its own MX set is its site");
        assertEquals(2, ruleOf.get("equal.test").maxConnections());
        assertEquals(50, ruleOf.get("equal.test").maxMessagesPerConnection());
        assertEquals(3, ruleOf.get("fallback.test").maxConnections(), "the defaults");
        assertEquals("provider", ruleOf.get("multi.test").site());
    }

    private static void await(BooleanSupplier condition) throws InterruptedException {
        long end = System.currentTimeMillis() + 20_000;
        while (!condition.getAsBoolean()) {
            if (System.currentTimeMillis() > end) {
                fail("timed out");
            }
            Thread.sleep(50);
        }
    }
}

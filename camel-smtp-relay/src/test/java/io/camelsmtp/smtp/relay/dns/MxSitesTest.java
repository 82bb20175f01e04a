package io.camelsmtp.smtp.relay.dns;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import io.camelsmtp.smtp.common.DnsServers;
import io.camelsmtp.smtp.common.shaping.SiteResolver;
import io.camelsmtp.smtp.relay.testbed.Testbed;
import io.camelsmtp.smtp.relay.testbed.TestbedExtension;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The relay's {@link SiteResolver} against dnsmasq (the test bed's zone): MX host names sorted, the domain itself
 * without MX, nothing for a null MX, a failure for NXDOMAIN and SERVFAIL; and how an {@code smtp-relay:mx} endpoint
 * binds it for the queue.
 */
@ExtendWith(TestbedExtension.class)
class MxSitesTest {

    private static ExecutorService executor;
    private static MxSites sites;

    @BeforeAll
    static void start(Testbed testbed) {
        executor = Executors.newCachedThreadPool();
        sites = new MxSites(new MxResolver(DnsServers.parse(Testbed.DNS_SERVER), Duration.ofSeconds(1), false, executor));
    }

    @AfterAll
    static void stop() {
        executor.shutdownNow();
    }

    @Test
    void mxHostNamesInPreferenceOrder() throws Exception {
        assertEquals(List.of("mx1.multi.test", "mx2.multi.test", "mx3.multi.test"), sites.mxHosts("multi.test"));
        assertEquals(List.of("mx1.multi.test", "mx2.multi.test", "mx3.multi.test"), sites.mxHosts("Multi.TEST."));
        for (int i = 0; i < 5; i++) { // equal preferences: the order must not change between look-ups
            assertEquals(List.of("mx1.multi.test", "mx2.multi.test"), sites.mxHosts("equal.test"));
        }
        assertEquals(List.of("alias.cnamemx.test"), sites.mxHosts("cnamemx.test")); // the MX target, not its CNAME
    }

    @Test
    void withoutMxTheDomainIsItsOwnHost() throws Exception {
        assertEquals(List.of("implicit.test"), sites.mxHosts("implicit.test"));
    }

    @Test
    void aNullMxHasNoHosts() throws Exception {
        assertEquals(List.of(), sites.mxHosts("nullmx.test"));
    }

    @Test
    void failuresThrow() {
        assertThrows(ResolutionException.class, () -> sites.mxHosts("nx.test"));
        assertThrows(ResolutionException.class, () -> sites.mxHosts("servfail.test"));
    }

    /** A started context with one route per {@code to} URI, {@code mine} bound first as a SiteResolver if not null. */
    private static CamelContext started(SiteResolver mine, String... to) throws Exception {
        CamelContext context = new DefaultCamelContext();
        if (mine != null) {
            context.getRegistry().bind("mySites", SiteResolver.class, mine);
        }
        context.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                for (int i = 0; i < to.length; i++) {
                    from("direct:" + i).to(to[i]);
                }
            }
        });
        context.start();
        return context;
    }

    @Test
    void anMxEndpointBindsOneForTheQueueUnlessOneIsBound() throws Exception {
        String mx = "smtp-relay:mx?dnsServers=" + Testbed.DNS_SERVER;
        try (CamelContext context = started(null, mx, mx + "&port=2525", "smtp-relay:127.0.0.1:2525")) {
            Set<SiteResolver> bound = context.getRegistry().findByType(SiteResolver.class);
            assertEquals(1, bound.size(), bound::toString);
            SiteResolver r = context.getRegistry().lookupByNameAndType(MxSites.BEAN_NAME, SiteResolver.class);
            assertInstanceOf(MxSites.class, r);
            assertEquals(List.of("implicit.test"), r.mxHosts("implicit.test"));
        }
        SiteResolver mine = domain -> List.of("mine");
        try (CamelContext context = started(mine, mx)) {
            assertEquals(Set.of(mine), context.getRegistry().findByType(SiteResolver.class));
            assertSame(mine, context.getRegistry().lookupByNameAndType("mySites", SiteResolver.class));
        }
    }

    @Test
    void aSmartHostEndpointBindsNone() throws Exception {
        try (CamelContext context = started(null, "smtp-relay:127.0.0.1:2525")) {
            assertEquals(Set.of(), context.getRegistry().findByType(SiteResolver.class));
        }
    }
}

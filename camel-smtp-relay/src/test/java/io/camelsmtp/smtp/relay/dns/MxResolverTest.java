package io.camelsmtp.smtp.relay.dns;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;

import io.camelsmtp.smtp.relay.support.InJvmDns;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MxResolverTest {

    private static InJvmDns dns;
    private static MxResolver resolver;
    private static MxResolver strict;

    @BeforeAll
    static void start() throws Exception {
        dns = new InJvmDns()
                .add("multi.test. 0 IN MX 30 mx3.multi.test.")
                .add("multi.test. 0 IN MX 10 mx1.multi.test.")
                .add("multi.test. 0 IN MX 20 mx2.multi.test.")
                .add("mx1.multi.test. 0 IN A 127.0.0.2")
                .add("mx2.multi.test. 0 IN A 127.0.0.3")
                .add("mx2.multi.test. 0 IN AAAA ::1")
                .add("mx3.multi.test. 0 IN A 127.0.0.4")
                .add("equal.test. 0 IN MX 10 mx1.multi.test.")
                .add("equal.test. 0 IN MX 10 mx3.multi.test.")
                .add("implicit.test. 0 IN A 127.0.0.5")
                .add("nullmx.test. 0 IN MX 0 .")
                .add("cnamemx.test. 0 IN MX 10 alias.cnamemx.test.")
                .add("alias.cnamemx.test. 0 IN CNAME mx1.multi.test.")
                .add("dangling.test. 0 IN MX 10 missing.dangling.test.")
                .add("public.test. 0 IN MX 10 mx.public.test.")
                .add("mx.public.test. 0 IN A 9.9.9.10")
                .servfail("servfail.test.");
        InetSocketAddress server = new InetSocketAddress("127.0.0.1", Integer.parseInt(dns.server().split(":")[1]));
        resolver = new MxResolver(List.of(server), Duration.ofSeconds(1), true, Executors.newCachedThreadPool());
        strict = new MxResolver(List.of(server), Duration.ofSeconds(1), false, Executors.newCachedThreadPool());
    }

    @AfterAll
    static void stop() {
        dns.close();
    }

    @Test
    void sortsByPreferenceAndKeepsBothAddressFamilies() throws Exception {
        List<MxHost> hosts = resolver.resolve("multi.test");
        assertEquals(List.of("mx1.multi.test", "mx2.multi.test", "mx3.multi.test"), hosts.stream().map(MxHost::name).toList());
        assertEquals(List.of("127.0.0.3", "0:0:0:0:0:0:0:1"),
                hosts.get(1).addresses().stream().map(a -> a.getHostAddress()).toList());
    }

    @Test
    void shufflesEqualPreferences() throws Exception {
        Set<String> firsts = new HashSet<>();
        for (int i = 0; i < 40; i++) {
            firsts.add(resolver.resolve("equal.test").get(0).name());
        }
        assertEquals(Set.of("mx1.multi.test", "mx3.multi.test"), firsts);
    }

    @Test
    void implicitMxWhenThereIsNoMx() throws Exception {
        List<MxHost> hosts = resolver.resolve("implicit.test");
        assertEquals(1, hosts.size());
        assertEquals("implicit.test", hosts.get(0).name());
        assertEquals("127.0.0.5", hosts.get(0).addresses().get(0).getHostAddress());
    }

    @Test
    void nullMxFailsForGood() {
        ResolutionException e = assertThrows(ResolutionException.class, () -> resolver.resolve("nullmx.test"));
        assertFalse(e.isTransient());
        assertEquals(556, e.reply().code());
        assertEquals("5.1.10", e.reply().enhancedStatus());
    }

    @Test
    void nxdomainFailsForGoodServfailForNow() {
        ResolutionException nx = assertThrows(ResolutionException.class, () -> resolver.resolve("nx.test"));
        assertEquals("5.1.2", nx.reply().enhancedStatus());
        ResolutionException sf = assertThrows(ResolutionException.class, () -> resolver.resolve("servfail.test"));
        assertTrue(sf.isTransient());
        assertEquals("4.4.3", sf.reply().enhancedStatus());
    }

    @Test
    void followsCnameTargetsAndRefusesDanglingOnes() throws Exception {
        assertEquals("127.0.0.2", resolver.resolve("cnamemx.test").get(0).addresses().get(0).getHostAddress());
        MxHost dangling = resolver.resolve("dangling.test").get(0);
        ResolutionException e = assertThrows(ResolutionException.class, dangling::addresses);
        assertEquals("5.4.4", e.reply().enhancedStatus());
        assertFalse(e.isTransient());
    }

    @Test
    void privateAddressesAreRefusedUnlessAllowed() throws Exception {
        for (MxHost host : strict.resolve("multi.test")) {
            ResolutionException e = assertThrows(ResolutionException.class, host::addresses);
            assertEquals("5.4.4", e.reply().enhancedStatus());
            assertTrue(e.reply().text().contains("127.0.0.0/8 (loopback, RFC 1122)"), e.reply().text());
        }
        assertEquals("9.9.9.10", strict.resolve("public.test").get(0).addresses().get(0).getHostAddress());
        assertThrows(ResolutionException.class, () -> strict.resolve("[127.0.0.1]"));
        assertThrows(ResolutionException.class, () -> strict.resolve("[10.1.2.3]"));
    }

    @Test
    void addressLiterals() throws Exception {
        assertEquals("127.0.0.9", resolver.resolve("[127.0.0.9]").get(0).addresses().get(0).getHostAddress());
        assertEquals("0:0:0:0:0:0:0:1", resolver.resolve("[IPv6:::1]").get(0).addresses().get(0).getHostAddress());
        assertEquals("5.1.3", assertThrows(ResolutionException.class, () -> resolver.resolve("[not.an.ip]")).reply().enhancedStatus());
    }
}

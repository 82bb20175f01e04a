package io.camelsmtp.smtp.relay.dns;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import io.camelsmtp.smtp.relay.support.InJvmDns;
import io.camelsmtp.smtp.relay.support.LogLines;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.xbill.DNS.Rcode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One address family's look-up failing (an error RCODE, or no answer at all: resolvers that mishandle AAAA do both)
 * while the other resolves: the host is used with the addresses that resolved and the failure is logged once; only
 * when no address resolved is it a failure, for now, naming both outcomes. NXDOMAIN and NODATA are answers, not
 * failures. The same for MX targets, implicit MX and smart hosts.
 */
class MxResolverAddressFamilyTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(1);

    private static InJvmDns dns;
    private static ExecutorService executor;
    private static MxResolver resolver;

    @BeforeAll
    static void start() throws Exception {
        dns = new InJvmDns()
                .add("v4.test. 0 IN MX 10 mx.v4.test.").add("mx.v4.test. 0 IN A 127.0.0.2")
                .rcode("mx.v4.test.", "AAAA", Rcode.REFUSED)
                .add("v6.test. 0 IN MX 10 mx.v6.test.").add("mx.v6.test. 0 IN AAAA ::1")
                .rcode("mx.v6.test.", "A", Rcode.REFUSED)
                .add("sf4.test. 0 IN MX 10 mx.sf4.test.").add("mx.sf4.test. 0 IN A 127.0.0.3")
                .rcode("mx.sf4.test.", "AAAA", Rcode.SERVFAIL)
                .add("sf6.test. 0 IN MX 10 mx.sf6.test.").add("mx.sf6.test. 0 IN AAAA ::1")
                .rcode("mx.sf6.test.", "A", Rcode.SERVFAIL)
                // both families fail: no address at all
                .add("broken.test. 0 IN MX 10 mx.broken.test.")
                .rcode("mx.broken.test.", "A", Rcode.REFUSED).rcode("mx.broken.test.", "AAAA", Rcode.SERVFAIL)
                // one family never answers
                .add("slow6.test. 0 IN MX 10 mx.slow6.test.").add("mx.slow6.test. 0 IN A 127.0.0.4")
                .silent("mx.slow6.test.", "AAAA")
                .add("slow4.test. 0 IN MX 10 mx.slow4.test.").add("mx.slow4.test. 0 IN AAAA ::1")
                .silent("mx.slow4.test.", "A")
                .add("silent.test. 0 IN MX 10 mx.silent.test.").add("mx.silent.test. 0 IN TXT \"nothing\"")
                .silent("mx.silent.test.", "A").silent("mx.silent.test.", "AAAA")
                // answers, not failures: NODATA for AAAA, NXDOMAIN for AAAA alone
                .add("nodata6.test. 0 IN MX 10 mx.nodata6.test.").add("mx.nodata6.test. 0 IN A 127.0.0.5")
                .add("nx6.test. 0 IN MX 10 mx.nx6.test.").add("mx.nx6.test. 0 IN A 127.0.0.6")
                .rcode("mx.nx6.test.", "AAAA", Rcode.NXDOMAIN)
                // AAAA fails and A has none: nothing resolved, so for now (as before)
                .add("nodata4.test. 0 IN MX 10 mx.nodata4.test.").add("mx.nodata4.test. 0 IN TXT \"no A\"")
                .rcode("mx.nodata4.test.", "AAAA", Rcode.SERVFAIL)
                // A NXDOMAIN: the name does not exist, whatever AAAA says (as before, when A was asked first)
                .add("nx4.test. 0 IN MX 10 mx.nx4.test.").rcode("mx.nx4.test.", "A", Rcode.NXDOMAIN)
                .rcode("mx.nx4.test.", "AAAA", Rcode.SERVFAIL)
                // implicit MX: no MX record, the domain's own A, its AAAA refused
                .add("implicit4.test. 0 IN A 127.0.0.7").rcode("implicit4.test.", "AAAA", Rcode.REFUSED)
                .add("implicitbroken.test. 0 IN TXT \"no MX, no address\"")
                .rcode("implicitbroken.test.", "A", Rcode.REFUSED).rcode("implicitbroken.test.", "AAAA", Rcode.REFUSED)
                // two MX hosts, the better one without any address that resolves
                .add("two.test. 0 IN MX 10 mx.broken.test.").add("two.test. 0 IN MX 20 mx.v4.test.");
        executor = Executors.newCachedThreadPool();
        InetSocketAddress server = new InetSocketAddress("127.0.0.1", Integer.parseInt(dns.server().split(":")[1]));
        resolver = new MxResolver(List.of(server), TIMEOUT, true, executor);
    }

    @AfterAll
    static void stop() {
        dns.close();
        executor.shutdownNow();
    }

    private static List<String> addressesOf(String domain) throws ResolutionException {
        return resolver.resolve(domain).get(0).addresses().stream().map(InetAddress::getHostAddress).toList();
    }

    @ParameterizedTest(name = "{0}: {2} {3}")
    @CsvSource({
        "v4.test,  127.0.0.2,       AAAA, REFUSED",
        "v6.test,  0:0:0:0:0:0:0:1, A,    REFUSED",
        "sf4.test, 127.0.0.3,       AAAA, SERVFAIL",
        "sf6.test, 0:0:0:0:0:0:0:1, A,    SERVFAIL" })
    void oneFamilyFailingLeavesTheOther(String domain, String address, String failedType, String rcode) throws Exception {
        try (LogLines log = LogLines.capture()) {
            assertEquals(List.of(address), addressesOf(domain));
            String host = "mx." + domain;
            List<String> warned = log.containing(host);
            assertEquals(1, warned.size(), () -> "one line about " + host + ": " + log.events());
            String line = warned.get(0);
            assertTrue(line.startsWith("WARN MxResolver - DNS lookup of " + host + " " + failedType + " failed: " + rcode
                                       + ";"), line);
            assertEquals(line.length() - 1, line.indexOf('\n'), () -> "one line: " + line);
        }
    }

    @Test
    void bothFamiliesFailingFailsForNowNamingBoth() throws Exception {
        MxHost host = resolver.resolve("broken.test").get(0);
        ResolutionException e = assertThrows(ResolutionException.class, host::addresses);
        assertTrue(e.isTransient());
        assertEquals(451, e.reply().code());
        assertEquals("4.4.3", e.reply().enhancedStatus());
        assertEquals("DNS lookup of mx.broken.test failed: A REFUSED, AAAA SERVFAIL", e.reply().text());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({ "slow6.test, 127.0.0.4, AAAA", "slow4.test, 0:0:0:0:0:0:0:1, A" })
    void familyThatNeverAnswersDelaysByAtMostTheTimeout(String domain, String address, String silentType) throws Exception {
        MxHost host = resolver.resolve(domain).get(0);
        try (LogLines log = LogLines.capture()) {
            long t0 = System.nanoTime();
            List<InetAddress> addresses = host.addresses();
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertEquals(List.of(address), addresses.stream().map(InetAddress::getHostAddress).toList());
            assertTrue(ms < TIMEOUT.toMillis() + 400, "waited " + ms + " ms with dnsTimeout " + TIMEOUT);
            List<String> warned = log.containing("mx." + domain);
            assertEquals(1, warned.size(), () -> log.events().toString());
            assertTrue(warned.get(0).contains(" " + silentType + " failed: timed out;"), warned.get(0));
        }
    }

    @Test
    void noAnswerForEitherFamilyFailsForNow() throws Exception {
        MxHost host = resolver.resolve("silent.test").get(0);
        long t0 = System.nanoTime();
        ResolutionException e = assertThrows(ResolutionException.class, host::addresses);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertEquals("4.4.3", e.reply().enhancedStatus());
        assertEquals("DNS lookup of mx.silent.test failed: A timed out, AAAA timed out", e.reply().text());
        assertTrue(ms < TIMEOUT.multipliedBy(3).plusSeconds(2).toMillis(), "waited " + ms + " ms");
    }

    @Test
    void nodataAndNxdomainForOneFamilyAreAnswersNotFailures() throws Exception {
        try (LogLines log = LogLines.capture()) {
            assertEquals(List.of("127.0.0.5"), addressesOf("nodata6.test"));
            assertEquals(List.of("127.0.0.6"), addressesOf("nx6.test"));
            assertEquals(List.of(), log.containing("WARN"), "nothing failed");
        }
        MxHost host = resolver.resolve("nodata4.test").get(0);
        ResolutionException e = assertThrows(ResolutionException.class, host::addresses);
        assertTrue(e.isTransient(), "a failure and no address: for now, as before");
        assertEquals("DNS lookup of mx.nodata4.test failed: A none, AAAA SERVFAIL", e.reply().text());
        MxHost nx = resolver.resolve("nx4.test").get(0);
        ResolutionException none = assertThrows(ResolutionException.class, nx::addresses);
        assertEquals("550 5.4.4", none.reply().code() + " " + none.reply().enhancedStatus(), none.reply()::text);
    }

    @Test
    void implicitMxFollowsTheSameRule() throws Exception {
        List<MxHost> hosts = resolver.resolve("implicit4.test");
        assertEquals("implicit4.test", hosts.get(0).name());
        assertEquals(List.of("127.0.0.7"), hosts.get(0).addresses().stream().map(InetAddress::getHostAddress).toList());
        MxHost broken = resolver.resolve("implicitbroken.test").get(0);
        ResolutionException e = assertThrows(ResolutionException.class, broken::addresses);
        assertTrue(e.isTransient());
        assertEquals("DNS lookup of implicitbroken.test failed: A REFUSED, AAAA REFUSED", e.reply().text());
    }

    @Test
    void smartHostByNameFollowsTheSameRule() throws Exception {
        assertEquals(List.of("127.0.0.2"), resolver.hostAddresses("mx.v4.test").stream().map(InetAddress::getHostAddress).toList());
        assertEquals(List.of("0:0:0:0:0:0:0:1"),
                resolver.hostAddresses("mx.v6.test").stream().map(InetAddress::getHostAddress).toList());
        ResolutionException e = assertThrows(ResolutionException.class, () -> resolver.hostAddresses("mx.broken.test"));
        assertEquals(451, e.reply().code());
        assertEquals("DNS lookup of mx.broken.test failed: A REFUSED, AAAA SERVFAIL", e.reply().text());
    }

    @Test
    void aHostWithoutAnyResolvedAddressDoesNotHideTheNext() throws Exception {
        List<MxHost> hosts = resolver.resolve("two.test");
        assertEquals(List.of("mx.broken.test", "mx.v4.test"), hosts.stream().map(MxHost::name).toList());
        assertFalse(assertThrows(ResolutionException.class, hosts.get(0)::addresses).reply().isPermanent());
        assertEquals("127.0.0.2", hosts.get(1).addresses().get(0).getHostAddress());
    }
}

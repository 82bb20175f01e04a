package io.camelsmtp.smtp.auth.spf;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import io.camelsmtp.smtp.auth.dns.TxtResolver;
import io.camelsmtp.smtp.auth.support.ZoneDns;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Name;
import org.xbill.DNS.TXTRecord;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Hostile SPF data served by a DNS server on a free port: loops, recursion and look-up bombs, void look-ups, oversize
 * and duplicate records, a DNS that is slow or silent. Each gives its RFC 7208 result within a bounded time and a
 * bounded number of queries; nothing throws.
 */
class SpfBadInputTest {

    static final Set<String> RESULTS = Set.of("pass", "fail", "softfail", "neutral", "none", "temperror", "permerror");
    static ExecutorService pool;
    ZoneDns dns;

    @BeforeAll
    static void pool() {
        pool = Executors.newCachedThreadPool();
    }

    @AfterAll
    static void stopPool() {
        pool.shutdownNow();
    }

    @BeforeEach
    void start() throws Exception {
        dns = new ZoneDns();
    }

    @AfterEach
    void stop() {
        dns.close();
    }

    private SpfResult check(String from, long budgetMillis) {
        SpfEvaluator spf = new SpfEvaluator(new TxtResolver(TxtResolver.servers(dns.server()), Duration.ofMillis(300), pool),
                budgetMillis, "mx.test");
        return assertTimeoutPreemptively(Duration.ofSeconds(15), () -> spf.check("192.0.2.1", "client.test", from));
    }

    private SpfResult check(String from) {
        return check(from, 20_000);
    }

    @Test
    void anIncludeLoopIsAPermerrorAfterTenLookups() throws Exception {
        dns.add("a.test. 60 IN TXT \"v=spf1 include:b.test -all\"").add("b.test. 60 IN TXT \"v=spf1 include:a.test -all\"");
        assertEquals("permerror", check("x@a.test").result());
        assertTrue(dns.questions() <= 12, "bounded: " + dns.questions() + " queries");
    }

    @Test
    void aDeepIncludeChainIsAPermerror() throws Exception {
        for (int i = 0; i < 30; i++) {
            dns.add("c" + i + ".test. 60 IN TXT \"v=spf1 include:c" + (i + 1) + ".test -all\"");
        }
        assertEquals("permerror", check("x@c0.test").result());
        assertTrue(dns.questions() <= 12, "bounded: " + dns.questions() + " queries");
    }

    @Test
    void elevenMechanismsThatLookUpAreAPermerror() throws Exception {
        StringBuilder ten = new StringBuilder("v=spf1");
        for (int i = 0; i < 10; i++) {
            ten.append(" a:h").append(i).append(".test");
            dns.add("h" + i + ".test. 60 IN A 198.51.100.1");
        }
        dns.add("ten.test. 60 IN TXT \"" + ten + " -all\"");
        dns.add("eleven.test. 60 IN TXT \"" + ten + " a:h0.test -all\"");
        assertEquals("fail", check("x@ten.test").result(), "ten are allowed");
        assertEquals("permerror", check("x@eleven.test").result());
    }

    @Test
    void anMxBombIsBounded() throws Exception {
        StringBuilder eleven = new StringBuilder();
        for (int i = 0; i < 11; i++) {
            dns.add("m.test. 60 IN MX " + i + " mx" + i + ".m.test.");
            dns.add("mx" + i + ".m.test. 60 IN A 198.51.100.1");
        }
        dns.add("m.test. 60 IN TXT \"v=spf1 mx -all\"");
        assertEquals("permerror", check("x@m.test").result(), "more than 10 MX names (RFC 7208 4.6.4)");
        // ten mx mechanisms of ten names each: at most 10 x 11 queries, then the limits
        StringBuilder many = new StringBuilder("v=spf1");
        for (int i = 0; i < 10; i++) {
            many.append(" mx:n").append(i).append(".test");
            for (int j = 0; j < 10; j++) {
                dns.add("n" + i + ".test. 60 IN MX " + j + " x" + j + ".n" + i + ".test.");
                dns.add("x" + j + ".n" + i + ".test. 60 IN A 198.51.100." + (j + 2));
            }
        }
        dns.add("many.test. 60 IN TXT \"" + many + " -all\"");
        int before = dns.questions();
        assertEquals("fail", check("x@many.test").result());
        assertTrue(dns.questions() - before <= BoundedSpfExecutor.MAX_QUERIES, "bounded: " + (dns.questions() - before));
    }

    @Test
    void threeVoidLookupsAreAPermerrorTwoAreNot() throws Exception {
        dns.add("two.test. 60 IN TXT \"v=spf1 a:no1.test a:no2.test -all\"");
        dns.add("three.test. 60 IN TXT \"v=spf1 a:no1.test a:no2.test a:no3.test -all\"");
        dns.add("nodata.test. 60 IN TXT \"v=spf1 a:two.test mx:two.test a:three.test -all\""); // names without A/MX
        assertEquals("fail", check("x@two.test").result());
        assertEquals("permerror", check("x@three.test").result());
        assertEquals("permerror", check("x@nodata.test").result(), "NODATA counts as void too");
    }

    @Test
    void twoSpfRecordsAreAPermerror() throws Exception {
        dns.add("two-records.test. 60 IN TXT \"v=spf1 +all\"").add("two-records.test. 60 IN TXT \"v=spf1 -all\"");
        assertEquals("permerror", check("x@two-records.test").result());
    }

    @Test
    void aRecordOf200StringsIsAPermerrorAndOtherTxtRecordsDoNotMatter() throws Exception {
        List<String> strings = new ArrayList<>();
        strings.add("v=spf1 ");
        for (int i = 0; i < 199; i++) {
            strings.add("ip4:198.51.100." + (i % 250) + " ".repeat(10)); // 200 strings, ~5800 characters
        }
        dns.zone(java.util.Map.of());
        ZoneDns.Node node = new ZoneDns.Node(List.of(new TXTRecord(Name.fromString("big.test."), DClass.IN, 60, strings)), false);
        List<org.xbill.DNS.Record> noise = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            noise.add(new TXTRecord(Name.fromString("noisy.test."), DClass.IN, 60, "verification-" + i + "x".repeat(20)));
        }
        noise.add(new TXTRecord(Name.fromString("noisy.test."), DClass.IN, 60, "v=spf1 -all"));
        dns.zone(java.util.Map.of(Name.fromString("big.test."), node, Name.fromString("noisy.test."),
                new ZoneDns.Node(noise, false)));
        SpfResult big = check("x@big.test");
        assertEquals("permerror", big.result(), "a record longer than " + SpfDns.MAX_TXT_LENGTH + " characters");
        String noisy = check("x@noisy.test").result();
        assertTrue(noisy.equals("fail") || noisy.equals("none"), "200 other TXT records: " + noisy);
    }

    @Test
    void aSilentDnsIsATemperrorWithinTheTimeouts() throws Exception {
        dns.silentTimeouts(true);
        dns.timeout("silent.test");
        long t0 = System.nanoTime();
        assertEquals("temperror", check("x@silent.test").result());
        assertTrue(System.nanoTime() - t0 < 5_000_000_000L, "bounded by dnsTimeout");
        dns.add("inc.test. 60 IN TXT \"v=spf1 include:silent.test -all\"");
        assertEquals("temperror", check("x@inc.test").result());
    }

    @Test
    void aSlowDnsRunsIntoTheDeadline() throws Exception {
        StringBuilder ten = new StringBuilder("v=spf1");
        for (int i = 0; i < 9; i++) {
            ten.append(" a:s").append(i).append(".test");
            dns.add("s" + i + ".test. 60 IN A 198.51.100.1");
        }
        dns.add("slow.test. 60 IN TXT \"" + ten + " -all\"");
        dns.delay(150);
        long t0 = System.nanoTime();
        assertEquals("temperror", check("x@slow.test", 500).result());
        assertTrue(System.nanoTime() - t0 < 2_000_000_000L, "stopped at the deadline");
    }

    @Test
    void macroBombsAreBounded() throws Exception {
        dns.add("macro.test. 60 IN TXT \"v=spf1 exists:%{l}%{l}%{l}%{l}%{l}%{l}.%{d}.%{d}.%{d}.%{d}.%{d} -all\"");
        String r = check(("a".repeat(60) + ".").repeat(4) + "b@macro.test").result();
        assertTrue(RESULTS.contains(r), r);
        dns.add("bad-macro.test. 60 IN TXT \"v=spf1 exists:%{z} -all\"");
        assertEquals("permerror", check("x@bad-macro.test").result());
    }

    @Test
    void randomRecordsNeverThrow() throws Exception {
        String[] parts = { "v=spf1", " ", "a", "mx", "ptr", "include:", "exists:", "redirect=", "exp=", "ip4:", "ip6:",
                "/", "//", "%{", "}", "%%", "%_", "%-", "-", "~", "?", "+", "all", "r.test", "1.2.3.4", "::1", "=", ":",
                "\u0000", "\u00ff", "\t", "%{ir}", "%{d2}", "%{l-}", ".", "..", "0", "99999999999" };
        Random random = new Random(42);
        for (int i = 0; i < 300; i++) {
            StringBuilder sb = new StringBuilder("v=spf1 ");
            for (int j = random.nextInt(12); j > 0; j--) {
                sb.append(parts[random.nextInt(parts.length)]);
            }
            String record = sb.toString();
            dns.zone(java.util.Map.of(Name.fromString("r.test."), new ZoneDns.Node(List.of(
                    new TXTRecord(Name.fromString("r.test."), DClass.IN, 60, record)), false)));
            SpfResult r = check("x@r.test");
            assertTrue(RESULTS.contains(r.result()), record + " -> " + r);
        }
    }

    @Test
    void clientInputThatIsNoAddressOrDomainGivesAResult() {
        SpfEvaluator spf = new SpfEvaluator(new TxtResolver(TxtResolver.servers(dns.server()), Duration.ofMillis(300), pool),
                5000, "mx.test");
        assertEquals("none", spf.check("192.0.2.1", "[192.0.2.1]", "").result(), "a literal HELO is no domain");
        assertEquals("none", spf.check("192.0.2.1", "x", "user@localhost").result());
        assertEquals("permerror", spf.check("not-an-ip", "client.test", "x@a.test").result());
        assertEquals("none", spf.check("192.0.2.1", "client.test", "x@" + "a".repeat(64) + ".test").result());
        assertTrue(RESULTS.contains(spf.check(null, null, null).result()));
    }
}

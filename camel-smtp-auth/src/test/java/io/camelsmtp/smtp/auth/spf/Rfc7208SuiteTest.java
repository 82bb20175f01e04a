package io.camelsmtp.smtp.auth.spf;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutorService;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

import io.camelsmtp.smtp.auth.dns.TxtResolver;
import io.camelsmtp.smtp.auth.support.ZoneDns;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.PTRRecord;
import org.xbill.DNS.Record;
import org.xbill.DNS.SPFRecord;
import org.xbill.DNS.TXTRecord;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The SPF project's RFC 7208 test suite (release 2014.04, the one pyspf and jSPF use), read from Debian's python3-spf
 * package (its licence does not clearly allow a copy here), through {@link SpfEvaluator}: each scenario's zone data is
 * served by an in-JVM DNS server to our resolver, as a real DNS would. SPF entries are also served as TXT unless the
 * name has TXT data (the suite's rule); TIMEOUT is a SERVFAIL. Every test case is one dynamic test; a case listed in
 * {@link #KNOWN} must give the result written there (and the reason is printed), so a change either way is seen.
 */
class Rfc7208SuiteTest {

    static final Path SUITE = Path.of("/usr/share/doc/python3-spf/rfc7208-tests.yml.gz");

    /** Cases where our result is not one the suite allows: the result we give, and why. */
    static final Map<String, String[]> KNOWN = Map.of();

    /** Cases with the right result but another explanation text: ours, and why. */
    static final Map<String, String[]> KNOWN_EXPLANATIONS = Map.of("upper-macro", new String[] {
            "http://example.com/why.html?l=%7Ejack%26jill%3Dup-a_b3.c",
            "jSPF URL-escapes '~' in upper-case macros (java.net.URLEncoder); RFC 7208 7.3 and RFC 3986 leave it "
            + "unescaped. Only the text of an explanation or an expanded name differs; fixing it means a copy of jSPF's "
            + "MacroExpand, whose encoder is private" });

    static ZoneDns dns;
    static ExecutorService pool;

    @BeforeAll
    static void start() throws Exception {
        dns = new ZoneDns();
        pool = Executors.newCachedThreadPool();
    }

    @AfterAll
    static void stop() {
        dns.close();
        pool.shutdownNow();
    }

    @TestFactory
    Stream<DynamicTest> rfc7208Suite() throws Exception {
        if (!Files.exists(SUITE)) {
            System.err.println("*** SKIPPED: " + SUITE + " is missing (apt-get install python3-spf): the RFC 7208 suite "
                               + "was not run");
        }
        assumeTrue(Files.exists(SUITE), SUITE + " is missing (apt-get install python3-spf)");
        List<DynamicTest> tests = new ArrayList<>();
        try (InputStream in = new GZIPInputStream(Files.newInputStream(SUITE))) {
            for (Object doc : new Load(LoadSettings.builder().build()).loadAllFromInputStream(in)) {
                Map<?, ?> scenario = (Map<?, ?>) doc;
                Map<Name, ZoneDns.Node> zone = zone((Map<?, ?>) scenario.get("zonedata"));
                String description = String.valueOf(scenario.get("description"));
                for (Map.Entry<?, ?> t : ((Map<?, ?>) scenario.get("tests")).entrySet()) {
                    String id = String.valueOf(t.getKey());
                    Map<?, ?> c = (Map<?, ?>) t.getValue();
                    tests.add(DynamicTest.dynamicTest(description + ": " + id, () -> run(id, zone, c)));
                }
            }
        }
        assertTrue(tests.size() > 150, "the suite has its cases: " + tests.size());
        return tests.stream();
    }

    private static void run(String id, Map<Name, ZoneDns.Node> zone, Map<?, ?> c) {
        dns.zone(zone);
        // a fresh resolver (and cache) per case: the scenarios reuse names with other data
        TxtResolver resolver = new TxtResolver(TxtResolver.servers(dns.server()), Duration.ofMillis(500), pool);
        SpfEvaluator spf = new SpfEvaluator(resolver, 10_000, "receiver.test", "DEFAULT");
        SpfResult r = spf.check(String.valueOf(c.get("host")), String.valueOf(c.get("helo")),
                String.valueOf(c.get("mailfrom")));
        List<String> allowed = new ArrayList<>();
        if (c.get("result") instanceof List<?> l) {
            l.forEach(x -> allowed.add(String.valueOf(x)));
        } else {
            allowed.add(String.valueOf(c.get("result")));
        }
        String[] known = KNOWN.get(id);
        if (known != null) {
            System.err.println("RFC 7208 suite: " + id + " gives " + r.result() + ", the suite wants " + allowed + ": "
                               + known[1]);
            assertEquals(known[0], r.result(), id + ": the known deviation changed: " + r);
            return;
        }
        assertTrue(allowed.contains(r.result()), id + ": " + r.result() + " is not one of " + allowed + " (" + r + ")");
        String[] knownExplanation = KNOWN_EXPLANATIONS.get(id);
        if (knownExplanation != null) {
            System.err.println("RFC 7208 suite: " + id + " explains '" + r.explanation() + "', the suite wants '"
                               + c.get("explanation") + "': " + knownExplanation[1]);
            assertEquals(knownExplanation[0], r.explanation(), id + ": the known deviation changed");
        } else if (c.get("explanation") != null && "fail".equals(r.result())) {
            assertEquals(String.valueOf(c.get("explanation")), r.explanation(), id + ": explanation");
        }
    }

    /** The suite's zonedata as records (see the class comment for its rules). */
    static Map<Name, ZoneDns.Node> zone(Map<?, ?> data) throws Exception {
        Map<Name, ZoneDns.Node> zone = new LinkedHashMap<>();
        if (data == null) {
            return zone;
        }
        for (Map.Entry<?, ?> e : data.entrySet()) {
            Name name;
            try {
                name = Name.fromString(e.getKey() + ".");
            } catch (Exception notAName) {
                continue; // a label over 63 octets: no DNS server can hold it
            }
            List<Record> records = new ArrayList<>();
            List<List<String>> spf = new ArrayList<>();
            boolean hasTxt = false;
            boolean timeout = false;
            for (Object entry : (List<?>) e.getValue()) {
                if ("TIMEOUT".equals(entry)) {
                    timeout = true;
                    continue;
                }
                for (Map.Entry<?, ?> rr : ((Map<?, ?>) entry).entrySet()) {
                    String type = String.valueOf(rr.getKey());
                    Object v = rr.getValue();
                    switch (type) {
                        case "A" -> records.add(new ARecord(name, DClass.IN, 60, java.net.InetAddress.getByName(String.valueOf(v))));
                        case "AAAA" -> records.add(new AAAARecord(name, DClass.IN, 60, java.net.InetAddress.getByName(String.valueOf(v))));
                        case "MX" -> {
                            List<?> mx = (List<?>) v;
                            records.add(new MXRecord(name, DClass.IN, 60, ((Number) mx.get(0)).intValue(), absolute(mx.get(1))));
                        }
                        case "PTR" -> records.add(new PTRRecord(name, DClass.IN, 60, absolute(v)));
                        case "CNAME" -> records.add(new CNAMERecord(name, DClass.IN, 60, absolute(v)));
                        case "TXT" -> {
                            hasTxt = true;
                            if (!"NONE".equals(v)) {
                                records.add(new TXTRecord(name, DClass.IN, 60, strings(v)));
                            }
                        }
                        case "SPF" -> {
                            spf.add(strings(v));
                            records.add(new SPFRecord(name, DClass.IN, 60, strings(v)));
                        }
                        default -> throw new IllegalArgumentException("zonedata type " + type);
                    }
                }
            }
            if (!hasTxt) {
                for (List<String> s : spf) {
                    records.add(new TXTRecord(name, DClass.IN, 60, s));
                }
            }
            zone.put(name, new ZoneDns.Node(records, timeout));
        }
        return zone;
    }

    private static Name absolute(Object v) throws Exception {
        String s = String.valueOf(v);
        return Name.fromString(s.endsWith(".") ? s : s + ".");
    }

    /** A TXT value: one string or a list; strings over 255 octets split as a publisher would. */
    private static List<String> strings(Object v) {
        List<String> in = new ArrayList<>();
        if (v instanceof List<?> l) {
            l.forEach(x -> in.add(String.valueOf(x)));
        } else {
            in.add(String.valueOf(v));
        }
        List<String> out = new ArrayList<>();
        for (String s : in) {
            if (s.isEmpty()) {
                out.add(s);
            }
            for (int i = 0; i < s.length(); i += 255) {
                out.add(s.substring(i, Math.min(s.length(), i + 255)));
            }
        }
        return out;
    }
}

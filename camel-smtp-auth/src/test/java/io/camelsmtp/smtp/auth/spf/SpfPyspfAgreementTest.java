package io.camelsmtp.smtp.auth.spf;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import io.camelsmtp.smtp.auth.dns.TxtResolver;
import io.camelsmtp.smtp.auth.support.Judges;
import org.apache.camel.test.AvailablePortFinder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Our SPF verdicts equal pyspf's (Debian's python3-spf, the reference implementation of the RFC 7208 suite's authors)
 * on the same records, served to both by a real dnsmasq on a free port: every mechanism, redirect, macros, IPv6, the
 * null sender, the look-up and void limits, two records, a syntax error, no record.
 */
class SpfPyspfAgreementTest {

    @TempDir
    Path dir;

    static final String ZONE = """
            local=/spf.test/
            local=/2.0.192.in-addr.arpa/
            txt-record=ip4.spf.test,"v=spf1 ip4:192.0.2.0/24 -all"
            txt-record=soft.spf.test,"v=spf1 ip4:198.51.100.1 ~all"
            txt-record=neutral.spf.test,"v=spf1 ?all"
            txt-record=inc.spf.test,"v=spf1 include:ip4.spf.test -all"
            txt-record=inc-none.spf.test,"v=spf1 include:nothing.spf.test -all"
            txt-record=redir.spf.test,"v=spf1 redirect=ip4.spf.test"
            txt-record=a.spf.test,"v=spf1 a:host.spf.test -all"
            host-record=host.spf.test,192.0.2.10,2001:db8::10
            txt-record=mx.spf.test,"v=spf1 mx -all"
            mx-host=mx.spf.test,host.spf.test,10
            txt-record=ptr.spf.test,"v=spf1 ptr -all"
            ptr-record=10.2.0.192.in-addr.arpa,host.ptr.spf.test
            host-record=host.ptr.spf.test,192.0.2.10
            txt-record=exists.spf.test,"v=spf1 exists:%{ir}.list.spf.test -all"
            host-record=10.2.0.192.list.spf.test,127.0.0.2
            txt-record=ip6.spf.test,"v=spf1 ip6:2001:db8::/32 -all"
            txt-record=helo.spf.test,"v=spf1 a -all"
            host-record=helo.spf.test,192.0.2.10
            txt-record=void.spf.test,"v=spf1 a:n1.spf.test a:n2.spf.test a:n3.spf.test -all"
            txt-record=two.spf.test,"v=spf1 -all"
            txt-record=two.spf.test,"v=spf1 +all"
            txt-record=syntax.spf.test,"v=spf1 ip4:192.0.2.300 -all"
            txt-record=many.spf.test,"v=spf1 a:host.spf.test a:host.spf.test a:host.spf.test a:host.spf.test a:host.spf.test a:host.spf.test a:host.spf.test a:host.spf.test a:host.spf.test a:host.spf.test a:host.spf.test -all"
            txt-record=multi.spf.test,"v=spf1 ip4:198.51.100.0/24 ","ip4:192.0.2.0/24 -all"
            txt-record=macro.spf.test,"v=spf1 exists:%{l}.%{o}.users.spf.test -all"
            host-record=alice.macro.spf.test.users.spf.test,127.0.0.2
            """;

    /** ip, helo, mail from ("-" for the null sender). */
    static final String[][] CASES = {
            { "192.0.2.10", "c.test", "x@ip4.spf.test" },
            { "203.0.113.5", "c.test", "x@ip4.spf.test" },
            { "203.0.113.5", "c.test", "x@soft.spf.test" },
            { "203.0.113.5", "c.test", "x@neutral.spf.test" },
            { "203.0.113.5", "c.test", "x@nothing.spf.test" },
            { "192.0.2.10", "c.test", "x@inc.spf.test" },
            { "203.0.113.5", "c.test", "x@inc.spf.test" },
            { "192.0.2.10", "c.test", "x@inc-none.spf.test" },
            { "192.0.2.10", "c.test", "x@redir.spf.test" },
            { "203.0.113.5", "c.test", "x@redir.spf.test" },
            { "192.0.2.10", "c.test", "x@a.spf.test" },
            { "2001:db8::10", "c.test", "x@a.spf.test" },
            { "192.0.2.11", "c.test", "x@a.spf.test" },
            { "192.0.2.10", "c.test", "x@mx.spf.test" },
            { "192.0.2.10", "c.test", "x@ptr.spf.test" },
            { "192.0.2.11", "c.test", "x@ptr.spf.test" },
            { "192.0.2.10", "c.test", "x@exists.spf.test" },
            { "192.0.2.11", "c.test", "x@exists.spf.test" },
            { "2001:db8::1", "c.test", "x@ip6.spf.test" },
            { "2001:db9::1", "c.test", "x@ip6.spf.test" },
            { "192.0.2.10", "helo.spf.test", "-" },
            { "192.0.2.11", "helo.spf.test", "-" },
            { "192.0.2.10", "c.test", "x@void.spf.test" },
            { "192.0.2.10", "c.test", "x@two.spf.test" },
            { "192.0.2.10", "c.test", "x@syntax.spf.test" },
            { "192.0.2.10", "c.test", "x@many.spf.test" }, // matches before the 11th look-up
            { "192.0.2.11", "c.test", "x@many.spf.test" }, // needs the 11th: permerror
            { "192.0.2.10", "c.test", "x@multi.spf.test" },
            { "192.0.2.10", "c.test", "alice@macro.spf.test" },
            { "192.0.2.10", "c.test", "bob@macro.spf.test" },
    };

    @Test
    void ourVerdictsArePyspfsOnTheSameRecords() throws Exception {
        int port = AvailablePortFinder.getNextAvailable();
        Path conf = Files.writeString(dir.resolve("dnsmasq.conf"), "port=" + port + "\nlisten-address=127.0.0.1\n"
                + "bind-interfaces\nno-resolv\nno-hosts\nkeep-in-foreground\nlog-facility=-\npid-file=\nuser=\n" + ZONE);
        Process dnsmasq;
        try {
            dnsmasq = new ProcessBuilder("dnsmasq", "-C", conf.toString()).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("dnsmasq.log").toFile()).start();
        } catch (IOException e) {
            System.err.println("*** SKIPPED: dnsmasq is not installed (apt-get install dnsmasq-base): " + e);
            assumeTrue(false, "dnsmasq is not installed");
            return;
        }
        ExecutorService pool = Executors.newCachedThreadPool();
        try {
            SpfEvaluator ours = new SpfEvaluator(new TxtResolver(TxtResolver.servers("127.0.0.1:" + port),
                    Duration.ofSeconds(2), pool), 20_000, "mx.test");
            waitForDns(ours, dnsmasq, dir.resolve("dnsmasq.log"));
            List<String> theirs = pyspf(port);
            List<String> mismatches = new ArrayList<>();
            for (int i = 0; i < CASES.length; i++) {
                String[] c = CASES[i];
                String r = ours.check(c[0], c[1], c[2].equals("-") ? "" : c[2]).result();
                System.out.println("SPF " + String.join(" ", c) + ": ours " + r + ", pyspf " + theirs.get(i));
                if (!r.equals(theirs.get(i))) {
                    mismatches.add(String.join(" ", c) + ": ours " + r + ", pyspf " + theirs.get(i));
                }
            }
            assertEquals(List.of(), mismatches);
            assertTrue(theirs.containsAll(List.of("pass", "fail", "softfail", "neutral", "none", "permerror")),
                    "the cases cover the results: " + theirs);
        } finally {
            pool.shutdownNow();
            dnsmasq.destroy();
            dnsmasq.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static void waitForDns(SpfEvaluator ours, Process dnsmasq, Path log) throws Exception {
        for (int i = 0; i < 50; i++) {
            if (!dnsmasq.isAlive()) {
                throw new IllegalStateException("dnsmasq exited: " + Files.readString(log));
            }
            if (ours.check("192.0.2.10", "c.test", "x@ip4.spf.test").is("pass")) {
                return;
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("dnsmasq does not answer: " + Files.readString(log));
    }

    private List<String> pyspf(int port) throws Exception {
        Path script = dir.resolve("pyspf_judge.py");
        try (InputStream in = SpfPyspfAgreementTest.class.getResourceAsStream("/judges/pyspf_judge.py")) {
            Files.write(script, in.readAllBytes());
        }
        Process p;
        try {
            p = new ProcessBuilder(Judges.PYTHON, script.toString(), "127.0.0.1", String.valueOf(port))
                    .redirectError(dir.resolve("pyspf.err").toFile()).start();
        } catch (IOException e) {
            System.err.println("*** SKIPPED: " + Judges.PYTHON + " is missing: " + e);
            assumeTrue(false, Judges.PYTHON + " is missing");
            throw e;
        }
        StringBuilder stdin = new StringBuilder();
        for (String[] c : CASES) {
            stdin.append(String.join(" ", c)).append('\n');
        }
        try (var os = p.getOutputStream()) {
            os.write(stdin.toString().getBytes(StandardCharsets.US_ASCII));
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "pyspf did not finish");
        String err = Files.readString(dir.resolve("pyspf.err"));
        if (err.contains("No module named 'spf'") || err.contains("No module named 'dns'")) {
            System.err.println("*** SKIPPED: python3-spf is not installed: " + err);
            assumeTrue(false, "python3-spf is not installed");
        }
        List<String> results = List.of(out.strip().split("\n"));
        assertEquals(CASES.length, results.size(), "pyspf: " + out + err);
        return results;
    }
}

package io.camelsmtp.smtp.auth;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import io.camelsmtp.smtp.auth.support.BlocklistDns;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.test.AvailablePortFinder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.Type;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code smtp-auth:dnsbl} on an {@code smtp-server} connect policy, clients connecting from loopback addresses
 * (127.0.0.2 is RFC 5782's test entry, asked as 2.0.0.127.zone), the lists served by {@link BlocklistDns} on a free
 * port: listed clients get 554 5.7.1 with the list's reason as the greeting; failing, hostile or refusing lists never
 * block; reasons are made safe; answers are cached; zones are asked in parallel within one time-out.
 */
class DnsblRouteTest {

    private static final String Q2 = "2.0.0.127.";
    private final List<CamelContext> contexts = new ArrayList<>();
    private final List<Exchange> policyExchanges = Collections.synchronizedList(new ArrayList<>());
    private BlocklistDns dns;
    private int port;

    @AfterEach
    void stop() throws Exception {
        for (CamelContext c : contexts) {
            c.stop();
        }
        if (dns != null) {
            dns.close();
        }
    }

    /** A listener on a free port whose connect policy is {@code dnsblUri} (the DNS server is added). */
    private void listen(String host, String dnsblUri) throws Exception {
        port = AvailablePortFinder.getNextAvailable();
        CamelContext c = new DefaultCamelContext();
        contexts.add(c);
        c.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("smtp-server:" + host + ":" + port + "?acceptedDomains=*&maxConnectionsPerIp=0"
                     + "&connectPolicy=direct:connect").to("mock:inbox");
                from("direct:connect").to(dnsblUri + (dnsblUri.contains("?") ? "&" : "?") + "dnsServers=" + dns.server())
                        .process(policyExchanges::add);
            }
        });
        c.start();
    }

    /** The greeting a client bound to {@code from} gets (all its lines), after which it says QUIT. */
    private String greeting(String from) throws IOException {
        return greeting(from, "127.0.0.1");
    }

    private String greeting(String from, String to) throws IOException {
        try (Socket s = new Socket()) {
            s.setSoTimeout(20_000);
            s.bind(new InetSocketAddress(InetAddress.getByName(from), 0));
            s.connect(new InetSocketAddress(InetAddress.getByName(to), port), 5_000);
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1));
            StringBuilder sb = new StringBuilder();
            String line;
            while ((line = in.readLine()) != null) {
                sb.append(line).append('\n');
                if (line.length() < 4 || line.charAt(3) != '-' || sb.length() > 100_000) {
                    break;
                }
            }
            OutputStream out = s.getOutputStream();
            if (sb.toString().startsWith("220")) {
                out.write("QUIT\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
            }
            return sb.toString();
        }
    }

    private Exchange lastPolicy() {
        assertFalse(policyExchanges.isEmpty(), "the policy route ran to its end");
        return policyExchanges.get(policyExchanges.size() - 1);
    }

    @Test
    void aListedClientGets554WithTheListsReasonAndAnUnlistedOneTheGreeting() throws Exception {
        dns = new BlocklistDns().a(Q2 + "bl.test", "127.0.0.2")
                .txt(Q2 + "bl.test", List.of("Listed at bl.test, see http://bl.test/q?127.0.0.2"));
        listen("127.0.0.1", "smtp-auth:dnsbl?zones=bl.test");
        assertEquals("554 5.7.1 Service unavailable; client [127.0.0.2] blocked using bl.test; Listed at bl.test, "
                     + "see http://bl.test/q?127.0.0.2\n", greeting("127.0.0.2"));
        assertTrue(greeting("127.0.0.3").startsWith("220 "), "127.0.0.3 is not listed");
        Exchange e = lastPolicy();
        assertEquals("clean", e.getMessage().getHeader(SmtpAuthConstants.DNSBL_RESULT));
        assertEquals(List.of(), e.getMessage().getHeader(SmtpAuthConstants.DNSBL_LISTED));
    }

    @Test
    void withoutRefusalTheRouteSeesTheZonesCodesAndReason() throws Exception {
        dns = new BlocklistDns().a(Q2 + "bl.test", "127.0.0.2", "127.0.0.4").a(Q2 + "other.test", "127.0.0.10")
                .txt(Q2 + "bl.test", List.of("first ", "string\tand second"));
        listen("127.0.0.1", "smtp-auth:dnsbl?refuseWhenListed=false&zones=bl.test,clean.test,other.test");
        assertTrue(greeting("127.0.0.2").startsWith("220 "));
        Exchange e = lastPolicy();
        assertEquals("listed", e.getMessage().getHeader(SmtpAuthConstants.DNSBL_RESULT));
        assertEquals(List.of("bl.test", "other.test"), e.getMessage().getHeader(SmtpAuthConstants.DNSBL_LISTED));
        assertEquals(List.of("bl.test=127.0.0.2", "bl.test=127.0.0.4", "other.test=127.0.0.10"),
                e.getMessage().getHeader(SmtpAuthConstants.DNSBL_CODES));
        assertEquals("first string and second", e.getMessage().getHeader(SmtpAuthConstants.DNSBL_REASON));
        assertEquals(List.of(), e.getMessage().getHeader(SmtpAuthConstants.DNSBL_FAILED));
    }

    @Test
    void failingAndLyingListsNeverBlock() throws Exception {
        dns = new BlocklistDns().servfail(Q2 + "servfail.test").silent(Q2 + "silent.test")
                .a(Q2 + "wildcard.test", "192.0.2.1")         // outside 127/8: an NXDOMAIN-rewriting resolver
                .a(Q2 + "spamhaus.test", "127.255.255.254")   // Spamhaus: query through an open resolver
                .a(Q2 + "refused.test", "127.0.0.1")          // RFC 5782: never a listing
                .a(Q2 + "mixed.test", "127.0.0.2", "10.0.0.1") // one bad answer makes the whole answer suspect
                .a(Q2 + "wrongtype.test", "127.0.0.2").wrongType(Q2 + "wrongtype.test"); // A asked, TXT answered
        listen("127.0.0.1", "smtp-auth:dnsbl?dnsblTimeout=1500ms&zones=servfail.test,silent.test,wildcard.test,"
                            + "spamhaus.test,refused.test,mixed.test,wrongtype.test");
        long t0 = System.nanoTime();
        assertTrue(greeting("127.0.0.2").startsWith("220 "));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(ms < 5_000, "one overall time-out, not one per list: " + ms + " ms");
        Exchange e = lastPolicy();
        assertEquals("temperror", e.getMessage().getHeader(SmtpAuthConstants.DNSBL_RESULT));
        String failed = e.getMessage().getHeader(SmtpAuthConstants.DNSBL_FAILED).toString();
        for (String z : List.of("servfail.test:", "silent.test: timed out", "wildcard.test: answered 192.0.2.1",
                "spamhaus.test: answered 127.255.255.254", "refused.test: answered 127.0.0.1",
                "mixed.test: answered 10.0.0.1")) {
            assertTrue(failed.contains(z), z + " in " + failed);
        }
        assertFalse(failed.contains("wrongtype.test"), "an answer of the wrong type is no listing, no error: " + failed);
        assertEquals(List.of(), e.getMessage().getHeader(SmtpAuthConstants.DNSBL_LISTED));
    }

    @Test
    void hostileReasonsAreOneBoundedPrintableLine() throws Exception {
        List<String> many = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            many.add("part" + i + " ");
        }
        String tenK = "x".repeat(255);
        List<String> big = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            big.add(tenK);
        }
        dns = new BlocklistDns()
                .a("2.0.0.127.crlf.test", "127.0.0.2")
                .txt("2.0.0.127.crlf.test", List.of("bad\r\n250 2.0.0 Ok\r\nMAIL FROM:<x@y>\u0000\u00e9\u001b[31m"))
                .a("3.0.0.127.many.test", "127.0.0.2").txt("3.0.0.127.many.test", many)
                .a("4.0.0.127.big.test", "127.0.0.2").txt("4.0.0.127.big.test", big);
        String[] thousand = new String[1000];
        for (int i = 0; i < thousand.length; i++) {
            thousand[i] = "127.0." + (i / 250) + "." + (2 + i % 250);
        }
        dns.a("5.0.0.127.codes.test", thousand); // about 16 KB: truncated over UDP, then over TCP
        listen("127.0.0.1", "smtp-auth:dnsbl?refuseWhenListed=false&zones=codes.test");
        assertTrue(greeting("127.0.0.5").startsWith("220 "));
        List<?> codes = lastPolicy().getMessage().getHeader(SmtpAuthConstants.DNSBL_CODES, List.class);
        assertEquals(16, codes.size(), "bounded: " + codes.size());
        assertEquals(List.of("codes.test"), lastPolicy().getMessage().getHeader(SmtpAuthConstants.DNSBL_LISTED));
        listen("127.0.0.1", "smtp-auth:dnsbl?zones=crlf.test,many.test,big.test");
        String crlf = greeting("127.0.0.2");
        assertEquals("554 5.7.1 Service unavailable; client [127.0.0.2] blocked using crlf.test; bad 250 2.0.0 Ok "
                     + "MAIL FROM:<x@y> ?? [31m\n", crlf); // NUL and ESC a space, the two UTF-8 octets of the e-acute '?' each
        for (String from : List.of("127.0.0.3", "127.0.0.4")) {
            String g = greeting(from);
            assertTrue(g.startsWith("554 5.7.1 Service unavailable; client [" + from + "] blocked using "), g);
            assertEquals(1, g.split("\n").length, g);
            assertTrue(g.length() < 512, g.length() + ": " + g);
            assertTrue(g.strip().endsWith("..."), g);
            assertTrue(g.strip().chars().allMatch(ch -> ch >= 32 && ch < 127), g);
        }
    }

    @Test
    void answersAreCachedForTheirTtl() throws Exception {
        dns = new BlocklistDns().a(Q2 + "bl.test", "127.0.0.2").txt(Q2 + "bl.test", List.of("listed"));
        listen("127.0.0.1", "smtp-auth:dnsbl?zones=bl.test");
        for (int i = 0; i < 3; i++) {
            assertTrue(greeting("127.0.0.2").startsWith("554 5.7.1 "));
            assertTrue(greeting("127.0.0.3").startsWith("220 "));
        }
        assertEquals(1, dns.questions(Q2 + "bl.test", Type.A));
        assertEquals(1, dns.questions(Q2 + "bl.test", Type.TXT));
        assertEquals(1, dns.questions("3.0.0.127.bl.test", Type.A), "NXDOMAIN is cached too");
    }

    @Test
    void zonesAreAskedInParallelWithinOneTimeOut() throws Exception {
        dns = new BlocklistDns();
        for (String z : List.of("a.test", "b.test", "c.test", "d.test")) {
            dns.a(Q2 + z, "127.0.0.2").delay(Q2 + z, 700);
        }
        listen("127.0.0.1", "smtp-auth:dnsbl?refuseWhenListed=false&dnsblTimeout=2s&zones=a.test,b.test,c.test,d.test");
        long t0 = System.nanoTime();
        assertTrue(greeting("127.0.0.2").startsWith("220 "));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(List.of("a.test", "b.test", "c.test", "d.test"),
                lastPolicy().getMessage().getHeader(SmtpAuthConstants.DNSBL_LISTED));
        // one after the other would take 4 x 700 ms for A (and as much again for TXT)
        assertTrue(ms < 2_000, "parallel: " + ms + " ms");
    }

    @Test
    void aSilentListDoesNotCostTheReasonOfAListingOne() throws Exception {
        dns = new BlocklistDns().silent(Q2 + "silent.test").a(Q2 + "bl.test", "127.0.0.2")
                .txt(Q2 + "bl.test", List.of("the reason")).delay(Q2 + "bl.test", 200);
        listen("127.0.0.1", "smtp-auth:dnsbl?dnsblTimeout=1s&zones=silent.test,bl.test");
        assertEquals("554 5.7.1 Service unavailable; client [127.0.0.2] blocked using bl.test; the reason\n",
                greeting("127.0.0.2"));
    }

    @Test
    void returnCodesPerZoneAndTheAllowList() throws Exception {
        dns = new BlocklistDns().a(Q2 + "codes.test", "127.0.0.2").a("3.0.0.127.codes.test", "127.0.0.10")
                .a("4.0.0.127.codes.test", "127.0.0.21");
        listen("127.0.0.1", "smtp-auth:dnsbl?zones=codes.test=127.0.0.10,codes.test=127.0.0.20-127.0.0.30"
                            + "&allowList=127.0.0.5/32,10.0.0.0/8");
        assertTrue(greeting("127.0.0.2").startsWith("220 "), "127.0.0.2 is not a code that lists for codes.test");
        assertEquals("clean", lastPolicy().getMessage().getHeader(SmtpAuthConstants.DNSBL_RESULT));
        assertEquals("554 5.7.1 Service unavailable; client [127.0.0.3] blocked using codes.test\n", greeting("127.0.0.3"));
        assertTrue(greeting("127.0.0.4").startsWith("554 5.7.1 "));
        assertTrue(greeting("127.0.0.5").startsWith("220 "));
        assertEquals("allowed", lastPolicy().getMessage().getHeader(SmtpAuthConstants.DNSBL_RESULT));
        assertEquals(0, dns.questions("5.0.0.127.codes.test", Type.A), "an allowed client is not looked up");
        assertNull(lastPolicy().getMessage().getHeader(SmtpAuthConstants.DNSBL_REASON));
    }

    @Test
    void anIpv6ClientIsAskedByItsReversedNibbles() throws Exception {
        boolean v6;
        try (java.net.ServerSocket probe = new java.net.ServerSocket()) {
            probe.bind(new InetSocketAddress(InetAddress.getByName("::1"), 0));
            v6 = true;
        } catch (IOException e) {
            v6 = false;
        }
        assumeTrue(v6, "SKIPPED: no IPv6 loopback on this machine");
        String nibbles = "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0";
        dns = new BlocklistDns().a(nibbles + ".bl6.test", "127.0.0.2").txt(nibbles + ".bl6.test", List.of("v6 listed"));
        listen("::1", "smtp-auth:dnsbl?zones=bl6.test");
        assertEquals("554 5.7.1 Service unavailable; client [0:0:0:0:0:0:0:1] blocked using bl6.test; v6 listed\n",
                greeting("::1", "::1"));
    }

    @Test
    void badZonesStopTheStart() throws Exception {
        dns = new BlocklistDns();
        for (String uri : List.of("smtp-auth:dnsbl", "smtp-auth:dnsbl?zones=bl.test=192.0.2.1",
                "smtp-auth:dnsbl?zones=bl test", "smtp-auth:dnsbl?zones=bl.test=127.0.0.9-127.0.0.2",
                "smtp-auth:dnsbl?zones=bl.test&allowList=example.org")) {
            Exception e = org.junit.jupiter.api.Assertions.assertThrows(Exception.class, () -> listen("127.0.0.1", uri), uri);
            Throwable t = e;
            while (t.getCause() != null) {
                t = t.getCause();
            }
            assertTrue(t instanceof IllegalArgumentException, uri + ": " + t);
        }
    }
}

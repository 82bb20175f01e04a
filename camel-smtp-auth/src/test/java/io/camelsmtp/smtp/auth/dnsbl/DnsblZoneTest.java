package io.camelsmtp.smtp.auth.dnsbl;

import java.net.InetAddress;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Query names as RFC 5782 writes them, what each answer means per zone, and reply text made safe. */
class DnsblZoneTest {

    private static InetAddress ip(String s) throws Exception {
        return InetAddress.getByName(s);
    }

    @Test
    void queryNamesAreTheRfc5782Examples() throws Exception {
        assertEquals("2.0.0.127", DnsblQuery.reversed(ip("127.0.0.2")));
        assertEquals("99.2.0.192", DnsblQuery.reversed(ip("192.0.2.99")));
        // RFC 5782 section 2.4
        assertEquals("b.a.9.8.7.6.5.0.4.0.0.0.3.0.0.0.2.0.0.0.1.0.0.0.8.b.d.0.1.0.0.2",
                DnsblQuery.reversed(ip("2001:db8:1:2:3:4:567:89ab")));
        assertEquals("99.2.0.192", DnsblQuery.reversed(ip("::ffff:192.0.2.99")), "IPv4-mapped: asked as IPv4");
    }

    @Test
    void withoutCodesAny127AnswerListsButTheRefusalCodesAndOutsideAnswersAreErrors() throws Exception {
        DnsblZone z = DnsblZone.parse("ZEN.Spamhaus.org.").get(0);
        assertEquals("zen.spamhaus.org", z.name());
        for (String listed : List.of("127.0.0.2", "127.0.0.4", "127.0.0.11", "127.1.2.3")) {
            assertEquals(DnsblZone.Meaning.LISTED, z.meaning(ip(listed)), listed);
        }
        for (String error : List.of("127.0.0.1", "127.255.255.252", "127.255.255.254", "127.255.255.255", "192.0.2.1",
                "10.0.0.2", "0.0.0.0", "::1")) {
            assertEquals(DnsblZone.Meaning.ERROR, z.meaning(ip(error)), error);
        }
    }

    @Test
    void codesRangesAndRepeatedZonesMerge() throws Exception {
        List<DnsblZone> zones = DnsblZone.parse(" zen.spamhaus.org=127.0.0.2-127.0.0.3 , bl.test,"
                                                + "zen.spamhaus.org=127.0.0.9, zen.spamhaus.org=127.255.255.254");
        assertEquals(List.of("zen.spamhaus.org", "bl.test"), zones.stream().map(DnsblZone::name).toList());
        DnsblZone zen = zones.get(0);
        assertEquals(DnsblZone.Meaning.LISTED, zen.meaning(ip("127.0.0.3")));
        assertEquals(DnsblZone.Meaning.LISTED, zen.meaning(ip("127.0.0.9")));
        assertEquals(DnsblZone.Meaning.LISTED, zen.meaning(ip("127.255.255.254")), "named explicitly");
        assertEquals(DnsblZone.Meaning.IGNORED, zen.meaning(ip("127.0.0.4")));
        assertEquals(DnsblZone.Meaning.IGNORED, zen.meaning(ip("127.0.0.10")));
        assertEquals(DnsblZone.Meaning.ERROR, zen.meaning(ip("192.0.2.3")));
    }

    @Test
    void badZonesAndCodesAreRefused() {
        for (String bad : List.of("", " , ", "bl", "bl..test", "bl test", "bl.test=128.0.0.2", "bl.test=127.0.0",
                "bl.test=127.0.0.3-127.0.0.2", "bl.test=127.0.0.300", "bl.test=localhost", "a".repeat(200) + ".test")) {
            assertThrows(IllegalArgumentException.class, () -> DnsblZone.parse(bad), bad);
        }
    }

    @Test
    void replyTextIsOnePrintableBoundedLine() {
        assertEquals("a b c", ReplyText.sanitise("  a\r\nb\t\u0000 c \r\n", 200));
        assertEquals("caf? 250 Ok", ReplyText.sanitise("caf\u00e9\r\n250 Ok", 200));
        assertEquals("xxxxxxx...", ReplyText.sanitise("x".repeat(10_000), 10));
        assertEquals("", ReplyText.sanitise("\r\n\u0007", 10));
        assertEquals("", ReplyText.sanitise(null, 10));
    }
}

package io.camelsmtp.smtp.common;

import java.net.InetAddress;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** CIDR lists for the exempt networks: IPv4 and IPv6, address literals only. */
class NetworksTest {

    private static boolean in(Networks n, String address) throws Exception {
        return n.contains(InetAddress.getByName(address));
    }

    @Test
    void loopbackDefault() throws Exception {
        Networks n = Networks.parse("127.0.0.0/8,::1/128");
        assertTrue(in(n, "127.0.0.1"));
        assertTrue(in(n, "127.255.0.9"));
        assertTrue(in(n, "::1"));
        assertTrue(in(n, "::ffff:127.0.0.1"), "an IPv4-mapped client address is its IPv4 address");
        assertFalse(in(n, "128.0.0.1"));
        assertFalse(in(n, "::2"));
        assertFalse(in(n, "10.0.0.1"));
    }

    @Test
    void prefixesThatAreNotWholeOctets() throws Exception {
        Networks n = Networks.parse("192.0.2.64/26 2001:db8:8000::/33, [fd00::]/8 198.51.100.7");
        assertTrue(in(n, "192.0.2.64"));
        assertTrue(in(n, "192.0.2.127"));
        assertFalse(in(n, "192.0.2.128"));
        assertFalse(in(n, "192.0.2.63"));
        assertTrue(in(n, "2001:db8:8000::1"));
        assertTrue(in(n, "2001:db8:ffff::1"));
        assertFalse(in(n, "2001:db8:7fff::1"));
        assertTrue(in(n, "fdab::1"));
        assertTrue(in(n, "198.51.100.7"));
        assertFalse(in(n, "198.51.100.8"));
        assertTrue(in(Networks.parse("0.0.0.0/0"), "203.0.113.1"));
        assertTrue(in(Networks.parse("::ffff:10.0.0.0/104"), "10.1.2.3"));
    }

    @Test
    void emptyMatchesNothing() throws Exception {
        assertTrue(Networks.parse(null).isEmpty());
        assertTrue(Networks.parse("  ").isEmpty());
        assertFalse(in(Networks.parse(""), "127.0.0.1"));
    }

    @Test
    void badEntriesFailNamingThem() {
        for (String bad : new String[] { "localhost", "mx.example.org", "127.0.0.1/33", "::1/129", "999.0.0.1",
                "10.0.0/8", "10.0.0.0/x", "10.0.0.0/-1", "1:2:3:4:5:6:7:8:9/64" }) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Networks.parse(bad), bad);
            assertTrue(e.getMessage().contains(bad), e.getMessage());
        }
    }
}

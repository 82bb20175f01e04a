package io.camelsmtp.examples.policy;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClientNetworksTest {

    private static ClientNetworks of(String networks) {
        ClientNetworks n = new ClientNetworks();
        n.setNetworks(networks);
        return n;
    }

    @Test
    void matchesAddressesAndBlocksOfBothFamilies() {
        ClientNetworks n = of("127.0.0.0/8, [::1]/128 192.0.2.7\t10.1.0.0/17,2001:db8::/32");
        assertTrue(n.contains("127.0.0.1"));
        assertTrue(n.contains("127.255.0.9"));
        assertTrue(n.contains("192.0.2.7"));
        assertFalse(n.contains("192.0.2.8"));
        assertTrue(n.contains("10.1.127.255"));
        assertFalse(n.contains("10.1.128.0"), "outside the /17");
        assertTrue(n.contains("0:0:0:0:0:0:0:1"), "the form CamelSmtpRemoteAddress has");
        assertTrue(n.contains("2001:db8:1::25"));
        assertFalse(n.contains("fe80::1%lo"));
        assertFalse(n.contains("2001:db9::1"));
        assertTrue(n.contains("::ffff:192.0.2.7"), "an IPv4-mapped address is its IPv4 address");
        assertFalse(n.contains("::2"));
        assertFalse(n.contains("example.org"), "never a name");
        assertFalse(n.contains(null));
    }

    @Test
    void emptyTrustsNobodyAndBadEntriesFailAtStart() {
        assertFalse(of("").contains("127.0.0.1"));
        assertFalse(of(" ").contains("127.0.0.1"));
        assertTrue(of("0.0.0.0/0").contains("203.0.113.9"));
        assertThrows(IllegalArgumentException.class, () -> of("localhost"));
        assertThrows(IllegalArgumentException.class, () -> of("10.0.0.0/33"));
        assertThrows(IllegalArgumentException.class, () -> of("10.0.0.0/x"));
        assertThrows(IllegalArgumentException.class, () -> of("10.0.0/8"));
    }
}

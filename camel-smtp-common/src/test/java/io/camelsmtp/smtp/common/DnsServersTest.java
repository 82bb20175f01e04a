package io.camelsmtp.smtp.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.InetSocketAddress;
import java.util.List;

import org.junit.jupiter.api.Test;

class DnsServersTest {

    @Test
    void hostsWithAndWithoutPortsIpv6WithoutOne() {
        assertEquals(List.of(new InetSocketAddress("127.0.0.1", 15353), new InetSocketAddress("127.0.0.2", 53),
                new InetSocketAddress("::1", 53)), DnsServers.parse(" 127.0.0.1:15353, 127.0.0.2 ,::1"));
    }

    @Test
    void emptyMeansTheSystemsResolvers() {
        assertEquals(List.of(), DnsServers.parse(null));
        assertEquals(List.of(), DnsServers.parse("  "));
    }

    @Test
    void aPortThatIsNoNumberIsRefused() {
        assertThrows(NumberFormatException.class, () -> DnsServers.parse("127.0.0.1:dns"));
    }
}

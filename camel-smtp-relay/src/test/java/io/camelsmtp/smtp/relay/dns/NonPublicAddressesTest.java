package io.camelsmtp.smtp.relay.dns;

import java.net.Inet6Address;
import java.net.InetAddress;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What {@code allowPrivateAddresses=false} refuses, address by address: the verdict and the range named in the reply.
 * IPv6 addresses are built from their 16 octets, so that Java does not turn IPv4-mapped ones into IPv4 first.
 */
class NonPublicAddressesTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
            # public
            9.9.9.9                 | public  |
            8.8.4.4                 | public  |
            100.63.255.255          | public  |
            100.128.0.0             | public  |
            172.15.255.255          | public  |
            172.32.0.0              | public  |
            192.0.1.255             | public  |
            198.17.255.255          | public  |
            198.20.0.0              | public  |
            223.255.255.255         | public  |
            2a00:1450:4001:80b::201a | public |
            2001:4860:4860::8888    | public  |
            64:ff9b::909:909        | public  |
            ::ffff:9.9.9.9          | public  |
            2002:909:909::1         | public  |
            # IPv4 special-purpose ranges
            0.0.0.0                 | refused | 0.0.0.0/8
            0.1.2.3                 | refused | 0.0.0.0/8
            10.1.2.3                | refused | 10.0.0.0/8
            100.64.0.1              | refused | 100.64.0.0/10
            100.127.255.254         | refused | 100.64.0.0/10
            127.0.0.1               | refused | 127.0.0.0/8
            127.255.255.254         | refused | 127.0.0.0/8
            169.254.169.254         | refused | 169.254.0.0/16
            172.16.0.1              | refused | 172.16.0.0/12
            172.31.255.255          | refused | 172.16.0.0/12
            192.0.0.8               | refused | 192.0.0.0/24
            192.0.2.10              | refused | 192.0.2.0/24
            192.88.99.1             | refused | 192.88.99.0/24
            192.168.1.1             | refused | 192.168.0.0/16
            198.18.0.1              | refused | 198.18.0.0/15
            198.19.255.255          | refused | 198.18.0.0/15
            198.51.100.7            | refused | 198.51.100.0/24
            203.0.113.9             | refused | 203.0.113.0/24
            224.0.0.251             | refused | 224.0.0.0/4
            239.255.255.250         | refused | 224.0.0.0/4
            240.0.0.1               | refused | 240.0.0.0/4
            255.255.255.255         | refused | 240.0.0.0/4
            # IPv6 special-purpose ranges
            ::                      | refused | ::/128
            ::1                     | refused | ::1/128
            ::10.1.2.3              | refused | ::/96
            ::9.9.9.9               | refused | ::/96
            64:ff9b:1::a00:1        | refused | 64:ff9b:1::/48
            64:ff9b:1::909:909      | refused | 64:ff9b:1::/48
            100::1                  | refused | 100::/64
            2001::1                 | refused | 2001::/23
            2001:0:4136:e378:8000:63bf:3fff:fdd2 | refused | 2001::/23
            2001:2::1               | refused | 2001::/23
            2001:db8::25            | refused | 2001:db8::/32
            3fff::1                 | refused | 3fff::/20
            5f00::1                 | refused | 5f00::/16
            fc00::1                 | refused | fc00::/7
            fd12:3456:789a::1       | refused | fc00::/7
            fe80::1                 | refused | fe80::/10
            fec0::1                 | refused | fec0::/10
            ff02::1                 | refused | ff00::/8
            4000::1                 | refused | outside 2000::/3
            # IPv6 forms around a non-public IPv4 address
            ::ffff:127.0.0.1        | refused | ::ffff:0:0/96 (IPv4-mapped, RFC 4291) around 127.0.0.1 in 127.0.0.0/8
            ::ffff:10.0.0.1         | refused | around 10.0.0.1 in 10.0.0.0/8
            ::ffff:169.254.169.254  | refused | around 169.254.169.254 in 169.254.0.0/16
            64:ff9b::a00:1          | refused | 64:ff9b::/96 (NAT64 well-known prefix, RFC 6052) around 10.0.0.1
            64:ff9b::7f00:1         | refused | around 127.0.0.1 in 127.0.0.0/8
            64:ff9b::c0a8:101       | refused | around 192.168.1.1 in 192.168.0.0/16
            64:ff9b::6440:1         | refused | around 100.64.0.1 in 100.64.0.0/10
            2002:a00:1::1           | refused | 2002::/16 (6to4, RFC 3056) around 10.0.0.1
            2002:7f00:1::           | refused | around 127.0.0.1 in 127.0.0.0/8
            2002:c612:1::1          | refused | around 198.18.0.1 in 198.18.0.0/15
            """)
    void verdict(String address, String verdict, String range) throws Exception {
        InetAddress a = parse(address);
        String why = NonPublicAddresses.why(a);
        if (verdict.equals("public")) {
            assertNull(why, address);
        } else {
            assertTrue(why != null && why.contains(range), address + ": " + why);
        }
        assertEquals(why != null, NonPublicAddresses.isNonPublic(a));
    }

    /** An IPv6 literal from its octets, so that Java keeps an IPv4-mapped address IPv6. */
    private static InetAddress parse(String address) throws Exception {
        InetAddress a = InetAddress.getByName(address); // literals only: no look-up
        if (!address.contains(":")) {
            return a;
        }
        byte[] b = a.getAddress();
        if (b.length == 4) { // ::ffff:a.b.c.d came back as IPv4
            byte[] mapped = new byte[16];
            mapped[10] = (byte) 0xff;
            mapped[11] = (byte) 0xff;
            System.arraycopy(b, 0, mapped, 12, 4);
            b = mapped;
        }
        return Inet6Address.getByAddress(null, b, -1);
    }
}

package io.camelsmtp.smtp.auth.dnsbl;

import java.net.Inet4Address;
import java.net.InetAddress;

/** The name a DNS block list is asked about for a client address (RFC 5782 sections 2.1 and 2.4). */
public final class DnsblQuery {

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private DnsblQuery() {
    }

    /**
     * IPv4: the octets reversed ({@code 192.0.2.99} gives {@code 99.2.0.192}); IPv6: the 32 nibbles reversed, dot
     * separated ({@code 2001:db8::1} gives {@code 1.0.0.0. ... .8.b.d.0.1.0.0.2}). Without the zone.
     */
    public static String reversed(InetAddress address) {
        byte[] b = address.getAddress();
        StringBuilder sb = new StringBuilder(64);
        if (address instanceof Inet4Address) {
            for (int i = b.length - 1; i >= 0; i--) {
                sb.append(b[i] & 0xff);
                if (i > 0) {
                    sb.append('.');
                }
            }
            return sb.toString();
        }
        for (int i = b.length - 1; i >= 0; i--) {
            sb.append(HEX[b[i] & 0x0f]).append('.').append(HEX[(b[i] >> 4) & 0x0f]);
            if (i > 0) {
                sb.append('.');
            }
        }
        return sb.toString();
    }
}

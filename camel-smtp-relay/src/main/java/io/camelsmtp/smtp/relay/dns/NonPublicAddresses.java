package io.camelsmtp.smtp.relay.dns;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;

/**
 * The addresses a mail exchanger found in DNS must not have unless {@code allowPrivateAddresses=true}: everything
 * that is not global unicast, after the IANA special-purpose registries (RFC 6890). IPv6 addresses that carry an
 * IPv4 address (IPv4-mapped, NAT64 well-known prefix, 6to4) are judged by the IPv4 address inside; other IPv6
 * addresses outside global unicast {@code 2000::/3} are refused whatever they are, so a range registered later is
 * refused until it is known to be public.
 */
public final class NonPublicAddresses {

    private record Block(byte[] prefix, int bits, String cidr, String what) {
        boolean contains(byte[] a) {
            if (a.length != prefix.length) {
                return false;
            }
            int full = bits / 8;
            if (!Arrays.equals(a, 0, full, prefix, 0, full)) {
                return false;
            }
            int rest = bits % 8;
            int mask = (0xff << (8 - rest)) & 0xff;
            return rest == 0 || (a[full] & mask) == (prefix[full] & mask);
        }
    }

    private static final List<Block> V4 = List.of(
            block("0.0.0.0/8", "\"this network\", RFC 791"),
            block("10.0.0.0/8", "private, RFC 1918"),
            block("100.64.0.0/10", "shared address space (carrier-grade NAT), RFC 6598"),
            block("127.0.0.0/8", "loopback, RFC 1122"),
            block("169.254.0.0/16", "link-local, RFC 3927"),
            block("172.16.0.0/12", "private, RFC 1918"),
            block("192.0.0.0/24", "IETF protocol assignments, RFC 6890"),
            block("192.0.2.0/24", "documentation (TEST-NET-1), RFC 5737"),
            block("192.88.99.0/24", "6to4 relay anycast, deprecated by RFC 7526"),
            block("192.168.0.0/16", "private, RFC 1918"),
            block("198.18.0.0/15", "benchmarking, RFC 2544"),
            block("198.51.100.0/24", "documentation (TEST-NET-2), RFC 5737"),
            block("203.0.113.0/24", "documentation (TEST-NET-3), RFC 5737"),
            block("224.0.0.0/4", "multicast, RFC 5771"),
            block("240.0.0.0/4", "reserved, RFC 1112; includes the broadcast address, RFC 919"));

    private static final Block V4_MAPPED = block("::ffff:0:0/96", "IPv4-mapped, RFC 4291");
    private static final Block NAT64 = block("64:ff9b::/96", "NAT64 well-known prefix, RFC 6052");
    private static final Block SIX_TO_FOUR = block("2002::/16", "6to4, RFC 3056");
    private static final Block GLOBAL_UNICAST = block("2000::/3", "global unicast, RFC 4291");

    private static final List<Block> V6 = List.of(
            block("::/128", "unspecified, RFC 4291"),
            block("::1/128", "loopback, RFC 4291"),
            block("::/96", "IPv4-compatible, deprecated by RFC 4291"),
            block("64:ff9b:1::/48", "local-use NAT64 prefix, RFC 8215"),
            block("100::/64", "discard-only, RFC 6666"),
            block("2001::/23", "IETF protocol assignments (Teredo 2001::/32, RFC 4380; benchmarking 2001:2::/48, "
                               + "RFC 5180; ORCHID, RFC 7343), RFC 2928"),
            block("2001:db8::/32", "documentation, RFC 3849"),
            block("3fff::/20", "documentation, RFC 9637"),
            block("5f00::/16", "segment routing (SRv6) SIDs, RFC 9602"),
            block("fc00::/7", "unique local, RFC 4193"),
            block("fe80::/10", "link-local, RFC 4291"),
            block("fec0::/10", "site-local, deprecated by RFC 3879"),
            block("ff00::/8", "multicast, RFC 4291"));

    private NonPublicAddresses() {
    }

    /** True when {@code a} is not a public unicast address a mail exchanger found in DNS may have. */
    static boolean isNonPublic(InetAddress a) {
        return why(a) != null;
    }

    /** Why {@code a} is refused ({@code "10.0.0.0/8 (private, RFC 1918)"}), or null when it is public. */
    public static String why(InetAddress a) {
        byte[] b = a.getAddress();
        if (a instanceof Inet4Address) {
            return why4(b);
        }
        if (V4_MAPPED.contains(b)) {
            return embedded(V4_MAPPED, Arrays.copyOfRange(b, 12, 16));
        }
        if (NAT64.contains(b)) {
            return embedded(NAT64, Arrays.copyOfRange(b, 12, 16));
        }
        if (SIX_TO_FOUR.contains(b)) {
            return embedded(SIX_TO_FOUR, Arrays.copyOfRange(b, 2, 6));
        }
        for (Block block : V6) {
            if (block.contains(b)) {
                return describe(block);
            }
        }
        return GLOBAL_UNICAST.contains(b) ? null : "outside 2000::/3 (not global unicast, RFC 4291)";
    }

    private static String why4(byte[] b) {
        for (Block block : V4) {
            if (block.contains(b)) {
                return describe(block);
            }
        }
        return null;
    }

    private static String embedded(Block carrier, byte[] v4) {
        String inner = why4(v4);
        if (inner == null) {
            return null;
        }
        return carrier.cidr() + " (" + carrier.what() + ") around " + (v4[0] & 0xff) + "." + (v4[1] & 0xff) + "."
               + (v4[2] & 0xff) + "." + (v4[3] & 0xff) + " in " + inner;
    }

    private static String describe(Block block) {
        return block.cidr() + " (" + block.what() + ")";
    }

    private static Block block(String cidr, String what) {
        int slash = cidr.indexOf('/');
        try {
            // a literal: no look-up is made. getByName would turn ::ffff:0:0 into an IPv4 address, so build the bytes
            byte[] prefix = InetAddress.getByName(cidr.substring(0, slash)).getAddress();
            if (cidr.startsWith("::ffff:")) {
                prefix = new byte[16];
                prefix[10] = (byte) 0xff;
                prefix[11] = (byte) 0xff;
            }
            return new Block(prefix, Integer.parseInt(cidr.substring(slash + 1)), cidr, what);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(cidr, e);
        }
    }
}

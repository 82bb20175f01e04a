package io.camelsmtp.smtp.common;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * A list of IPv4 and IPv6 networks in CIDR notation ({@code 127.0.0.0/8, ::1/128, 192.0.2.7, [2001:db8::]/32}),
 * separated by commas or spaces, that a client address is matched against. Entries are address literals only (a host
 * name would need DNS); a bad entry fails at once, naming it. An IPv4-mapped client address ({@code ::ffff:192.0.2.7})
 * arrives from Java as the IPv4 address and is matched as such.
 * <p>
 * The listener matches the {@link InetAddress} its socket gives (trusted networks exempt from a limit); policy beans
 * (the examples' {@code ClientNetworks}) match the {@code CamelSmtpRemoteAddress} string with {@link #contains(String)}.
 */
public final class Networks {

    private static final Networks NONE = new Networks(List.of(), "");

    /** A network: its address and how many leading bits of a client address must equal those of it. */
    private record Block(byte[] network, int prefix) {
        boolean contains(byte[] address) {
            if (address.length != network.length) {
                return false;
            }
            for (int bit = 0; bit < prefix; bit++) {
                int mask = 0x80 >>> (bit % 8);
                if ((address[bit / 8] & mask) != (network[bit / 8] & mask)) {
                    return false;
                }
            }
            return true;
        }
    }

    private final List<Block> blocks;
    private final String text;

    private Networks(List<Block> blocks, String text) {
        this.blocks = blocks;
        this.text = text;
    }

    /**
     * Parses a list; null or blank is the empty list.
     *
     * @throws IllegalArgumentException naming the entry that is not an address or network
     */
    public static Networks parse(String list) {
        if (list == null || list.isBlank()) {
            return NONE;
        }
        List<Block> parsed = new ArrayList<>();
        for (String entry : list.strip().split("[,\\s]+")) {
            parsed.add(block(entry));
        }
        return new Networks(List.copyOf(parsed), list.strip());
    }

    public boolean contains(InetAddress address) {
        if (address == null || blocks.isEmpty()) {
            return false;
        }
        byte[] bytes = address.getAddress();
        for (Block b : blocks) {
            if (b.contains(bytes)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether an address literal (as {@code CamelSmtpRemoteAddress} gives it; an IPv6 scope such as {@code %eth0} is
     * dropped) is in one of the networks; false for anything that is not an address literal (never a DNS look-up).
     */
    public boolean contains(String literal) {
        if (literal == null || literal.isBlank()) {
            return false;
        }
        String s = literal.strip();
        int percent = s.indexOf('%');
        if (percent >= 0) {
            s = s.substring(0, percent);
        }
        if (s.isEmpty() || !s.matches("[0-9A-Fa-f:.]+") || (s.indexOf(':') < 0 && !s.matches("\\d+(\\.\\d+){3}"))) {
            return false;
        }
        try {
            return contains(InetAddress.getByName(s));
        } catch (UnknownHostException e) {
            return false;
        }
    }

    public boolean isEmpty() {
        return blocks.isEmpty();
    }

    @Override
    public String toString() {
        return text;
    }

    private static Block block(String entry) {
        int slash = entry.indexOf('/');
        String host = slash < 0 ? entry : entry.substring(0, slash);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        boolean v6Text = host.indexOf(':') >= 0;
        // checked here so that InetAddress never takes an entry for a host name to look up
        String octet = "(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)";
        boolean v4 = host.matches(octet + "(\\." + octet + "){3}");
        if (host.isEmpty() || !host.matches("[0-9A-Fa-f:.]+") || (!v6Text && !v4)) {
            throw new IllegalArgumentException("Not an IP address or network: '" + entry + "'");
        }
        InetAddress address;
        try {
            address = InetAddress.getByName(host);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("Not an IP address or network: '" + entry + "'", e);
        }
        byte[] network = address.getAddress();
        int bits = network.length * 8;
        int prefix = bits;
        if (slash >= 0) {
            String p = entry.substring(slash + 1);
            prefix = p.matches("\\d{1,3}") ? Integer.parseInt(p) : -1;
            // ::ffff:a.b.c.d/104 arrives as an IPv4 address: its prefix counts the 96 bits of the mapping too
            if (v6Text && address instanceof Inet4Address) {
                prefix = prefix >= 96 ? prefix - 96 : -1;
            }
            if (prefix < 0 || prefix > bits) {
                throw new IllegalArgumentException("Bad prefix length in network '" + entry + "'");
            }
        }
        return new Block(network, prefix);
    }
}

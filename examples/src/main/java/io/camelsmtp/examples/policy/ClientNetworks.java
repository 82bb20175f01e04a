package io.camelsmtp.examples.policy;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * The client networks trusted to relay mail through us, like Postfix's {@code mynetworks}: a list of IPv4 and IPv6
 * addresses and CIDR blocks, separated by commas or spaces ({@code 127.0.0.0/8, [::1]/128, 192.0.2.7,
 * 2001:db8::/32}). A recipient-policy route asks it about the client's address:
 * {@code method: { ref: relayNetworks, method: "contains(${header.CamelSmtpRemoteAddress})" }}.
 * Entries must be address literals: a host name would need DNS at start-up and is refused. An IPv4-mapped IPv6
 * client address ({@code ::ffff:192.0.2.7}) is matched as the IPv4 address it carries.
 */
public class ClientNetworks {

    private record Block(byte[] network, int prefix) {
        boolean contains(byte[] address) {
            if (address.length != network.length) {
                return false;
            }
            int full = prefix / 8;
            for (int i = 0; i < full; i++) {
                if (address[i] != network[i]) {
                    return false;
                }
            }
            int rest = prefix % 8;
            if (rest == 0) {
                return true;
            }
            int mask = (0xff << (8 - rest)) & 0xff;
            return (address[full] & mask) == (network[full] & mask);
        }
    }

    private String networks = "";
    private volatile List<Block> blocks = List.of();

    /** The trusted networks; an empty list trusts no client. */
    public void setNetworks(String networks) {
        List<Block> parsed = new ArrayList<>();
        for (String entry : networks.strip().split("[,\\s]+")) {
            if (!entry.isEmpty()) {
                parsed.add(parse(entry));
            }
        }
        this.networks = networks;
        this.blocks = List.copyOf(parsed);
    }

    public String getNetworks() {
        return networks;
    }

    /** Whether the client address (as {@code CamelSmtpRemoteAddress} gives it) is in one of the networks. */
    public boolean contains(String address) {
        if (address == null || address.isBlank()) {
            return false;
        }
        byte[] bytes;
        try {
            bytes = literal(address.strip()).getAddress();
        } catch (IllegalArgumentException e) {
            return false;
        }
        for (Block b : blocks) {
            if (b.contains(bytes)) {
                return true;
            }
        }
        return false;
    }

    private static Block parse(String entry) {
        int slash = entry.indexOf('/');
        String host = slash < 0 ? entry : entry.substring(0, slash);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        byte[] network = literal(host).getAddress();
        int prefix = network.length * 8;
        if (slash >= 0) {
            try {
                prefix = Integer.parseInt(entry.substring(slash + 1));
            } catch (NumberFormatException e) {
                prefix = -1;
            }
            if (prefix < 0 || prefix > network.length * 8) {
                throw new IllegalArgumentException("Bad prefix length in network '" + entry + "'");
            }
        }
        return new Block(network, prefix);
    }

    /** Parses an address literal, never a host name (no DNS look-up); drops an IPv6 scope such as {@code %eth0}. */
    private static InetAddress literal(String text) {
        String s = text;
        int percent = s.indexOf('%');
        if (percent >= 0) {
            s = s.substring(0, percent);
        }
        if (s.isEmpty() || !s.matches("[0-9A-Fa-f:.]+") || (s.indexOf(':') < 0 && !s.matches("\\d+(\\.\\d+){3}"))) {
            throw new IllegalArgumentException("Not an IP address: '" + text + "'");
        }
        try {
            return InetAddress.getByName(s);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("Not an IP address: '" + text + "'", e);
        }
    }
}

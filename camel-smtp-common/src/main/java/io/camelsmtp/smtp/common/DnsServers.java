package io.camelsmtp.smtp.common;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code dnsServers} option of the relay and of smtp-auth: comma-separated {@code host[:port]}, port 53 by
 * default (an IPv6 address without a port, since its colons are ambiguous); empty or absent for the system's
 * resolvers. One parser, so that both components read the same value the same way.
 */
public final class DnsServers {

    private DnsServers() {
    }

    /** The servers of {@code option}; an empty list means "the system's". A port that is not a number throws. */
    public static List<InetSocketAddress> parse(String option) {
        List<InetSocketAddress> out = new ArrayList<>();
        if (option == null || option.isBlank()) {
            return out;
        }
        for (String s : option.split(",")) {
            String v = s.strip();
            int colon = v.lastIndexOf(':');
            boolean hasPort = colon > 0 && v.indexOf(':') == colon;
            String host = hasPort ? v.substring(0, colon) : v;
            int port = hasPort ? Integer.parseInt(v.substring(colon + 1)) : 53;
            out.add(new InetSocketAddress(host, port));
        }
        return out;
    }
}

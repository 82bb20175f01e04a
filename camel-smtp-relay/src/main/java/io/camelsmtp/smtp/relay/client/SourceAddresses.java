package io.camelsmtp.smtp.relay.client;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.util.regex.Pattern;

/**
 * The addresses outgoing connections are sent from ({@code localAddress}): at most one IPv4 and one IPv6 address,
 * each used for destinations of its family, as Postfix's {@code smtp_bind_address} and {@code smtp_bind_address6}
 * are; a family without one is left to the system. Only address literals are taken (no DNS at start-up), and each must
 * be bindable on this machine, checked once when the endpoint starts, so that a typo fails the route instead of every
 * delivery.
 *
 * @param ipv4 source of IPv4 connections, or null
 * @param ipv6 source of IPv6 connections, or null
 */
public record SourceAddresses(InetAddress ipv4, InetAddress ipv6) {

    /** No source address set: the system chooses. */
    public static final SourceAddresses SYSTEM = new SourceAddresses(null, null);

    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final Pattern IPV6 = Pattern.compile("\\[?[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*]?");

    /**
     * Parses {@code value}: one or two address literals, comma-separated, at most one per family; null or blank for
     * {@link #SYSTEM}.
     *
     * @throws IllegalArgumentException naming what is wrong: not a literal, two of one family, not bindable here
     */
    public static SourceAddresses parse(String value) {
        if (value == null || value.isBlank()) {
            return SYSTEM;
        }
        InetAddress v4 = null;
        InetAddress v6 = null;
        for (String part : value.split(",")) {
            InetAddress a = literal(part.strip());
            if (a instanceof Inet4Address) {
                if (v4 != null) {
                    throw new IllegalArgumentException("localAddress has two IPv4 addresses: " + value);
                }
                v4 = a;
            } else {
                if (v6 != null) {
                    throw new IllegalArgumentException("localAddress has two IPv6 addresses: " + value);
                }
                v6 = a;
            }
            bindable(a);
        }
        return new SourceAddresses(v4, v6);
    }

    private static InetAddress literal(String s) {
        boolean v4 = IPV4.matcher(s).matches();
        if (!v4 && !IPV6.matcher(s).matches()) {
            throw new IllegalArgumentException("localAddress takes IP address literals, not '" + s
                                               + "' (a host name would need DNS to pick a source address)");
        }
        String bare = s.startsWith("[") && s.endsWith("]") ? s.substring(1, s.length() - 1) : s;
        try {
            InetAddress a = InetAddress.getByName(bare); // a literal: no look-up
            if (v4 != a instanceof Inet4Address || a.isAnyLocalAddress() || a.isMulticastAddress()) {
                throw new IllegalArgumentException("localAddress: '" + s + "' is not a usable unicast address");
            }
            return a;
        } catch (IOException e) {
            throw new IllegalArgumentException("localAddress: '" + s + "' is not an IP address literal", e);
        }
    }

    private static void bindable(InetAddress a) {
        try (Socket probe = new Socket()) {
            probe.bind(new InetSocketAddress(a, 0));
        } catch (IOException e) {
            throw new IllegalArgumentException("localAddress " + a.getHostAddress()
                                               + " is not an address of this machine: " + e.getMessage(), e);
        }
    }

    /** The source for a connection to {@code destination}, or null to let the system choose. */
    public InetAddress forDestination(SocketAddress destination) {
        if (destination instanceof InetSocketAddress inet) {
            return inet.getAddress() instanceof Inet6Address ? ipv6 : ipv4;
        }
        return null; // a Unix-domain socket has no source address
    }
}

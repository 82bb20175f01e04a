package io.camelsmtp.smtp.relay.client;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

/**
 * The addresses outgoing connections are sent from ({@code localAddress}): a pool of IPv4 and a pool of IPv6
 * addresses, each used for destinations of its family, as Postfix's {@code smtp_bind_address} and
 * {@code smtp_bind_address6} are (but several per family); a family without one is left to the system. Each new
 * connection takes the next address of its family in turn (round robin), so a pool spreads the relay's reputation and
 * a receiver's per-address limits over its addresses; a kept connection is reused whatever its source. Only address
 * literals are taken (no DNS at start-up), and each must be bindable on this machine, checked once when the endpoint
 * starts, so that a typo fails the route instead of every delivery.
 */
public final class SourceAddresses {

    /** No source address set: the system chooses. */
    public static final SourceAddresses SYSTEM = new SourceAddresses(List.of(), List.of());

    /** Addresses per family at most: a pool is a handful of addresses, not a network. */
    static final int MAX_PER_FAMILY = 256;

    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final Pattern IPV6 = Pattern.compile("\\[?[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*]?");

    private final List<InetAddress> ipv4;
    private final List<InetAddress> ipv6;
    private final AtomicInteger next4 = new AtomicInteger();
    private final AtomicInteger next6 = new AtomicInteger();

    private SourceAddresses(List<InetAddress> ipv4, List<InetAddress> ipv6) {
        this.ipv4 = List.copyOf(ipv4);
        this.ipv6 = List.copyOf(ipv6);
    }

    /**
     * Parses {@code value}: address literals, comma-separated, of either family, in the order they are to be used;
     * null or blank for {@link #SYSTEM}.
     *
     * @throws IllegalArgumentException naming what is wrong: not a literal, given twice, too many, not bindable here
     */
    public static SourceAddresses parse(String value) {
        if (value == null || value.isBlank()) {
            return SYSTEM;
        }
        List<InetAddress> v4 = new ArrayList<>();
        List<InetAddress> v6 = new ArrayList<>();
        for (String part : value.split(",", -1)) {
            InetAddress a = literal(part.strip());
            List<InetAddress> family = a instanceof Inet4Address ? v4 : v6;
            if (family.contains(a)) {
                throw new IllegalArgumentException("localAddress has " + a.getHostAddress() + " twice: " + value);
            }
            if (family.size() >= MAX_PER_FAMILY) {
                throw new IllegalArgumentException("localAddress has more than " + MAX_PER_FAMILY
                                                   + " addresses of one family");
            }
            family.add(a);
            bindable(a);
        }
        return new SourceAddresses(v4, v6);
    }

    /** The IPv4 pool, in turn order (empty: the system's). */
    public List<InetAddress> ipv4() {
        return ipv4;
    }

    /** The IPv6 pool, in turn order (empty: the system's). */
    public List<InetAddress> ipv6() {
        return ipv6;
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

    /**
     * The source for a new connection to {@code destination}: the next address of its family's pool, or null to let
     * the system choose.
     */
    public InetAddress forDestination(SocketAddress destination) {
        if (destination instanceof InetSocketAddress inet) {
            boolean v6 = inet.getAddress() instanceof Inet6Address;
            return next(v6 ? ipv6 : ipv4, v6 ? next6 : next4);
        }
        return null; // a Unix-domain socket has no source address
    }

    private static InetAddress next(List<InetAddress> pool, AtomicInteger turn) {
        return switch (pool.size()) {
            case 0 -> null;
            case 1 -> pool.get(0);
            default -> pool.get(Math.floorMod(turn.getAndIncrement(), pool.size()));
        };
    }

    @Override
    public String toString() {
        return "SourceAddresses" + ipv4 + ipv6;
    }
}

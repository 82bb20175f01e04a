package io.camelsmtp.smtp.relay.dns;

import java.net.InetAddress;
import java.util.List;

/**
 * One mail exchanger of a destination: its name, MX preference, and how to find the addresses to try, in order.
 * The addresses of an MX host are looked up only when delivery gets to it ({@link #addresses()}), so a domain with
 * many mail exchangers costs the look-ups of those actually tried.
 */
public record MxHost(String name, int preference, AddressLookup lookup) {

    /** Finds a host's usable addresses; a {@link ResolutionException} says why there are none. */
    @FunctionalInterface
    public interface AddressLookup {
        List<InetAddress> addresses() throws ResolutionException;
    }

    /** A host whose addresses are already known (a smart host, an address literal). */
    public static MxHost of(String name, int preference, List<InetAddress> addresses) {
        List<InetAddress> known = List.copyOf(addresses);
        return new MxHost(name, preference, () -> known);
    }

    /** The addresses to try, looked up now (answers are cached for their TTL). */
    public List<InetAddress> addresses() throws ResolutionException {
        return lookup.addresses();
    }
}

package io.camelsmtp.smtp.relay;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

import io.camelsmtp.smtp.common.SmtpReply;
import io.camelsmtp.smtp.relay.dns.MxHost;
import io.camelsmtp.smtp.relay.dns.MxResolver;
import io.camelsmtp.smtp.relay.dns.NonPublicAddresses;
import io.camelsmtp.smtp.relay.dns.ResolutionException;

/**
 * The smart host a shaping rule moved a site's mail to
 * ({@link io.camelsmtp.smtp.common.shaping.ShapingRule#smartHost()}, the queue's "move this site to a smart host" reaction): {@code host[:port]}, port 25 by default, an IPv6 literal in
 * brackets. Parsed strictly, since the value comes from a rules file: anything else defers the recipients with
 * {@code 451 4.3.5} naming it (never an exception). What it resolves to passes the same {@code allowPrivateAddresses}
 * check as a mail exchanger's addresses; a configured host that cannot be used defers rather than bounces.
 *
 * @param host the host name (lower case) or address literal (without brackets)
 * @param port the port to connect to
 */
record RuleSmartHost(String host, int port) {

    static final int DEFAULT_PORT = 25;

    private static final Pattern LABEL = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");
    private static final String OCTET = "(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])";
    private static final Pattern IPV4 = Pattern.compile(OCTET + "(\\." + OCTET + "){3}");
    private static final Pattern IPV6 = Pattern.compile("[0-9a-f:.]{2,45}");
    private static final Pattern PORT = Pattern.compile("[0-9]{1,5}");

    /**
     * Parses {@code value} of the rule of {@code site}.
     *
     * @throws ResolutionException 451 4.3.5 naming the value when it is not {@code host[:port]}
     */
    static RuleSmartHost parse(String value, String site) throws ResolutionException {
        RuleSmartHost parsed = value == null || value.length() > 300 ? null : tryParse(value);
        if (parsed == null) {
            throw new ResolutionException(SmtpReply.of(451, "4.3.5", "Smart host '" + printable(value) + "' of the "
                    + "shaping rule of site " + printable(site) + " is malformed (host[:port], [IPv6]:port)"));
        }
        return parsed;
    }

    private static RuleSmartHost tryParse(String value) {
        String v = value.toLowerCase(Locale.ROOT);
        String host;
        String port = null;
        if (v.startsWith("[")) {
            int close = v.indexOf(']');
            if (close < 0) {
                return null;
            }
            host = v.substring(1, close);
            String rest = v.substring(close + 1);
            if (!rest.isEmpty()) {
                if (!rest.startsWith(":")) {
                    return null;
                }
                port = rest.substring(1);
            }
            if (!IPV6.matcher(host).matches() || host.indexOf(':') < 0 || !(literal(host) instanceof Inet6Address)) {
                return null;
            }
        } else {
            int colon = v.indexOf(':');
            if (colon >= 0) {
                if (v.indexOf(':', colon + 1) >= 0) {
                    return null; // a bare IPv6 literal, or two ports: ambiguous
                }
                port = v.substring(colon + 1);
                v = v.substring(0, colon);
            }
            host = v;
            if (!IPV4.matcher(host).matches() && !hostName(host)) {
                return null;
            }
        }
        int p = DEFAULT_PORT;
        if (port != null) {
            if (!PORT.matcher(port).matches()) {
                return null;
            }
            p = Integer.parseInt(port);
            if (p < 1 || p > 65535) {
                return null;
            }
        }
        return new RuleSmartHost(host, p);
    }

    /** LDH labels, dot-separated, at most 253 characters, the last one not all digits (that would be an IPv4 typo). */
    private static boolean hostName(String h) {
        if (h.isEmpty() || h.length() > 253) {
            return false;
        }
        String[] labels = h.split("\\.", -1);
        for (String l : labels) {
            if (!LABEL.matcher(l).matches()) {
                return false;
            }
        }
        return !labels[labels.length - 1].chars().allMatch(Character::isDigit);
    }

    private static InetAddress literal(String text) {
        try {
            return InetAddress.getByName(text); // only called on literals: no look-up
        } catch (UnknownHostException e) {
            return null;
        }
    }

    /** True for an address literal (no DNS needed). */
    boolean isLiteral() {
        return host.indexOf(':') >= 0 || IPV4.matcher(host).matches();
    }

    /**
     * The host to deliver to: a literal as it is; a name through {@code resolver} (the endpoint's DNS), or the
     * system's resolver when the endpoint has none. Without {@code allowPrivateAddresses} non-public addresses are
     * dropped; none left, or none found, defers (4.4.3 / 4.4.4).
     */
    MxHost resolve(MxResolver resolver, boolean allowPrivateAddresses) throws ResolutionException {
        List<InetAddress> found;
        if (isLiteral()) {
            found = List.of(literal(host));
        } else if (resolver != null) {
            found = resolver.hostAddresses(host); // fails for now (4.4.3) when it does not resolve
        } else {
            try {
                found = Arrays.asList(InetAddress.getAllByName(host));
            } catch (UnknownHostException e) {
                throw new ResolutionException(SmtpReply.of(451, "4.4.3", "Smart host " + host + " does not resolve"));
            }
        }
        List<InetAddress> usable = new ArrayList<>(found.size());
        String refused = null;
        for (InetAddress a : found) {
            String why = allowPrivateAddresses ? null : NonPublicAddresses.why(a);
            if (why == null) {
                usable.add(a);
            } else if (refused == null) {
                refused = a.getHostAddress() + " is in " + why;
            }
        }
        if (usable.isEmpty()) {
            throw new ResolutionException(SmtpReply.of(451, "4.4.4", "Smart host " + host + " of the shaping rule "
                    + "resolves only to non-public addresses (" + refused + "); refused (allowPrivateAddresses=false)"));
        }
        return MxHost.of(host, 0, usable);
    }

    /** {@code s} safe for a reply line: printable ASCII, at most 100 characters. */
    static String printable(String s) {
        if (s == null) {
            return "null";
        }
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length() && b.length() < 100; i++) {
            char c = s.charAt(i);
            b.append(c >= 0x20 && c < 0x7f ? c : '?');
        }
        return s.length() > 100 ? b + "..." : b.toString();
    }
}

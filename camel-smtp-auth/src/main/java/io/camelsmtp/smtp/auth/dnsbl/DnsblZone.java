package io.camelsmtp.smtp.auth.dnsbl;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One block list zone and the return codes that mean "listed". Without codes every answer in 127.0.0.0/8 lists,
 * except 127.0.0.1 (RFC 5782 section 5: never a listing) and 127.255.255.0/24 (Spamhaus' "query refused", "open
 * resolver", "excessive queries" codes), which are errors. With codes, only those list; other 127/8 answers are
 * ignored. An answer outside 127/8 is always an error (a resolver that rewrites NXDOMAIN, or a zone that expired
 * and now answers everything).
 */
public record DnsblZone(String name, List<int[]> codes) {

    /** Parses the {@code zones} option: {@code zone} or {@code zone=code} entries, comma-separated (see docs). */
    public static List<DnsblZone> parse(String option) {
        if (option == null || option.isBlank()) {
            throw new IllegalArgumentException("smtp-auth:dnsbl needs zones, e.g. zones=zen.spamhaus.org");
        }
        Map<String, List<int[]>> zones = new LinkedHashMap<>();
        for (String entry : option.split(",")) {
            String e = entry.strip();
            if (e.isEmpty()) {
                continue;
            }
            int eq = e.indexOf('=');
            String name = (eq < 0 ? e : e.substring(0, eq)).strip().toLowerCase(Locale.ROOT);
            if (name.endsWith(".")) {
                name = name.substring(0, name.length() - 1);
            }
            if (name.length() > 190 || !name.matches("[a-z0-9_-]+(\\.[a-z0-9_-]+)+")) {
                // 190: room for the 72 octets of an IPv6 query name in a 255-octet DNS name
                throw new IllegalArgumentException("Not a DNS block list zone: '" + e + "'");
            }
            List<int[]> codes = zones.computeIfAbsent(name, n -> new ArrayList<>());
            if (eq >= 0) {
                codes.add(range(e.substring(eq + 1).strip(), e));
            }
        }
        if (zones.isEmpty()) {
            throw new IllegalArgumentException("smtp-auth:dnsbl needs zones, e.g. zones=zen.spamhaus.org");
        }
        List<DnsblZone> out = new ArrayList<>();
        zones.forEach((n, c) -> out.add(new DnsblZone(n, List.copyOf(c))));
        return List.copyOf(out);
    }

    /** {@code 127.0.0.2} or {@code 127.0.0.2-127.0.0.11}, in 127.0.0.0/8. */
    private static int[] range(String text, String entry) {
        int dash = text.indexOf('-');
        int low = code(dash < 0 ? text : text.substring(0, dash), entry);
        int high = dash < 0 ? low : code(text.substring(dash + 1), entry);
        if (Integer.compareUnsigned(low, high) > 0) {
            throw new IllegalArgumentException("Empty return code range in '" + entry + "'");
        }
        return new int[] { low, high };
    }

    private static int code(String text, String entry) {
        String t = text.strip();
        // parsed here: InetAddress would take anything else for a host name and look it up
        if (t.matches("127\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}")) {
            int v = 0;
            for (String octet : t.split("\\.")) {
                int o = Integer.parseInt(octet);
                if (o > 255) {
                    v = -1;
                    break;
                }
                v = v << 8 | o;
            }
            if (v != -1) {
                return v;
            }
        }
        throw new IllegalArgumentException("A return code is an address in 127.0.0.0/8, e.g. zone=127.0.0.2 or "
                                           + "zone=127.0.0.2-127.0.0.11, not '" + entry + "'");
    }

    static int toInt(InetAddress a) {
        byte[] b = a.getAddress();
        return (b[0] & 0xff) << 24 | (b[1] & 0xff) << 16 | (b[2] & 0xff) << 8 | (b[3] & 0xff);
    }

    /** What one A answer means for this zone. */
    public enum Meaning { LISTED, IGNORED, ERROR }

    public Meaning meaning(InetAddress answer) {
        if (!(answer instanceof Inet4Address) || (answer.getAddress()[0] & 0xff) != 127) {
            return Meaning.ERROR;
        }
        int v = toInt(answer);
        if (!codes.isEmpty()) {
            for (int[] r : codes) {
                if (Integer.compareUnsigned(v, r[0]) >= 0 && Integer.compareUnsigned(v, r[1]) <= 0) {
                    return Meaning.LISTED;
                }
            }
            return Meaning.IGNORED;
        }
        if (v == 0x7f000001 || (v & 0xffffff00) == 0x7fffff00) {
            return Meaning.ERROR;
        }
        return Meaning.LISTED;
    }

    @Override
    public String toString() {
        return name;
    }
}

package io.camelsmtp.smtp.relay.dane;

import java.net.IDN;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import org.xbill.DNS.MXRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.TLSARecord;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * The DANE policy of one MX host (RFC 7672 §2.2): are its address records secure (CNAMEs followed, §2.2.2)? Then
 * what do the TLSA records at {@code _25._tcp.} the CNAME-expanded name, else the original name, say?
 * <ul>
 * <li>addresses or TLSA bogus, SERVFAIL, timed out: {@link DanePolicy.Kind#REFUSE} (dnssec-invalid), the host is
 * treated as unreachable (§2.1.1);</li>
 * <li>addresses insecure, TLSA insecure or securely absent: {@link DanePolicy.Kind#NONE};</li>
 * <li>secure TLSA, none usable: {@link DanePolicy.Kind#ENCRYPT} (TLS mandatory, unauthenticated);</li>
 * <li>secure TLSA, some usable: {@link DanePolicy.Kind#AUTHENTICATE}, reference identifiers the MX host name, the
 * TLSA base domain when it differs, and the destination domain when the MX RRset was secure (§3.2.2);</li>
 * <li>more than {@value #MAX_TLSA} TLSA records: {@link DanePolicy.Kind#REFUSE} (tlsa-invalid): fails closed rather
 * than guessing which ones count.</li>
 * </ul>
 */
public final class DaneLookup {

    static final int MAX_TLSA = 64;

    private final SecureDns dns;

    public DaneLookup(SecureDns dns) {
        this.dns = dns;
    }

    /**
     * Whether {@code mxHost} was found through a secure MX RRset of {@code domain}, for callers whose MX look-up
     * cannot tell: asks again, through the validating path, and answers true only if that secure RRset names this
     * host (or, with no MX records, the host is the domain itself: implicit MX). So an MX answer forged on the
     * non-validating path cannot borrow the security of the real one.
     */
    public boolean mxSecure(String domain, String mxHost) {
        Name d = name(domain);
        Name h = name(mxHost);
        if (d == null || h == null) {
            return false;
        }
        SecureAnswer mx = dns.query(d, Type.MX);
        if (!mx.secure()) {
            return false;
        }
        if (mx.records().isEmpty()) {
            return h.equals(d);
        }
        return mx.records().stream().anyMatch(r -> r instanceof MXRecord m && m.getTarget().equals(h));
    }

    /**
     * The policy for delivering mail for {@code domain} to {@code mxHost}.
     *
     * @param mxSecure whether the MX RRset (and any CNAME to it) was secure; null to ask here
     */
    public DanePolicy policy(String mxHost, String domain, Boolean mxSecure) {
        Name host = name(mxHost);
        if (host == null) {
            return DanePolicy.none("MX host " + mxHost + " is not a DNS name");
        }
        SecureAnswer addresses = dns.query(host, Type.A);
        if (!addresses.failed() && addresses.records().isEmpty() && !addresses.nxdomain()) {
            addresses = dns.query(host, Type.AAAA); // IPv6-only host: its AAAA RRset is the one that counts
        }
        if (addresses.failed()) {
            return DanePolicy.refuse(DaneResultType.DNSSEC_INVALID,
                    "address look-up of " + strip(host) + " failed: " + addresses.why());
        }
        if (!addresses.secure()) {
            return DanePolicy.none("addresses of " + strip(host) + " are not DNSSEC-signed");
        }
        List<Name> bases = new ArrayList<>();
        if (!addresses.aliases().isEmpty()) {
            bases.add(addresses.target()); // §2.2.2: the CNAME-expanded name first
        }
        bases.add(host);
        String insecure = null;
        for (Name base : bases) {
            Name qname;
            try {
                qname = Name.concatenate(Name.fromConstantString("_25._tcp"), base);
            } catch (org.xbill.DNS.NameTooLongException e) {
                continue;
            }
            SecureAnswer tlsa = dns.query(qname, Type.TLSA);
            if (tlsa.failed()) {
                return DanePolicy.refuse(DaneResultType.DNSSEC_INVALID,
                        "TLSA look-up of " + strip(qname) + " failed: " + tlsa.why());
            }
            if (!tlsa.secure()) {
                insecure = "TLSA records of " + strip(qname) + " are not DNSSEC-signed";
                continue;
            }
            if (tlsa.records().isEmpty()) {
                continue;
            }
            return fromRecords(tlsa, strip(qname), strip(host), strip(base), domain, Boolean.TRUE.equals(mxSecure)
                    || mxSecure == null && mxSecure(domain, mxHost));
        }
        return DanePolicy.none(insecure != null ? insecure : "no TLSA records for " + strip(host));
    }

    private static DanePolicy fromRecords(SecureAnswer tlsa, String where, String host, String base, String domain,
            boolean mxSecure) {
        if (tlsa.records().size() > MAX_TLSA) {
            return DanePolicy.refuse(DaneResultType.TLSA_INVALID,
                    where + " has " + tlsa.records().size() + " TLSA records, more than " + MAX_TLSA);
        }
        List<Tlsa> usable = new ArrayList<>();
        for (Record r : tlsa.records()) {
            if (r instanceof TLSARecord t) {
                Tlsa x = Tlsa.of(t);
                if (x.usable()) {
                    usable.add(x);
                }
            }
        }
        if (usable.isEmpty()) {
            return DanePolicy.encrypt("the " + tlsa.records().size() + " TLSA records of " + where
                    + " are all unusable: TLS required, not authenticated");
        }
        Set<String> ids = new LinkedHashSet<>();
        ids.add(host);
        ids.add(base);
        String d = ReferenceIdentifiers.normalize(domain);
        if (mxSecure && d != null) {
            ids.add(d);
        }
        return DanePolicy.authenticate(usable, new ArrayList<>(ids),
                usable.size() + " usable TLSA records at " + where);
    }

    private static Name name(String host) {
        if (host == null || host.isBlank() || host.startsWith("[")) {
            return null;
        }
        try {
            String ascii = IDN.toASCII(host.strip(), IDN.ALLOW_UNASSIGNED);
            return Name.fromString(ascii.endsWith(".") ? ascii : ascii + ".");
        } catch (TextParseException | IllegalArgumentException e) {
            return null;
        }
    }

    private static String strip(Name n) {
        String s = n.toString();
        return s.endsWith(".") && s.length() > 1 ? s.substring(0, s.length() - 1) : s;
    }
}

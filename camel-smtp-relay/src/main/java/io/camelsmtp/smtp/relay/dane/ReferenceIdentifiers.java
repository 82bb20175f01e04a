package io.camelsmtp.smtp.relay.dane;

import java.net.IDN;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;

import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;

/**
 * Name checks for DANE-TA(2) (RFC 7672 §3.2.3): does the leaf certificate carry one of the reference identifiers?
 * DNS names of the subjectAltName, or the subject's CN when there is no DNS name; a wildcard only as the whole
 * leftmost label ({@code *.example.com} matches {@code mx.example.com}, not {@code a.mx.example.com} nor
 * {@code example.com}); comparison in A-labels, case-insensitive, without a trailing dot.
 */
final class ReferenceIdentifiers {

    private static final int SAN_DNS = 2;
    private static final int MAX_NAMES = 256;

    private ReferenceIdentifiers() {
    }

    /** A host name as compared here: A-labels, lower case, no trailing dot; null if it is not a valid name. */
    static String normalize(String name) {
        if (name == null) {
            return null;
        }
        String n = name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
        try {
            n = IDN.toASCII(n, IDN.ALLOW_UNASSIGNED);
        } catch (IllegalArgumentException e) {
            return null;
        }
        return n.isEmpty() ? null : n.toLowerCase(Locale.ROOT);
    }

    /** The names in {@code leaf} that count (DNS SANs, else the CNs), at most {@value #MAX_NAMES}. */
    static List<String> presented(X509Certificate leaf) {
        List<String> out = new ArrayList<>();
        try {
            Collection<List<?>> sans = leaf.getSubjectAlternativeNames();
            if (sans != null) {
                for (List<?> san : sans) {
                    if (out.size() < MAX_NAMES && san.size() >= 2 && Integer.valueOf(SAN_DNS).equals(san.get(0))
                            && san.get(1) instanceof String s) {
                        out.add(s);
                    }
                }
            }
        } catch (CertificateParsingException e) {
            return List.of(); // an unreadable SAN extension names nothing
        }
        if (!out.isEmpty()) {
            return out;
        }
        try {
            for (Rdn rdn : new LdapName(leaf.getSubjectX500Principal().getName()).getRdns()) {
                if ("CN".equalsIgnoreCase(rdn.getType()) && rdn.getValue() instanceof String cn && out.size() < MAX_NAMES) {
                    out.add(cn);
                }
            }
        } catch (InvalidNameException e) {
            return List.of();
        }
        return out;
    }

    /** The first presented name that matches a reference identifier, or null. */
    static String match(X509Certificate leaf, List<String> referenceIds) {
        for (String presented : presented(leaf)) {
            for (String reference : referenceIds) {
                if (matches(presented, reference)) {
                    return presented;
                }
            }
        }
        return null;
    }

    static boolean matches(String presented, String reference) {
        String ref = normalize(reference);
        if (ref == null || presented == null) {
            return false;
        }
        boolean wildcard = presented.startsWith("*.");
        String p = normalize(wildcard ? presented.substring(2) : presented);
        if (p == null || p.contains("*")) {
            return false;
        }
        if (!wildcard) {
            return p.equals(ref);
        }
        int dot = ref.indexOf('.');
        // the wildcard stands for exactly one whole label, and not for the label of a bare public suffix
        return dot > 0 && p.indexOf('.') > 0 && ref.substring(dot + 1).equals(p);
    }
}

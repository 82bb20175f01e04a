package io.camelsmtp.smtp.auth.dmarc;

import java.net.IDN;
import java.util.Locale;
import java.util.regex.Pattern;

import com.google.common.net.InternetDomainName;

/**
 * The organisational domain of RFC 7489 §3.2: the public suffix of a name (the longest Public Suffix List rule that
 * matches, private section included, as OpenDMARC reads the list) plus one label. The list is the one Guava's
 * {@link InternetDomainName} carries, so it changes with the Guava version, not at run time. A name under no rule
 * (e.g. {@code bar.test}) falls under the list's implicit {@code *} rule: its last two labels. A name that is itself a
 * public suffix is its own organisational domain.
 */
public final class OrganizationalDomain {

    private static final Pattern DNS_NAME = Pattern.compile("[a-z0-9_-]{1,63}(\\.[a-z0-9_-]{1,63})*");

    private OrganizationalDomain() {
    }

    /** A domain in the form the evaluator compares: A-labels, lower case, no trailing dot; null when not a DNS name. */
    public static String normalize(String domain) {
        if (domain == null) {
            return null;
        }
        String d = domain.strip();
        if (d.endsWith(".")) {
            d = d.substring(0, d.length() - 1);
        }
        if (d.isEmpty() || d.length() > 253) {
            return null;
        }
        try {
            d = IDN.toASCII(d, IDN.ALLOW_UNASSIGNED).toLowerCase(Locale.ROOT);
        } catch (IllegalArgumentException e) {
            return null;
        }
        return DNS_NAME.matcher(d).matches() ? d : null;
    }

    /** The organisational domain of a {@link #normalize normalized} name. */
    public static String of(String domain) {
        try {
            InternetDomainName name = InternetDomainName.from(domain);
            if (name.isPublicSuffix()) {
                return domain;
            }
            if (name.isUnderPublicSuffix()) {
                return name.topPrivateDomain().toString();
            }
        } catch (IllegalArgumentException | IllegalStateException e) {
            // not a name Guava accepts (e.g. an '_' label): the implicit rule below
        }
        int last = domain.lastIndexOf('.');
        if (last < 0) {
            return domain;
        }
        int before = domain.lastIndexOf('.', last - 1);
        return before < 0 ? domain : domain.substring(before + 1);
    }
}

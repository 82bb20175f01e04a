package io.camelsmtp.smtp.server;

import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;

/**
 * The {@code acceptedDomains} option: exact domains, {@code .example.org} for that domain's subdomains, {@code *}
 * for any domain. A bare {@code postmaster} recipient is always accepted (RFC 5321 §4.5.1).
 */
final class AcceptedDomains {

    private final Set<String> exact = new LinkedHashSet<>();
    private final Set<String> parents = new LinkedHashSet<>();
    private final boolean any;

    AcceptedDomains(String option) {
        boolean star = false;
        if (option != null) {
            for (String d : option.split(",")) {
                String domain = d.strip().toLowerCase(Locale.ROOT);
                if (domain.equals("*")) {
                    star = true;
                } else if (domain.startsWith(".")) {
                    parents.add(domain);
                } else if (!domain.isEmpty()) {
                    exact.add(domain);
                }
            }
        }
        this.any = star;
    }

    boolean isEmpty() {
        return !any && exact.isEmpty() && parents.isEmpty();
    }

    boolean accepts(String recipient) {
        int at = recipient.lastIndexOf('@');
        if (at < 0) {
            return recipient.equalsIgnoreCase("postmaster");
        }
        if (any) {
            return true;
        }
        String domain = recipient.substring(at + 1).toLowerCase(Locale.ROOT);
        if (domain.endsWith(".")) {
            domain = domain.substring(0, domain.length() - 1);
        }
        if (exact.contains(domain)) {
            return true;
        }
        for (String p : parents) {
            if (domain.endsWith(p)) {
                return true;
            }
        }
        return false;
    }
}

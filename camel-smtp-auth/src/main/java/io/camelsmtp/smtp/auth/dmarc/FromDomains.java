package io.camelsmtp.smtp.auth.dmarc;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The RFC5322.From domains of a message: every address of every From field (RFC 5322 §3.4 address lists: display
 * names, quoted strings, comments, groups). Several From fields or addresses are all returned, so a second From
 * cannot hide the first from DMARC (RFC 7489 §6.6.1). Bounded: at most {@link #MAX_ADDRESSES} addresses are read.
 */
public final class FromDomains {

    public static final int MAX_ADDRESSES = 50;

    private FromDomains() {
    }

    /**
     * The distinct domains (normalized) of the From field values, in order; null when a From field holds something
     * that is not an address with a domain (then the message has no author domain DMARC can evaluate), empty when
     * there is no From field or only empty groups.
     */
    public static List<String> parse(List<String> fieldValues) {
        Set<String> domains = new LinkedHashSet<>();
        int addresses = 0;
        for (String value : fieldValues) {
            for (String mailbox : mailboxes(withoutComments(value.replace("\r", "").replace("\n", "")))) {
                if (++addresses > MAX_ADDRESSES) {
                    return null;
                }
                String domain = domain(mailbox);
                if (domain == null) {
                    return null;
                }
                domains.add(domain);
            }
        }
        return List.copyOf(domains);
    }

    /** The text with comments removed (nested, outside quoted strings); null-safe for unbalanced input. */
    private static String withoutComments(String s) {
        StringBuilder out = new StringBuilder(s.length());
        int depth = 0;
        boolean quoted = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 1 < s.length() && (quoted || depth > 0)) {
                if (depth == 0) {
                    out.append(c).append(s.charAt(i + 1));
                }
                i++;
            } else if (depth == 0 && c == '"') {
                quoted = !quoted;
                out.append(c);
            } else if (!quoted && c == '(') {
                depth++;
            } else if (!quoted && c == ')' && depth > 0) {
                depth--;
                out.append(depth == 0 ? " " : "");
            } else if (depth == 0) {
                out.append(c);
            }
        }
        return out.toString();
    }

    /** The addresses of an address list: split at ',' and group ':'/';' outside quotes and angle brackets. */
    private static List<String> mailboxes(String s) {
        List<String> out = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        boolean quoted = false;
        boolean angle = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && quoted && i + 1 < s.length()) {
                current.append(c).append(s.charAt(++i));
                continue;
            }
            if (c == '"' && !angle) {
                quoted = !quoted;
            } else if (!quoted && c == '<') {
                angle = true;
            } else if (!quoted && c == '>') {
                angle = false;
            } else if (!quoted && !angle && (c == ',' || c == ';' || c == ':')) {
                if (c != ':' && !current.toString().isBlank()) {
                    out.add(current.toString().strip());
                }
                current.setLength(0); // ':' ends a group's display name
                continue;
            }
            current.append(c);
        }
        if (!current.toString().isBlank()) {
            out.add(current.toString().strip());
        }
        return out;
    }

    /** The domain of one mailbox ({@code name <local@domain>} or {@code local@domain}); null when it has none. */
    private static String domain(String mailbox) {
        String addr = mailbox;
        int lt = mailbox.lastIndexOf('<');
        if (lt >= 0) {
            int gt = mailbox.indexOf('>', lt);
            if (gt < 0) {
                return null;
            }
            addr = mailbox.substring(lt + 1, gt);
        }
        int at = addr.lastIndexOf('@');
        if (at < 0) {
            return null;
        }
        String domain = addr.substring(at + 1).strip();
        if (domain.startsWith("[")) {
            return null; // an address literal has no DNS domain
        }
        return OrganizationalDomain.normalize(domain);
    }
}

package io.camelsmtp.smtp.auth.spf;

import java.util.Locale;

/**
 * The outcome of one SPF check (RFC 7208 §2.6).
 *
 * @param result      {@code pass}, {@code fail}, {@code softfail}, {@code neutral}, {@code none}, {@code temperror}
 *                    or {@code permerror}
 * @param identity    what was checked: {@code mailfrom}, or {@code helo} for the null sender (RFC 7208 §2.4)
 * @param sender      the identity as checked: the MAIL FROM address, or {@code postmaster@<helo>}
 * @param domain      the domain whose record was evaluated first (the sender's domain or the HELO name)
 * @param clientIp    the client address checked
 * @param helo        the HELO/EHLO name given
 * @param explanation for {@code fail}: the domain's explanation (exp=) or ours; else null
 */
public record SpfResult(String result, String identity, String sender, String domain, String clientIp, String helo,
        String explanation) {

    public boolean is(String word) {
        return result.equals(word);
    }

    /** The RFC 8601 {@code spf=} result with its properties, for an Authentication-Results field. */
    public String authenticationResult() {
        StringBuilder sb = new StringBuilder("spf=").append(result);
        if (explanation != null && !explanation.isEmpty()) {
            sb.append(" reason=\"").append(quoted(explanation, 200)).append('"');
        }
        sb.append(" smtp.").append(identity).append('=').append(value(identity.equals("helo") ? helo : sender));
        return sb.toString();
    }

    /** The value of a Received-SPF field (RFC 7208 §9.1), folded before each key-value pair. */
    public String receivedSpf() {
        StringBuilder sb = new StringBuilder(capitalized(result));
        sb.append(" (").append(quoted(comment(), 300).replace('(', '[').replace(')', ']')).append(")\r\n\t");
        sb.append("client-ip=").append(value(clientIp)).append(";\r\n\t");
        sb.append("envelope-from=\"").append(quoted(sender, 300)).append("\";\r\n\t");
        sb.append("helo=").append(value(helo)).append(";\r\n\t");
        sb.append("identity=").append(identity).append(';');
        return sb.toString();
    }

    private String comment() {
        String d = domain == null ? "" : domain; // made safe by the caller (quoted, no parentheses)
        return switch (result) {
            case "pass" -> d + ": " + clientIp + " is authorized to use '" + d + "'";
            case "fail" -> d + ": " + clientIp + " is not authorized to use '" + d + "'";
            case "softfail" -> d + ": " + clientIp + " is probably not authorized to use '" + d + "'";
            case "neutral" -> d + ": " + clientIp + " is neither permitted nor denied";
            case "none" -> d + ": no SPF record";
            case "temperror" -> d + ": temporary DNS failure";
            default -> d + ": the SPF record cannot be interpreted";
        };
    }

    private static String capitalized(String s) {
        return s.substring(0, 1).toUpperCase(Locale.ROOT) + s.substring(1);
    }

    /** A token safe in a header field: printable ASCII without specials, else quoted. */
    private static String value(String s) {
        if (s == null || s.isEmpty()) {
            return "\"\"";
        }
        return s.matches("[A-Za-z0-9.:@_+=-]{1,255}") ? s : '"' + quoted(s, 255) + '"';
    }

    /** Printable ASCII only (no CR, LF, control or 8-bit characters), backslash and quote escaped, at most max long. */
    static String quoted(String s, int max) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length() && sb.length() < max; i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                sb.append('\\').append(c);
            } else if (c >= 32 && c < 127) {
                sb.append(c);
            } else {
                sb.append('?');
            }
        }
        return sb.toString();
    }
}

package io.camelsmtp.smtp.server.protocol;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import io.camelsmtp.smtp.common.EnvelopeSyntax;

/**
 * Parses the argument of MAIL FROM and RCPT TO: a path in angle brackets (a missing pair is tolerated, as Postfix
 * does), an optional source route that is dropped (RFC 5321 §4.1.1.3), then ESMTP parameters.
 */
final class SmtpPath {

    /** Parse result; {@code error} is set when the argument is not valid. */
    record Parsed(String address, Map<String, String> params, String error) {
    }

    private SmtpPath() {
    }

    /**
     * @param argument       everything after the verb, e.g. {@code FROM:<a@b.example> SIZE=100}
     * @param keyword        {@code FROM:} or {@code TO:}
     * @param allowEmpty     the null path {@code <>} is allowed (MAIL)
     * @param allowPostmaster a bare {@code <Postmaster>} is allowed (RCPT)
     */
    static Parsed parse(String argument, String keyword, boolean allowEmpty, boolean allowPostmaster) {
        String arg = argument.strip();
        if (!arg.regionMatches(true, 0, keyword, 0, keyword.length())) {
            return error("syntax");
        }
        String rest = arg.substring(keyword.length()).stripLeading();
        String path;
        String tail;
        if (rest.startsWith("<")) {
            int end = closingBracket(rest);
            if (end < 0) {
                return error("syntax");
            }
            path = rest.substring(1, end);
            tail = rest.substring(end + 1);
        } else {
            int sp = rest.indexOf(' ');
            path = sp < 0 ? rest : rest.substring(0, sp);
            tail = sp < 0 ? "" : rest.substring(sp);
            if (path.isEmpty()) {
                return error("syntax");
            }
        }
        if (!tail.isEmpty() && !tail.startsWith(" ")) {
            return error("syntax");
        }
        Map<String, String> params = new LinkedHashMap<>();
        for (String p : tail.strip().split(" +")) {
            if (p.isEmpty()) {
                continue;
            }
            int eq = p.indexOf('=');
            String key = (eq < 0 ? p : p.substring(0, eq)).toUpperCase(Locale.ROOT);
            String value = eq < 0 ? null : p.substring(eq + 1);
            if (!isKeyword(key) || (value != null && !isValue(value)) || params.containsKey(key)) {
                return error("parameter");
            }
            params.put(key, value);
        }
        if (path.startsWith("@")) {
            int colon = path.indexOf(':');
            if (colon < 0) {
                return error("address");
            }
            path = path.substring(colon + 1);
        }
        if (path.isEmpty()) {
            return allowEmpty ? new Parsed("", params, null) : error("address");
        }
        if (allowPostmaster && path.equalsIgnoreCase("postmaster")) {
            return new Parsed(path, params, null);
        }
        return isMailbox(path) ? new Parsed(path, params, null) : error("address");
    }

    /** esmtp-keyword (RFC 5321 §4.1.2): a letter or digit, then letters, digits and hyphens. */
    private static boolean isKeyword(String key) {
        if (key.isEmpty() || !Character.isLetterOrDigit(key.charAt(0)) || key.charAt(0) > 127) {
            return false;
        }
        for (int i = 1; i < key.length(); i++) {
            char c = key.charAt(i);
            if (c > 127 || !(Character.isLetterOrDigit(c) || c == '-')) {
                return false;
            }
        }
        return true;
    }

    /**
     * esmtp-value (RFC 5321 §4.1.2, with RFC 6531's UTF-8): one or more characters, none a control character, space,
     * "=" or DEL; so no parameter can carry a line end or a second parameter.
     */
    private static boolean isValue(String value) {
        if (value.isEmpty()) {
            return false;
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 33 || c == '=' || c == 127 || (c >= 0x80 && c < 0xA0)) {
                return false;
            }
        }
        return true;
    }

    /** True when the address has a character outside US-ASCII (needs SMTPUTF8). */
    static boolean needsUtf8(String address) {
        for (int i = 0; i < address.length(); i++) {
            if (address.charAt(i) > 127) {
                return true;
            }
        }
        return false;
    }

    private static int closingBracket(String s) {
        boolean quoted = false;
        for (int i = 1; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && quoted) {
                i++;
            } else if (c == '"') {
                quoted = !quoted;
            } else if (c == '>' && !quoted) {
                return i;
            }
        }
        return -1;
    }

    /** RFC 5321 Mailbox: {@link EnvelopeSyntax#isMailbox}, the one definition the relay and the bridges share. */
    static boolean isMailbox(String address) {
        return EnvelopeSyntax.isMailbox(address);
    }

    private static Parsed error(String what) {
        return new Parsed(null, Map.of(), what);
    }
}

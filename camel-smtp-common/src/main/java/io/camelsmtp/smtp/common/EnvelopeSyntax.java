package io.camelsmtp.smtp.common;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The syntax of what goes into an envelope, in one place: the listener checks what clients send with it, and the
 * relay, the queue and the bridges check with it what routes hand them, so that a value from an HTTP body or a
 * Kafka record can never put a line end, a second parameter or a second command onto an SMTP command line.
 * RFC 5321 §4.1.2 (with RFC 6531's UTF-8) for mailboxes, RFC 3461 for the DSN parameters.
 */
public final class EnvelopeSyntax {

    private static final Pattern IPV4 =
            Pattern.compile("(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");
    private static final Pattern ATOM = Pattern.compile("[A-Za-z0-9!#$%&'*+\\-/=?^_`{|}~]+");
    /** RFC 3461 §4.4 limits ENVID to 100 characters; ORCPT (§4.2) to 500 as sent. */
    public static final int MAX_ENVID = 100;
    public static final int MAX_ORCPT = 500;

    private EnvelopeSyntax() {
    }

    /**
     * A Mailbox: a dot-string or quoted-string local part of at most 64 characters, then a domain of at most 255
     * (host name labels, or an address literal). Non-ASCII letters are allowed (SMTPUTF8); control characters never,
     * and a backslash in a quoted local part escapes only a printable character.
     */
    public static boolean isMailbox(String address) {
        if (address == null) {
            return false;
        }
        int at = address.lastIndexOf('@');
        if (at <= 0 || at == address.length() - 1) {
            return false;
        }
        String local = address.substring(0, at);
        String domain = address.substring(at + 1);
        return local.length() <= 64 && domain.length() <= 255 && isLocalPart(local) && isDomain(domain);
    }

    /**
     * A host name as ETRN names a node: ASCII letter-digit-hyphen labels of at most 63 characters, at most 255 in all,
     * no trailing dot, no address literal (RFC 1985 §5, RFC 5321 §4.1.2's Domain).
     */
    public static boolean isHostName(String name) {
        if (name == null || name.isEmpty() || name.length() > 255) {
            return false;
        }
        for (String label : name.split("\\.", -1)) {
            if (label.isEmpty() || label.length() > 63 || label.startsWith("-") || label.endsWith("-")) {
                return false;
            }
            for (int i = 0; i < label.length(); i++) {
                char c = label.charAt(i);
                if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-')) {
                    return false;
                }
            }
        }
        return true;
    }

    /** The bare {@code postmaster}, the one recipient without a domain SMTP servers must accept (RFC 5321 §4.5.1). */
    public static boolean isBarePostmaster(String address) {
        return "postmaster".equalsIgnoreCase(address);
    }

    /** DSN RET: {@code FULL} or {@code HDRS}, in any case. */
    public static boolean isDsnRet(String ret) {
        return "FULL".equalsIgnoreCase(ret) || "HDRS".equalsIgnoreCase(ret);
    }

    /** DSN NOTIFY: {@code NEVER}, or a comma list of {@code SUCCESS}, {@code FAILURE} and {@code DELAY}, in any case. */
    public static boolean isDsnNotify(String notify) {
        if (notify == null || notify.isEmpty()) {
            return false;
        }
        String v = notify.toUpperCase(Locale.ROOT);
        if (v.equals("NEVER")) {
            return true;
        }
        for (String n : v.split(",", -1)) {
            if (!(n.equals("SUCCESS") || n.equals("FAILURE") || n.equals("DELAY"))) {
                return false;
            }
        }
        return true;
    }

    /**
     * DSN ORCPT as carried decoded: {@code addr-type;address}, the type an atom, the address non-empty and free of
     * control characters, at most {@value #MAX_ORCPT} characters once xtext-encoded.
     */
    public static boolean isDsnOrcpt(String orcpt) {
        if (orcpt == null) {
            return false;
        }
        int semi = orcpt.indexOf(';');
        if (semi <= 0 || semi == orcpt.length() - 1 || !ATOM.matcher(orcpt.substring(0, semi)).matches()) {
            return false;
        }
        String address = orcpt.substring(semi + 1);
        return noControls(address) && semi + 1 + Xtext.encode(address).length() <= MAX_ORCPT;
    }

    /** DSN ENVID as carried decoded: 1 to {@value #MAX_ENVID} printable US-ASCII characters (RFC 3461 §4.4). */
    public static boolean isDsnEnvid(String envid) {
        return envid != null && !envid.isEmpty() && envid.length() <= MAX_ENVID
               && envid.chars().allMatch(c -> c >= 32 && c <= 126);
    }

    private static boolean noControls(String s) {
        return s.chars().noneMatch(c -> c < 32 || c == 127 || (c >= 0x80 && c < 0xA0));
    }

    private static boolean isLocalPart(String local) {
        if (local.length() >= 2 && local.startsWith("\"") && local.endsWith("\"")) {
            for (int i = 1; i < local.length() - 1; i++) {
                char c = local.charAt(i);
                if (c == '\\') {
                    // quoted-pairSMTP: a backslash escapes one printable character, never a control character
                    char next = i + 1 < local.length() - 1 ? local.charAt(i + 1) : 0;
                    if (next < 32 || next == 127 || (next >= 0x80 && next < 0xA0)) {
                        return false;
                    }
                    i++;
                } else if (c == '"' || c < 32 || c == 127 || (c >= 0x80 && c < 0xA0)) {
                    return false;
                }
            }
            return true;
        }
        if (local.startsWith(".") || local.endsWith(".") || local.contains("..")) {
            return false;
        }
        for (int i = 0; i < local.length(); i++) {
            char c = local.charAt(i);
            if (!(Character.isLetterOrDigit(c) || c > 127 && c >= 0xA0 || "!#$%&'*+-/=?^_`{|}~.".indexOf(c) >= 0)) {
                return false;
            }
        }
        return true;
    }

    private static boolean isDomain(String domain) {
        if (domain.startsWith("[") && domain.endsWith("]")) {
            String literal = domain.substring(1, domain.length() - 1);
            if (literal.regionMatches(true, 0, "IPv6:", 0, 5)) {
                return literal.length() > 5 && literal.substring(5).matches("[0-9A-Fa-f:.]+");
            }
            return IPV4.matcher(literal).matches();
        }
        String d = domain.endsWith(".") ? domain.substring(0, domain.length() - 1) : domain;
        if (d.isEmpty()) {
            return false;
        }
        for (String label : d.split("\\.", -1)) {
            if (label.isEmpty() || label.length() > 63 || label.startsWith("-") || label.endsWith("-")) {
                return false;
            }
            for (int i = 0; i < label.length(); i++) {
                char c = label.charAt(i);
                if (!(c < 128 ? (Character.isLetterOrDigit(c) || c == '-') : Character.isLetterOrDigit(c))) {
                    return false;
                }
            }
        }
        return true;
    }
}

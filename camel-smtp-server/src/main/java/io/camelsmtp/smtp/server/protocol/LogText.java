package io.camelsmtp.smtp.server.protocol;

/**
 * Makes a value a client or a route chose safe to put into one log line: CR and LF cannot start a forged line, other
 * control characters (and Unicode line separators) cannot drive a terminal, and the length is bounded. Escapes are
 * Java-style ({@code \r}, {@code \n}, {@code \t}, {@code \\}, {@code \u001B}), so the value stays readable.
 */
public final class LogText {

    /** How much of a user name is logged. */
    public static final int USER_NAME = 64;
    /** How much of any other value (a reply a route chose, an exception's message) is logged. */
    public static final int VALUE = 300;

    private LogText() {
    }

    /** A user name as AUTH gave it, escaped and cut to {@value #USER_NAME} characters. */
    public static String user(String name) {
        return escape(name, USER_NAME);
    }

    /** Any value, escaped and cut to {@value #VALUE} characters. */
    public static String value(Object value) {
        return escape(value == null ? null : value.toString(), VALUE);
    }

    /** {@code s} escaped, its first {@code max} characters only (then "...(N chars)"); "null" for null. */
    public static String escape(String s, int max) {
        if (s == null) {
            return "null";
        }
        int end = Math.min(s.length(), max);
        if (end < s.length() && end > 0 && Character.isHighSurrogate(s.charAt(end - 1))) {
            end--;
        }
        StringBuilder sb = new StringBuilder(end + 16);
        for (int i = 0; i < end; i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\r' -> sb.append("\\r");
                case '\n' -> sb.append("\\n");
                case '\t' -> sb.append("\\t");
                case '\\' -> sb.append("\\\\");
                default -> {
                    if (c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == '\u2028' || c == '\u2029') {
                        sb.append(String.format("\\u%04X", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        if (end < s.length()) {
            sb.append("...(").append(s.length()).append(" chars)");
        }
        return sb.toString();
    }
}

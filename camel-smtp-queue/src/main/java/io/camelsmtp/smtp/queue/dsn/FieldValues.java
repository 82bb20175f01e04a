package io.camelsmtp.smtp.queue.dsn;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * Turns untrusted values into text that is safe inside a header field or a delivery-status field.
 * <p>
 * A CR or LF in a value would end the field and let the rest pose as a field of its own (header injection), so every
 * run of control characters, line breaks included, becomes one space. Header fields and {@code message/delivery-status}
 * are 7-bit text (RFC 3464 section 2.1.1), so {@link #ascii} also replaces anything outside printable US-ASCII by
 * {@code ?}; the human-readable part, which is UTF-8, keeps such characters ({@link #oneLine}).
 */
final class FieldValues {

    /** Longest value written; with the field name it keeps a line below the 998 octets of RFC 5322 section 2.1.1. */
    static final int MAX_VALUE = 900;

    private static final DateTimeFormatter RFC5322 =
            DateTimeFormatter.ofPattern("EEE, d MMM yyyy HH:mm:ss Z", Locale.ENGLISH).withZone(ZoneOffset.UTC);

    private FieldValues() {
    }

    /**
     * {@code value} on one line: control characters (CR and LF included) become a space, runs of spaces one space, and
     * the ends are trimmed; {@code null} and a blank value give {@code null}. Longer values are cut at
     * {@link #MAX_VALUE} characters.
     */
    static String oneLine(String value) {
        if (value == null) {
            return null;
        }
        StringBuilder sb = new StringBuilder(Math.min(value.length(), MAX_VALUE));
        boolean space = false;
        for (int i = 0; i < value.length() && sb.length() < MAX_VALUE; i++) {
            char c = value.charAt(i);
            if (Character.isISOControl(c) || Character.isWhitespace(c)) {
                space = sb.length() > 0;
            } else {
                if (space) {
                    sb.append(' ');
                    space = false;
                }
                sb.append(c);
            }
        }
        return sb.length() == 0 ? null : sb.toString();
    }

    /** Like {@link #oneLine}, and every character outside printable US-ASCII becomes {@code ?}. */
    static String ascii(String value) {
        String line = oneLine(value);
        if (line == null) {
            return null;
        }
        StringBuilder sb = new StringBuilder(line.length());
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            sb.append(c >= 0x20 && c < 0x7f ? c : '?');
        }
        return sb.toString();
    }

    /** An envelope address for a field: {@link #ascii}, without the angle brackets it may have come with. */
    static String address(String value) {
        String a = ascii(value);
        if (a != null && a.length() >= 2 && a.charAt(0) == '<' && a.charAt(a.length() - 1) == '>') {
            a = oneLine(a.substring(1, a.length() - 1));
        }
        return a;
    }

    /** An RFC 5322 date-time in UTC, such as {@code Mon, 1 Jan 2024 09:30:00 +0000}. */
    static String date(Instant instant) {
        return RFC5322.format(instant);
    }
}

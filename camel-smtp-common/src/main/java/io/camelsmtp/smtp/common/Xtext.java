package io.camelsmtp.smtp.common;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * xtext (RFC 3461 §4): octets outside 33-126, '+' and '=' are written {@code +XX}. The one codec of the project: the
 * listener decodes ENVID and ORCPT with it, the relay encodes them on the wire, and the queue's spool writes every
 * address and DSN value with it, so that a value never holds a space or a line end.
 */
public final class Xtext {

    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private Xtext() {
    }

    /** The value's UTF-8 octets as xtext. */
    public static String encode(String value) {
        StringBuilder sb = new StringBuilder(value.length() + 8);
        for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (c < 33 || c > 126 || c == '+' || c == '=') {
                sb.append('+').append(HEX[c >> 4]).append(HEX[c & 0xf]);
            } else {
                sb.append((char) c);
            }
        }
        return sb.toString();
    }

    /**
     * Decodes xtext; the octets of {@code +XX} sequences are read as UTF-8, so {@link #encode} round-trips any string.
     * Returns null when the value is not xtext: a truncated or non-hex {@code +XX}, or a character outside 33-126
     * or an unescaped {@code =}.
     */
    public static String decode(String value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(value.length());
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '+') {
                if (i + 2 >= value.length()) {
                    return null;
                }
                int hi = Character.digit(value.charAt(i + 1), 16);
                int lo = Character.digit(value.charAt(i + 2), 16);
                if (hi < 0 || lo < 0) {
                    return null;
                }
                out.write(hi << 4 | lo);
                i += 2;
            } else if (c < 33 || c > 126 || c == '=') {
                return null;
            } else {
                out.write(c);
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}

package io.camelsmtp.smtp.relay.client;

import java.nio.charset.StandardCharsets;

/** xtext encoding of DSN parameters (RFC 3461 §4): octets outside 33-126, '+' and '=' become {@code +XX}. */
final class Xtext {

    private Xtext() {
    }

    static String encode(String value) {
        StringBuilder sb = new StringBuilder();
        for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (c < 33 || c > 126 || c == '+' || c == '=') {
                sb.append('+').append(String.format("%02X", c));
            } else {
                sb.append((char) c);
            }
        }
        return sb.toString();
    }
}

package io.camelsmtp.smtp.queue.dsn;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;

/**
 * The message a report is about, with its line ends made CRLF: a bare CR or LF becomes CRLF, as SMTP requires of
 * anything sent on, and every other byte, 8-bit ones included, stays as it is.
 */
final class OriginalMessage {

    private static final byte CR = '\r';
    private static final byte LF = '\n';

    private final byte[] bytes;

    private OriginalMessage(byte[] bytes) {
        this.bytes = bytes;
    }

    /** Wraps {@code raw}, copying it only when a line end needs repair. */
    static OriginalMessage of(byte[] raw) {
        return new OriginalMessage(canonicalLineEnds(raw));
    }

    /** The whole message, CRLF line ends. */
    byte[] bytes() {
        return bytes;
    }

    /**
     * The header section: every line before the first empty line, each with its CRLF, without the empty line. A
     * message without an empty line is all header section.
     */
    byte[] headerSection() {
        if (bytes.length >= 2 && bytes[0] == CR && bytes[1] == LF) {
            return new byte[0];
        }
        for (int i = 0; i + 3 < bytes.length; i++) {
            if (bytes[i] == CR && bytes[i + 1] == LF && bytes[i + 2] == CR && bytes[i + 3] == LF) {
                return Arrays.copyOf(bytes, i + 2);
            }
        }
        return bytes;
    }

    /** Whether {@code data} has a byte above 127, which calls for {@code Content-Transfer-Encoding: 8bit}. */
    static boolean isEightBit(byte[] data) {
        for (byte b : data) {
            if (b < 0) {
                return true;
            }
        }
        return false;
    }

    private static byte[] canonicalLineEnds(byte[] raw) {
        if (isCanonical(raw)) {
            return raw;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(raw.length + raw.length / 32 + 2);
        for (int i = 0; i < raw.length; i++) {
            byte b = raw[i];
            if (b == CR) {
                if (i + 1 < raw.length && raw[i + 1] == LF) {
                    i++;
                }
                out.write(CR);
                out.write(LF);
            } else if (b == LF) {
                out.write(CR);
                out.write(LF);
            } else {
                out.write(b);
            }
        }
        return out.toByteArray();
    }

    private static boolean isCanonical(byte[] raw) {
        for (int i = 0; i < raw.length; i++) {
            if (raw[i] == CR && (i + 1 == raw.length || raw[i + 1] != LF)) {
                return false;
            }
            if (raw[i] == LF && (i == 0 || raw[i - 1] != CR)) {
                return false;
            }
        }
        return true;
    }
}

package io.camelsmtp.smtp.relay.client;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Message content on the wire. DATA (RFC 5321 §4.5.2): bare LF and bare CR become CRLF, a line starting with a dot
 * gets a second one, a missing final CRLF is added, then the terminating dot. BDAT (RFC 3030) takes the same
 * canonical CRLF lines without dot-stuffing and without the dot, its length announced first: {@link #canonical}.
 */
final class DotStuffing {

    private static final OutputStream NOWHERE = OutputStream.nullOutputStream();

    private DotStuffing() {
    }

    /**
     * Writes {@code content} for DATA to {@code out}, then flushes; returns the octets of content written (without
     * stuffing and the dot).
     */
    static long write(InputStream content, OutputStream out) throws IOException {
        long count = lines(content, out, true);
        out.write(".\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return count;
    }

    /** Writes {@code content} as canonical CRLF lines, unstuffed, to {@code out} (not flushed); returns the octets. */
    static long canonical(InputStream content, OutputStream out) throws IOException {
        return lines(content, out, false);
    }

    /** The octets {@link #canonical} would write, for BDAT's length. */
    static long canonicalSize(InputStream content) throws IOException {
        return lines(content, NOWHERE, false);
    }

    /** Canonical lines, dot-stuffed when asked; counts what it writes, stuffing dots excepted. */
    private static long lines(InputStream content, OutputStream out, boolean stuff) throws IOException {
        byte[] buf = new byte[8192];
        int prev = '\n';
        boolean pendingCr = false;
        long count = 0;
        int n;
        while ((n = content.read(buf)) > 0) {
            int i = 0;
            while (i < n) {
                int b = buf[i] & 0xff;
                if (pendingCr) {
                    pendingCr = false;
                    out.write('\r');
                    out.write('\n');
                    count += 2;
                    prev = '\n';
                    if (b == '\n') {
                        i++;
                        continue;
                    }
                }
                if (b == '\r') {
                    pendingCr = true;
                    i++;
                    continue;
                }
                if (b == '\n') {
                    out.write('\r');
                    out.write('\n');
                    count += 2;
                    prev = '\n';
                    i++;
                    continue;
                }
                if (stuff && b == '.' && prev == '\n') {
                    out.write('.');
                }
                int end = i;
                while (end < n && buf[end] != '\r' && buf[end] != '\n') {
                    end++;
                }
                out.write(buf, i, end - i);
                count += end - i;
                prev = buf[end - 1] & 0xff;
                i = end;
            }
        }
        if (pendingCr || prev != '\n') {
            out.write('\r');
            out.write('\n');
            count += 2;
        }
        return count;
    }
}

package io.camelsmtp.smtp.relay.client;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Message content as DATA sends it (RFC 5321 §4.5.2): bare LF and bare CR become CRLF, a line starting with a dot
 * gets a second one, a missing final CRLF is added, then the terminating dot; flushed.
 */
final class DotStuffing {

    private DotStuffing() {
    }

    /** Writes {@code content} to {@code out}; returns the octets of content written (without stuffing and the dot). */
    static long write(InputStream content, OutputStream out) throws IOException {
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
                if (b == '.' && prev == '\n') {
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
        }
        out.write(".\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return count;
    }
}

package io.camelsmtp.smtp.relay.client;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Message content on the wire. DATA (RFC 5321 §4.5.2): bare LF and bare CR become CRLF, a line starting with a dot
 * gets a second one, a missing final CRLF is added, then the terminating dot. BDAT (RFC 3030) takes the same
 * canonical CRLF lines without dot-stuffing and without the dot, its length announced first:
 * {@link #canonicalSize}, then {@link #canonicalExactly}.
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

    /**
     * Writes {@code content} as canonical CRLF lines, unstuffed (not flushed), checked to come to exactly
     * {@code size} octets, as announced by BDAT. The last octet is held
     * back until the content has ended at that length: content of any other length fails with an IOException while
     * the server still lacks at least one octet of the chunk, so closing the connection then makes it drop the chunk
     * instead of taking the wrong octets as the message.
     */
    static void canonicalExactly(InputStream content, OutputStream out, long size) throws IOException {
        ExactLength exact = new ExactLength(out, size);
        lines(content, exact, false);
        exact.finish();
    }

    /** Passes on at most {@code size - 1} octets; the last one only in {@link #finish()}, when the count is right. */
    private static final class ExactLength extends OutputStream {

        private final OutputStream out;
        private final long size;
        private long count;
        private int last = -1;

        ExactLength(OutputStream out, long size) {
            this.out = out;
            this.size = size;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] { (byte) b }, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if (count + len > size) {
                throw new IOException("Message content changed while being sent: more than the " + size
                                      + " octets announced by BDAT");
            }
            int pass = (int) Math.min(len, size - 1 - count); // all but the chunk's last octet
            if (pass > 0) {
                out.write(b, off, pass);
            }
            if (pass < len) {
                last = b[off + len - 1] & 0xff; // len - pass is 1 here: the count reaches size exactly
            }
            count += len;
        }

        void finish() throws IOException {
            if (count != size) {
                throw new IOException("Message content changed while being sent: " + count + " octets after BDAT "
                                      + size);
            }
            if (last >= 0) {
                out.write(last);
            }
        }
    }

    /** The octets of the canonical lines, unstuffed, for BDAT's length. */
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

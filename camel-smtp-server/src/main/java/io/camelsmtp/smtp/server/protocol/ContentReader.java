package io.camelsmtp.smtp.server.protocol;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;

import io.camelsmtp.smtp.common.SmtpReply;

/**
 * Reads message content off the wire into a {@link SpoolWriter} and checks it on the way, in one pass over a byte
 * array (SubEthaSMTP's own DATA streams work a byte at a time and cannot see bare line endings).
 * <ul>
 * <li>DATA ends only at {@code <CRLF>.<CRLF>}; a line that starts with a dot loses that dot (RFC 5321 §4.5.2). A
 * {@code <LF>.<LF>}, {@code <LF>.<CRLF>} or {@code <CR>.<CR>} is content, never an end, which is what defeats SMTP
 * smuggling (CVE-2023-51764 and relatives).</li>
 * <li>A bare CR or LF is recorded and, unless allowed, fails the message after the content has been drained; when
 * allowed it is normalised to CRLF, and a dot after it stays content.</li>
 * <li>Content past {@code maxSize} octets or a line longer than {@code maxLineLength} octets (CRLF included) is
 * recorded; the rest is still read so that the next command is parsed where it starts.</li>
 * </ul>
 * For BDAT the same checks run over exactly the octets announced, with no dot handling (RFC 3030).
 */
final class ContentReader {

    private static final int LINE_START = 0;
    private static final int MID = 1;
    private static final int CR = 2;
    private static final int DOT = 3;
    private static final int DOT_CR = 4;

    private final SpoolWriter out;
    private final long maxSize;
    private final int maxLineLength;
    private final boolean allowBare;
    private final byte[] staged = new byte[8192];
    private int stagedCount;
    private int state = LINE_START;
    private long size;
    private int lineLength;
    private boolean tooBig;
    private boolean bareLineEnding;
    private boolean lineTooLong;

    ContentReader(SpoolWriter out, long maxSize, int maxLineLength, boolean allowBare) {
        this.out = out;
        this.maxSize = maxSize;
        this.maxLineLength = maxLineLength;
        this.allowBare = allowBare;
    }

    /**
     * Reads DATA content up to and including the terminating {@code <CRLF>.<CRLF>} and not one octet further, so
     * that pipelined commands after it stay in {@code in}. {@code in} must support mark/reset.
     */
    void readDotTerminated(InputStream in) throws IOException {
        byte[] buf = new byte[8192];
        while (true) {
            in.mark(buf.length);
            int n = in.read(buf, 0, buf.length);
            if (n < 0) {
                throw new EOFException("Connection closed before the end of DATA");
            }
            for (int i = 0; i < n; i++) {
                i = run(buf, i, n);
                if (i < n && step(buf[i], true)) {
                    in.reset();
                    skipFully(in, i + 1);
                    flush();
                    return;
                }
            }
        }
    }

    /** Reads exactly {@code length} octets of one BDAT chunk. */
    void readChunk(InputStream in, long length) throws IOException {
        byte[] buf = new byte[8192];
        long remaining = length;
        while (remaining > 0) {
            int n = in.read(buf, 0, (int) Math.min(buf.length, remaining));
            if (n < 0) {
                throw new EOFException("Connection closed inside a BDAT chunk");
            }
            for (int i = 0; i < n; i++) {
                i = run(buf, i, n);
                if (i < n) {
                    step(buf[i], false);
                }
            }
            remaining -= n;
        }
        flush();
    }

    /** Ends the content of the last BDAT chunk: a CR left waiting for its LF is a bare CR. */
    void endOfChunks() throws IOException {
        if (state == CR) {
            bareCr();
            state = MID;
        }
        flush();
    }

    /** Octets of content seen, counted after dot-unstuffing. */
    long size() {
        return size;
    }

    /** The reply that refuses this content, or null when it passed every check. */
    SmtpReply problem() {
        if (tooBig) {
            return SmtpReply.of(552, "5.3.4", "Message size exceeds fixed maximum message size of " + maxSize + " octets");
        }
        if (bareLineEnding && !allowBare) {
            return SmtpReply.of(550, "5.6.0",
                    "Message contains a bare CR or LF; lines must end with CRLF (RFC 5321 section 2.3.8)");
        }
        if (lineTooLong) {
            return SmtpReply.of(550, "5.6.0",
                    "Message contains a line longer than " + maxLineLength + " octets (RFC 5321 section 4.5.3.1.6)");
        }
        return null;
    }

    /**
     * The fast path: inside a line, every octet up to the next CR or LF is plain content, handled as one run (what
     * {@link #content} does octet by octet). Returns the index of the first octet left for {@link #step}.
     */
    private int run(byte[] buf, int from, int to) throws IOException {
        if (state != MID) {
            return from;
        }
        int end = from;
        while (end < to && buf[end] != '\r' && buf[end] != '\n') {
            end++;
        }
        int len = end - from;
        if (len == 0) {
            return from;
        }
        lineLength += len;
        if (maxLineLength > 0 && lineLength + 2 > maxLineLength) {
            lineTooLong = true;
        }
        size += len;
        if (size > maxSize) {
            tooBig = true;
        }
        if (!tooBig) {
            if (stagedCount + len > staged.length) {
                flush();
            }
            if (len > staged.length) {
                out.write(buf, from, len);
            } else {
                System.arraycopy(buf, from, staged, stagedCount, len);
                stagedCount += len;
            }
        }
        return end;
    }

    private boolean step(byte b, boolean dotMode) throws IOException {
        switch (state) {
            case LINE_START:
                if (dotMode && b == '.') {
                    state = DOT;
                    return false;
                }
                return content(b);
            case MID:
                return content(b);
            case CR:
                if (b == '\n') {
                    lineBreak();
                    state = LINE_START;
                    return false;
                }
                bareCr();
                if (b == '\r') {
                    return false;
                }
                state = MID;
                return content(b);
            case DOT:
                if (b == '\r') {
                    state = DOT_CR;
                    return false;
                }
                state = MID;
                return content(b);
            case DOT_CR:
                if (b == '\n') {
                    return true;
                }
                bareCr();
                if (b == '\r') {
                    state = CR;
                    return false;
                }
                state = MID;
                return content(b);
            default:
                throw new IllegalStateException("state " + state);
        }
    }

    private boolean content(byte b) throws IOException {
        if (b == '\r') {
            state = CR;
        } else if (b == '\n') {
            bareLineEnding = true;
            if (allowBare) {
                lineBreak();
            } else {
                emit(b);
            }
            state = MID;
        } else {
            emit(b);
            lineLength++;
            if (maxLineLength > 0 && lineLength + 2 > maxLineLength) {
                lineTooLong = true;
            }
            state = MID;
        }
        return false;
    }

    private void bareCr() throws IOException {
        bareLineEnding = true;
        if (allowBare) {
            lineBreak();
        } else {
            emit((byte) '\r');
        }
    }

    private void lineBreak() throws IOException {
        emit((byte) '\r');
        emit((byte) '\n');
        lineLength = 0;
    }

    private void emit(byte b) throws IOException {
        size++;
        if (size > maxSize) {
            tooBig = true;
        }
        if (tooBig) {
            return;
        }
        if (stagedCount == staged.length) {
            flush();
        }
        staged[stagedCount++] = b;
    }

    private void flush() throws IOException {
        if (stagedCount > 0 && !tooBig) {
            out.write(staged, 0, stagedCount);
        }
        stagedCount = 0;
    }

    private static void skipFully(InputStream in, long n) throws IOException {
        long left = n;
        while (left > 0) {
            long skipped = in.skip(left);
            if (skipped <= 0) {
                if (in.read() < 0) {
                    throw new EOFException();
                }
                skipped = 1;
            }
            left -= skipped;
        }
    }
}

package io.camelsmtp.smtp.relay.client;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.camelsmtp.smtp.common.SmtpReply;

/**
 * Reads SMTP replies (RFC 5321 §4.2), multi-line ones whole, within limits a hostile server cannot push: at most
 * {@value #MAX_REPLY_LINES} lines, {@value #MAX_REPLY_OCTETS} octets per reply and {@value #MAX_LINE_OCTETS} per line.
 * Past a limit, on a line that is not a reply (a code then a space or hyphen), or on a line whose code differs from
 * the first line's, it fails with a {@link ProtocolViolation} and reads no further: a malformed reply is never
 * taken for any reply, let alone a 250.
 */
final class ReplyReader {

    /** Lines of one reply at most; an EHLO reply has one per extension, a dozen or two in practice. */
    static final int MAX_REPLY_LINES = 100;
    /** Octets of one reply at most. */
    static final int MAX_REPLY_OCTETS = 64 * 1024;
    /** Octets of one reply line at most (RFC 5321 §4.5.3.1.5 allows 512; some servers send longer texts). */
    static final int MAX_LINE_OCTETS = 4096;

    private static final Pattern ENHANCED = Pattern.compile("^([245]\\.[0-9]{1,3}\\.[0-9]{1,3}) ?(.*)$", Pattern.DOTALL);

    private final InputStream in;
    private final String host;

    ReplyReader(InputStream in, String host) {
        this.in = in;
        this.host = host;
    }

    /** A reply that breaks the protocol or the limits; the session cannot go on. */
    static final class ProtocolViolation extends IOException {

        private static final long serialVersionUID = 1L;

        ProtocolViolation(String message) {
            super(message);
        }
    }

    SmtpReply read() throws IOException {
        StringBuilder text = new StringBuilder();
        String enhanced = null;
        int code;
        int firstCode = 0;
        boolean first = true;
        int lines = 0;
        int octets = 0;
        while (true) {
            String line = readLine();
            octets += line.length() + 2;
            if (++lines > MAX_REPLY_LINES) {
                throw new ProtocolViolation("Reply from " + host + " has more than " + MAX_REPLY_LINES + " lines");
            }
            if (octets > MAX_REPLY_OCTETS) {
                throw new ProtocolViolation("Reply from " + host + " is longer than " + MAX_REPLY_OCTETS + " octets");
            }
            // fail closed: a line is a code and a space or hyphen (RFC 5321 §4.2), and every line of a reply
            // carries the same code; "44200" then "200" must not read as a 200
            if (!isReplyCode(line) || (line.length() > 3 && line.charAt(3) != ' ' && line.charAt(3) != '-')
                || (!first && Integer.parseInt(line.substring(0, 3)) != firstCode)) {
                throw new ProtocolViolation("Malformed reply from " + host + ": "
                        + (line.length() > 80 ? line.substring(0, 80) + "..." : line));
            }
            code = Integer.parseInt(line.substring(0, 3));
            if (first) {
                firstCode = code;
            }
            boolean last = line.length() == 3 || line.charAt(3) == ' ';
            String rest = line.length() > 4 ? line.substring(4) : "";
            Matcher m = ENHANCED.matcher(rest);
            if (m.matches() && m.group(1).charAt(0) == line.charAt(0)) {
                if (first) {
                    enhanced = m.group(1);
                }
                rest = m.group(2);
            }
            if (!first) {
                text.append('\n');
            }
            text.append(rest);
            first = false;
            if (last) {
                return SmtpReply.of(code, enhanced, text.toString());
            }
        }
    }

    /** True when octets have arrived that no reply read so far took (only what is already buffered counts). */
    boolean hasBuffered() throws IOException {
        return in.available() > 0;
    }

    private static boolean isReplyCode(String line) {
        return line.length() >= 3 && line.charAt(0) >= '2' && line.charAt(0) <= '5'
               && Character.isDigit(line.charAt(1)) && Character.isDigit(line.charAt(2));
    }

    private String readLine() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream(128);
        int c;
        while ((c = in.read()) >= 0) {
            if (c == '\n') {
                byte[] bytes = b.toByteArray();
                int len = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                return new String(bytes, 0, len, StandardCharsets.UTF_8);
            }
            if (b.size() >= MAX_LINE_OCTETS) {
                throw new ProtocolViolation("Reply line from " + host + " is longer than " + MAX_LINE_OCTETS + " octets");
            }
            b.write(c);
        }
        throw new EOFException("Connection closed by " + host);
    }
}

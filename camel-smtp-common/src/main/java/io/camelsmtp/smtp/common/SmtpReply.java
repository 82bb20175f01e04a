package io.camelsmtp.smtp.common;

import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One SMTP reply: a three-digit code (RFC 5321 §4.2), an optional enhanced status code (RFC 3463) and a text.
 * {@link #toString()} gives the reply as sent on the wire, multi-line when the text has line breaks.
 */
public final class SmtpReply {

    private static final Pattern LINE = Pattern.compile("^([2-5][0-9][0-9])(?:[ -]((?:[245])\\.[0-9]{1,3}\\.[0-9]{1,3}))?(?:[ -](.*))?$",
            Pattern.DOTALL);
    private static final Pattern ENHANCED = Pattern.compile("[245]\\.[0-9]{1,3}\\.[0-9]{1,3}");

    private final int code;
    private final String enhancedStatus;
    private final String text;

    private SmtpReply(int code, String enhancedStatus, String text) {
        if (code < 200 || code > 599) {
            throw new IllegalArgumentException("SMTP reply code must be 2xx to 5xx: " + code);
        }
        if (enhancedStatus != null) {
            if (!ENHANCED.matcher(enhancedStatus).matches()) {
                throw new IllegalArgumentException("Not an enhanced status code (RFC 3463): " + enhancedStatus);
            }
            if (enhancedStatus.charAt(0) != Integer.toString(code).charAt(0)) {
                throw new IllegalArgumentException(
                        "Enhanced status " + enhancedStatus + " does not match the class of reply code " + code);
            }
        }
        this.code = code;
        this.enhancedStatus = enhancedStatus;
        this.text = text == null ? "" : text.replace("\r", "");
    }

    /** A reply with an enhanced status code, for example {@code of(550, "5.1.1", "No such user")}. */
    public static SmtpReply of(int code, String enhancedStatus, String text) {
        return new SmtpReply(code, enhancedStatus, text);
    }

    /**
     * Parses a reply line such as {@code 550 5.1.1 No such user} or {@code 250 Ok}.
     *
     * @throws IllegalArgumentException when the line does not start with a 2xx-5xx code
     */
    public static SmtpReply parse(String line) {
        Objects.requireNonNull(line, "reply");
        Matcher m = LINE.matcher(line.strip());
        if (!m.matches()) {
            throw new IllegalArgumentException("Not an SMTP reply (expected e.g. '550 5.7.1 text'): " + line);
        }
        int code = Integer.parseInt(m.group(1));
        String enhanced = m.group(2);
        if (enhanced != null && enhanced.charAt(0) != m.group(1).charAt(0)) {
            throw new IllegalArgumentException("Enhanced status " + enhanced + " does not match the class of " + line);
        }
        return new SmtpReply(code, enhanced, m.group(3));
    }

    public int code() {
        return code;
    }

    /** The enhanced status code such as {@code 5.1.1}, or null. */
    public String enhancedStatus() {
        return enhancedStatus;
    }

    public String text() {
        return text;
    }

    public boolean isPositive() {
        return code < 400;
    }

    public boolean isTransient() {
        return code >= 400 && code < 500;
    }

    public boolean isPermanent() {
        return code >= 500;
    }

    /** The reply as sent on the wire, without the final CRLF; lines of a multi-line text are joined with CRLF. */
    @Override
    public String toString() {
        String[] lines = text.isEmpty() ? new String[] { "" } : text.split("\n", -1);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < lines.length; i++) {
            if (i > 0) {
                sb.append("\r\n");
            }
            sb.append(code).append(i == lines.length - 1 ? ' ' : '-');
            if (enhancedStatus != null) {
                sb.append(enhancedStatus).append(' ');
            }
            sb.append(lines[i]);
        }
        int end = sb.length();
        while (end > 0 && sb.charAt(end - 1) == ' ') {
            end--;
        }
        return sb.substring(0, end);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SmtpReply r && r.code == code && Objects.equals(r.enhancedStatus, enhancedStatus)
                && r.text.equals(text);
    }

    @Override
    public int hashCode() {
        return Objects.hash(code, enhancedStatus, text);
    }
}

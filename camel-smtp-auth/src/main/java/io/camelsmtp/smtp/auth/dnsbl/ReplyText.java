package io.camelsmtp.smtp.auth.dnsbl;

/**
 * Text from the DNS (a block list's TXT reason) made fit for one SMTP reply line: printable ASCII only (other
 * octets become '?'), every run of white space or control characters (CR and LF included) one space, at most
 * {@code max} characters (cut with "..."). A hostile list cannot add reply lines, commands or megabytes.
 */
public final class ReplyText {

    private ReplyText() {
    }

    public static String sanitise(CharSequence text, int max) {
        if (text == null) {
            return "";
        }
        StringBuilder sb = new StringBuilder(Math.min(text.length(), max + 3));
        boolean space = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c <= ' ' || c == 0x7f) {
                space = sb.length() > 0;
                continue;
            }
            if (space) {
                sb.append(' ');
                space = false;
            }
            sb.append(c < 0x7f ? c : '?');
            if (sb.length() > max) {
                sb.setLength(Math.max(0, max - 3));
                return sb.append("...").toString();
            }
        }
        return sb.toString();
    }
}

package io.camelsmtp.smtp.common;

import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;

/**
 * The {@code TLS-Required} header field of RFC 8689 §5: {@code TLS-Required: No} asks the relay to deliver even
 * where a recipient-side policy (MTA-STS, DANE) would refuse, using TLS when it can. Only the header section is read,
 * at most {@link #MAX_HEADER_OCTETS}; a section longer than that, a value other than {@code No} (any case, surrounding
 * white space and folding ignored), or two fields that disagree all count as "not relaxed", so the relay keeps its
 * policy. Per RFC 8689 §4.1 the field is ignored for a message that carries the REQUIRETLS MAIL FROM option.
 */
public final class TlsRequiredHeader {

    /** The header section is read up to this many octets; a longer one is not searched further (not relaxed). */
    public static final int MAX_HEADER_OCTETS = 256 * 1024;

    private static final String NAME = "tls-required";

    private TlsRequiredHeader() {
    }

    /** True when the message says {@code TLS-Required: No} and the envelope does not carry REQUIRETLS. */
    public static boolean relaxes(Envelope envelope, MailContent content) throws IOException {
        if (envelope.requireTlsOption()) {
            return false;
        }
        try (InputStream in = content.open()) {
            return saysNo(in);
        }
    }

    /**
     * True when the header section in {@code in} has a {@code TLS-Required} field and every such field says
     * {@code No}. Reads at most {@link #MAX_HEADER_OCTETS} octets, up to the empty line that ends the section.
     */
    public static boolean saysNo(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder(128);
        String field = null; // the field being read, unfolded, or null when it is not TLS-Required
        boolean found = false;
        boolean other = false;
        for (int read = 0; read < MAX_HEADER_OCTETS; read++) {
            int c = in.read();
            if (c < 0 || c == '\n') {
                String l = line.toString();
                line.setLength(0);
                boolean folded = !l.isEmpty() && (l.charAt(0) == ' ' || l.charAt(0) == '\t');
                if (folded) { // a continuation line: of TLS-Required, or of some other field (never a field itself)
                    if (field != null) {
                        field += l;
                    }
                    if (c < 0) {
                        return false; // no end of the header section: not a message to trust for relaxing
                    }
                    continue;
                }
                if (field != null) {
                    boolean no = field.strip().equalsIgnoreCase("no");
                    found |= no;
                    other |= !no;
                    field = null;
                }
                if (l.isEmpty() || c < 0) {
                    return c >= 0 && found && !other;
                }
                int colon = l.indexOf(':');
                if (colon > 0 && l.substring(0, colon).strip().toLowerCase(Locale.ROOT).equals(NAME)) {
                    field = l.substring(colon + 1);
                }
                continue;
            }
            if (c == '\r') {
                continue;
            }
            if (line.length() < 1000) { // longer lines are no TLS-Required field worth reading
                line.append((char) c);
            }
        }
        return false; // header section larger than the limit
    }
}

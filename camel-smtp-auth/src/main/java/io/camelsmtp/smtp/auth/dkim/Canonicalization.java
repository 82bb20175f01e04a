package io.camelsmtp.smtp.auth.dkim;

import java.io.OutputStream;
import java.util.Locale;

import org.apache.james.jdkim.canon.RelaxedBodyCanonicalizer;
import org.apache.james.jdkim.canon.SimpleBodyCanonicalizer;

/**
 * RFC 6376 §3.4 canonicalizations. The body ones are Apache jDKIM's streaming filters (a body is never held whole);
 * the header ones are the few lines below, as jDKIM's work on its own header type only.
 */
public enum Canonicalization {
    SIMPLE,
    RELAXED;

    /** A field as it enters the hash: "simple" as received, "relaxed" unfolded, white space runs as one space. */
    public String header(HeaderSection.Field field) {
        return this == SIMPLE ? field.raw() : relaxed(field.name(), field.value()) + "\r\n";
    }

    /** A field given as name and value (the signature being made or checked), without a line end. */
    public String header(String name, String value) {
        return this == SIMPLE ? name + ":" + value : relaxed(name, value);
    }

    /** A stream that writes the canonical form of the body octets written to it into {@code out}; close it at the end. */
    public OutputStream body(OutputStream out) {
        return this == SIMPLE ? new SimpleBodyCanonicalizer(out) : new RelaxedBodyCanonicalizer(out);
    }

    public String tag() {
        return name().toLowerCase(Locale.ROOT);
    }

    private static String relaxed(String name, String value) {
        StringBuilder sb = new StringBuilder(name.length() + value.length() + 1);
        sb.append(name.strip().toLowerCase(Locale.ROOT)).append(':');
        boolean space = false;
        boolean first = true; // white space after the field's colon goes, elsewhere it becomes one SP
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\r' || c == '\n') {
                continue; // unfold
            }
            if (c == ' ' || c == '\t') {
                space = true;
                continue;
            }
            if (space && !first) {
                sb.append(' ');
            }
            space = false;
            first = false;
            sb.append(c);
        }
        return sb.toString();
    }

    /** "relaxed/simple" and the like; a single word is the header's, the body's is then "simple" (RFC 6376 §3.5 c=). */
    public static Canonicalization[] parse(String text) throws DkimException {
        String t = text == null ? "simple/simple" : text.strip().toLowerCase(Locale.ROOT);
        String[] parts = t.split("/", -1);
        if (parts.length > 2) {
            throw new DkimException("bad canonicalization '" + text + "'");
        }
        return new Canonicalization[] { one(parts[0], text), parts.length == 2 ? one(parts[1], text) : SIMPLE };
    }

    private static Canonicalization one(String s, String text) throws DkimException {
        return switch (s) {
            case "simple" -> SIMPLE;
            case "relaxed" -> RELAXED;
            default -> throw new DkimException("unknown canonicalization '" + text + "'");
        };
    }
}

package io.camelsmtp.smtp.auth.dkim;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * The header section of a message as its octets stand (RFC 5322 fields with their folding), read from a stream up to
 * the empty line; the stream is then at the first octet of the body. Octets are kept as ISO-8859-1 characters, so
 * "simple" canonicalization hashes exactly what was received, 8-bit octets included.
 */
public final class HeaderSection {

    /** Largest header section read (fields are held in memory; the body is streamed). */
    public static final int MAX_SIZE = 1024 * 1024;
    public static final int MAX_FIELDS = 5000;

    /** One field: its name as written and its full text, "Name: value" with folding and the line end. */
    public record Field(String name, String raw) {

        /** The value: everything after the first colon, folding and line end kept. */
        public String value() {
            return raw.substring(raw.indexOf(':') + 1);
        }

        /** The value unfolded, without its line end, trimmed. */
        public String unfolded() {
            return value().replace("\r", "").replace("\n", "").strip();
        }
    }

    private final List<Field> fields;
    private final long size;

    private HeaderSection(List<Field> fields, long size) {
        this.fields = fields;
        this.size = size;
    }

    public List<Field> fields() {
        return Collections.unmodifiableList(fields);
    }

    /** Octets read: the header section and the empty line after it. */
    public long size() {
        return size;
    }

    /** The fields with this name (case-insensitive), top to bottom. */
    public List<Field> all(String name) {
        List<Field> out = new ArrayList<>();
        for (Field f : fields) {
            if (f.name().equalsIgnoreCase(name)) {
                out.add(f);
            }
        }
        return out;
    }

    /**
     * Reads the header section; a line that is neither a field nor its continuation fails, as does a section larger
     * than {@link #MAX_SIZE}. A message without a body (no empty line) is a header section only.
     */
    public static HeaderSection read(InputStream in) throws IOException, DkimException {
        List<Field> fields = new ArrayList<>();
        StringBuilder current = null;
        long size = 0;
        ByteArrayOutputStream line = new ByteArrayOutputStream(256);
        while (true) {
            line.reset();
            int c;
            while ((c = in.read()) >= 0) {
                line.write(c);
                if (++size > MAX_SIZE) {
                    throw new DkimException("header section larger than " + MAX_SIZE + " octets");
                }
                if (c == '\n') {
                    break;
                }
            }
            String text = line.toString(StandardCharsets.ISO_8859_1);
            boolean end = text.isEmpty() || text.equals("\r\n") || text.equals("\n");
            if (!end && (text.charAt(0) == ' ' || text.charAt(0) == '\t')) {
                if (current == null) {
                    throw new DkimException("the message starts with a continuation line");
                }
                current.append(text);
                continue;
            }
            if (current != null) {
                String raw = current.toString();
                fields.add(new Field(raw.substring(0, raw.indexOf(':')).stripTrailing(), raw));
                current = null;
            }
            if (end || c < 0 && text.isEmpty()) {
                return new HeaderSection(fields, size);
            }
            int colon = text.indexOf(':');
            if (colon <= 0 || !isFieldName(text.substring(0, colon).stripTrailing())) {
                throw new DkimException("malformed header line " + (fields.size() + 1));
            }
            if (fields.size() == MAX_FIELDS) {
                throw new DkimException("more than " + MAX_FIELDS + " header fields");
            }
            current = new StringBuilder(text);
            if (c < 0) {
                // the last line had no line end: a header-only message
                String raw = current.toString();
                fields.add(new Field(raw.substring(0, colon).stripTrailing(), raw));
                return new HeaderSection(fields, size);
            }
        }
    }

    private static boolean isFieldName(String name) {
        if (name.isEmpty()) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c < 33 || c > 126) {
                return false;
            }
        }
        return true;
    }

    /** The domain of the one From address, lower case; null when there is not exactly one From with one address. */
    public String fromDomain() {
        List<Field> from = all("From");
        if (from.size() != 1) {
            return null;
        }
        String v = from.get(0).unfolded();
        int lt = v.lastIndexOf('<');
        String addr = lt >= 0 && v.indexOf('>', lt) > lt ? v.substring(lt + 1, v.indexOf('>', lt)) : v;
        if (addr.indexOf(',') >= 0) {
            return null; // several authors: no single identity to align with
        }
        int at = addr.lastIndexOf('@');
        if (at < 0 || at == addr.length() - 1) {
            return null;
        }
        String domain = addr.substring(at + 1).strip();
        if (domain.endsWith(".")) {
            domain = domain.substring(0, domain.length() - 1);
        }
        return domain.isEmpty() || !domain.matches("[A-Za-z0-9._-]+") ? null : domain.toLowerCase(Locale.ROOT);
    }
}

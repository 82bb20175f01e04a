package io.camelsmtp.smtp.auth.dkim;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The tag=value lists of RFC 6376 §3.2 (a DKIM-Signature's value, a key record), parsed strictly: a tag name is a
 * letter then letters, digits or '_'; a value is printable ASCII without ';' and may hold folding white space; a
 * tag twice, a stray character or more than {@link #MAX_TAGS} tags or {@link #MAX_LENGTH} characters fail the whole
 * list ({@link DkimException}), as the RFC wants ("a tag-list that fails to parse is invalid").
 */
public final class TagList {

    /** Longest tag-list parsed; an 8192-bit signature with a long h= is about 2 KB. */
    public static final int MAX_LENGTH = 16 * 1024;
    public static final int MAX_TAGS = 64;

    private final Map<String, String> tags;

    private TagList(Map<String, String> tags) {
        this.tags = tags;
    }

    /** The value of a tag with its folding white space (CR, LF, SP, TAB) kept inside; null when absent. */
    public String get(String tag) {
        return tags.get(tag);
    }

    /** The value with all white space removed (base64 values, h=); null when absent. */
    public String compact(String tag) {
        String v = tags.get(tag);
        return v == null ? null : stripWhiteSpace(v);
    }

    public Map<String, String> asMap() {
        return Collections.unmodifiableMap(tags);
    }

    public static TagList parse(String text) throws DkimException {
        if (text.length() > MAX_LENGTH) {
            throw new DkimException("tag-list longer than " + MAX_LENGTH + " characters");
        }
        Map<String, String> tags = new LinkedHashMap<>();
        int i = 0;
        int n = text.length();
        while (true) {
            i = skipFws(text, i);
            if (i == n) {
                break; // empty list, or a trailing ';'
            }
            int nameStart = i;
            if (!isAlpha(text.charAt(i))) {
                throw new DkimException("bad tag name at offset " + i);
            }
            while (i < n && (isAlpha(text.charAt(i)) || isDigit(text.charAt(i)) || text.charAt(i) == '_')) {
                i++;
            }
            String name = text.substring(nameStart, i);
            i = skipFws(text, i);
            if (i == n || text.charAt(i) != '=') {
                throw new DkimException("tag '" + name + "' has no '='");
            }
            i = skipFws(text, i + 1);
            int valueStart = i;
            int valueEnd = i;
            while (i < n && text.charAt(i) != ';') {
                char c = text.charAt(i);
                if (c >= 0x21 && c <= 0x7e) {
                    valueEnd = i + 1;
                } else if (!isFwsChar(c)) {
                    throw new DkimException("bad character 0x" + Integer.toHexString(c) + " in tag '" + name + "'");
                }
                i++;
            }
            if (tags.size() == MAX_TAGS) {
                throw new DkimException("more than " + MAX_TAGS + " tags");
            }
            if (tags.put(name, text.substring(valueStart, valueEnd)) != null) {
                throw new DkimException("tag '" + name + "' appears twice");
            }
            if (i == n) {
                break;
            }
            i++; // the ';'
        }
        return new TagList(tags);
    }

    /**
     * A DKIM-Signature value with the value of its b= tag removed (RFC 6376 §3.7: the signature covers its own
     * header with b= empty). Tags cannot hold ';', so each ';'-separated piece is one tag.
     */
    public static String withoutSignature(String text) {
        StringBuilder out = new StringBuilder(text.length());
        int start = 0;
        while (start <= text.length()) {
            int end = text.indexOf(';', start);
            String piece = end < 0 ? text.substring(start) : text.substring(start, end);
            int eq = piece.indexOf('=');
            if (eq > 0 && stripWhiteSpace(piece.substring(0, eq)).equals("b")) {
                piece = piece.substring(0, eq + 1);
            }
            out.append(piece);
            if (end < 0) {
                break;
            }
            out.append(';');
            start = end + 1;
        }
        return out.toString();
    }

    static String stripWhiteSpace(String v) {
        StringBuilder sb = new StringBuilder(v.length());
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (!isFwsChar(c)) {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    private static int skipFws(String s, int i) {
        while (i < s.length() && isFwsChar(s.charAt(i))) {
            i++;
        }
        return i;
    }

    private static boolean isFwsChar(char c) {
        return c == ' ' || c == '\t' || c == '\r' || c == '\n';
    }

    private static boolean isAlpha(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }
}

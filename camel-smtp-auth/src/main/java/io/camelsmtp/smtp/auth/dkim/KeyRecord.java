package io.camelsmtp.smtp.auth.dkim;

import java.security.PublicKey;
import java.util.Base64;

/**
 * A DKIM key record (RFC 6376 §3.6.1), the TXT record at {@code selector._domainkey.domain}. Parsing fails closed:
 * a record that is too long, not a tag-list, of another version, for another service, key type or hash fails
 * ({@link DkimException}); an empty p= is a revoked key ({@link #revoked()}).
 */
public record KeyRecord(DkimAlgorithm keyType, PublicKey key, boolean revoked, boolean testing, boolean strictIdentity) {

    /** Longest record accepted: an 8192-bit RSA key is about 1.4 KB of base64. */
    public static final int MAX_LENGTH = 4096;

    /** Parses a record for a signature made with {@code algorithm}. */
    public static KeyRecord parse(String text, DkimAlgorithm algorithm) throws DkimException {
        if (text.length() > MAX_LENGTH) {
            throw new DkimException("key record longer than " + MAX_LENGTH + " characters");
        }
        TagList tags = TagList.parse(text);
        String v = tags.get("v");
        if (v != null && (!v.equals("DKIM1") || !tags.asMap().keySet().iterator().next().equals("v"))) {
            throw new DkimException("key record version is not DKIM1 as its first tag");
        }
        String k = tags.get("k") == null ? "rsa" : tags.get("k");
        if (!k.equalsIgnoreCase(algorithm.keyType())) {
            throw new DkimException("key type k=" + k + " does not match a=" + algorithm.tag());
        }
        String h = tags.compact("h");
        if (h != null && !java.util.Arrays.asList(h.toLowerCase(java.util.Locale.ROOT).split(":")).contains("sha256")) {
            throw new DkimException("key record does not allow sha256 (h=" + h + ")");
        }
        String s = tags.compact("s");
        if (s != null && !java.util.Arrays.asList(s.toLowerCase(java.util.Locale.ROOT).split(":")).stream()
                .anyMatch(x -> x.equals("*") || x.equals("email"))) {
            throw new DkimException("key record is not for email (s=" + s + ")");
        }
        String p = tags.compact("p");
        if (p == null) {
            throw new DkimException("key record has no p=");
        }
        String t = tags.compact("t");
        boolean testing = false;
        boolean strict = false;
        if (t != null) {
            for (String flag : t.split(":")) {
                testing |= flag.equals("y");
                strict |= flag.equals("s");
            }
        }
        if (p.isEmpty()) {
            return new KeyRecord(algorithm, null, true, testing, strict);
        }
        byte[] der;
        try {
            der = Base64.getDecoder().decode(p);
        } catch (IllegalArgumentException e) {
            throw new DkimException("key record p= is not base64");
        }
        PublicKey key = DkimKeys.fromRecord(algorithm, der);
        return new KeyRecord(algorithm, key, false, testing, strict);
    }
}

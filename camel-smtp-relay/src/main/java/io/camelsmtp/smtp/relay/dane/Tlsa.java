package io.camelsmtp.smtp.relay.dane;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.HexFormat;

import org.xbill.DNS.TLSARecord;

/**
 * One TLSA record (RFC 6698 §2.1): certificate usage, selector, matching type and association data. Only what SMTP
 * DANE uses is {@linkplain #usable() usable} (RFC 7672 §3.1): DANE-TA(2) and DANE-EE(3), selector Cert(0) or SPKI(1),
 * matching Full(0), SHA2-256(1) or SHA2-512(2), with data of the length its matching type implies. Anything else
 * (PKIX-TA(0) and PKIX-EE(1) included, RFC 7672 §3.1.3) is unusable: skipped, never an error.
 */
public record Tlsa(int usage, int selector, int matchingType, byte[] data) {

    public static final int DANE_TA = 2;
    public static final int DANE_EE = 3;
    /** Largest association data kept for Full(0): a certificate or key larger than this is not one we would match. */
    static final int MAX_FULL_DATA = 16 * 1024;

    public Tlsa {
        data = data.clone();
    }

    /** From dnsjava's record. */
    public static Tlsa of(TLSARecord r) {
        return new Tlsa(r.getCertificateUsage(), r.getSelector(), r.getMatchingType(), r.getCertificateAssociationData());
    }

    /**
     * From wire-format rdata (RFC 6698 §2.1): three octets, then the data. Null when the rdata is too short to be a
     * TLSA record at all; every other oddity is left to {@link #usable()}.
     */
    public static Tlsa parse(byte[] rdata) {
        if (rdata == null || rdata.length < 3) {
            return null;
        }
        return new Tlsa(rdata[0] & 0xff, rdata[1] & 0xff, rdata[2] & 0xff, Arrays.copyOfRange(rdata, 3, rdata.length));
    }

    @Override
    public byte[] data() {
        return data.clone();
    }

    /** Whether SMTP DANE can use this record (see the class comment). */
    public boolean usable() {
        if (usage != DANE_TA && usage != DANE_EE || selector > 1) {
            return false;
        }
        return switch (matchingType) {
            case 0 -> data.length > 0 && data.length <= MAX_FULL_DATA;
            case 1 -> data.length == 32;
            case 2 -> data.length == 64;
            default -> false;
        };
    }

    /** Whether {@code cert} is what this record describes (selector and matching type applied); false if unusable. */
    public boolean matches(X509Certificate cert) {
        if (!usable()) {
            return false;
        }
        byte[] selected;
        try {
            selected = selector == 0 ? cert.getEncoded() : cert.getPublicKey().getEncoded();
        } catch (CertificateEncodingException | RuntimeException e) {
            return false;
        }
        if (selected == null) {
            return false;
        }
        return MessageDigest.isEqual(digest(selected), data);
    }

    private byte[] digest(byte[] selected) {
        try {
            return switch (matchingType) {
                case 1 -> MessageDigest.getInstance("SHA-256").digest(selected);
                case 2 -> MessageDigest.getInstance("SHA-512").digest(selected);
                default -> selected;
            };
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-2 missing from this JVM", e);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Tlsa t && t.usage == usage && t.selector == selector && t.matchingType == matchingType
                && Arrays.equals(t.data, data);
    }

    @Override
    public int hashCode() {
        return ((usage * 31 + selector) * 31 + matchingType) * 31 + Arrays.hashCode(data);
    }

    /** Presentation form, data shortened: {@code 3 1 1 8a2f…c4d1}. */
    @Override
    public String toString() {
        String hex = HexFormat.of().formatHex(data);
        return usage + " " + selector + " " + matchingType + " "
                + (hex.length() > 24 ? hex.substring(0, 12) + "…" + hex.substring(hex.length() - 8) : hex);
    }
}

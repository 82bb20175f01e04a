package io.camelsmtp.smtp.auth.dkim;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.EdECKey;
import java.security.interfaces.RSAKey;

/**
 * The two signing algorithms a DKIM signer must offer today: {@code rsa-sha256} (RFC 6376; rsa-sha1 is not used since
 * RFC 8301) and {@code ed25519-sha256} (RFC 8463: Ed25519 over the SHA-256 hash of the header data, on the JDK's own
 * Ed25519, which jDKIM does not have).
 */
public enum DkimAlgorithm {
    RSA_SHA256("rsa-sha256", "rsa"),
    ED25519_SHA256("ed25519-sha256", "ed25519");

    private final String tag;
    private final String keyType;

    DkimAlgorithm(String tag, String keyType) {
        this.tag = tag;
        this.keyType = keyType;
    }

    /** The a= value. */
    public String tag() {
        return tag;
    }

    /** The k= value of its key records. */
    public String keyType() {
        return keyType;
    }

    /** The algorithm of an a= value; null when unknown (rsa-sha1 included). */
    public static DkimAlgorithm ofTag(String tag) {
        for (DkimAlgorithm a : values()) {
            if (a.tag.equalsIgnoreCase(tag)) {
                return a;
            }
        }
        return null;
    }

    /** The algorithm a key signs with. */
    public static DkimAlgorithm of(java.security.Key key) {
        if (key instanceof RSAKey) {
            return RSA_SHA256;
        }
        if (key instanceof EdECKey || "Ed25519".equalsIgnoreCase(key.getAlgorithm())
            || "EdDSA".equalsIgnoreCase(key.getAlgorithm())) {
            return ED25519_SHA256;
        }
        throw new IllegalArgumentException("a DKIM key must be RSA or Ed25519, not " + key.getAlgorithm());
    }

    /** Signs the canonical header data. */
    public byte[] sign(PrivateKey key, byte[] data) throws GeneralSecurityException {
        Signature s = Signature.getInstance(this == RSA_SHA256 ? "SHA256withRSA" : "Ed25519");
        s.initSign(key);
        s.update(this == RSA_SHA256 ? data : sha256(data));
        return s.sign();
    }

    /** Checks a signature over the canonical header data. */
    public boolean verify(PublicKey key, byte[] data, byte[] signature) throws GeneralSecurityException {
        Signature s = Signature.getInstance(this == RSA_SHA256 ? "SHA256withRSA" : "Ed25519");
        s.initVerify(key);
        s.update(this == RSA_SHA256 ? data : sha256(data));
        return s.verify(signature);
    }

    static byte[] sha256(byte[] data) throws GeneralSecurityException {
        return MessageDigest.getInstance("SHA-256").digest(data);
    }
}

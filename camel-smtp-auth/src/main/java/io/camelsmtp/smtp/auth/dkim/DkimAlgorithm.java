package io.camelsmtp.smtp.auth.dkim;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.EdECKey;
import java.security.interfaces.EdECPrivateKey;
import java.security.interfaces.RSAKey;

import org.bouncycastle.math.ec.rfc8032.Ed25519;

/**
 * The two signing algorithms a DKIM signer must offer today: {@code rsa-sha256} (RFC 6376; rsa-sha1 is not used since
 * RFC 8301) and {@code ed25519-sha256} (RFC 8463: Ed25519 over the SHA-256 hash of the header data; jDKIM has no
 * Ed25519). RSA is the JDK's. Ed25519 is BouncyCastle's RFC 8032 code rather than the JDK's {@code Signature
 * "Ed25519"}: both are constant-time and check canonical encodings, but the JDK's verifies about 1,000 signatures a
 * second on one core and BouncyCastle's about 9,000 (bench/dkim.sh, docs/benchmarks.md), and verification is on the
 * path of every message received.
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
        if (this == ED25519_SHA256) {
            byte[] seed = key instanceof EdECPrivateKey ed ? ed.getBytes().orElse(null) : null;
            if (seed == null || seed.length != Ed25519.SECRET_KEY_SIZE) {
                throw new GeneralSecurityException("not an Ed25519 private key with its 32-octet seed: " + key.getAlgorithm());
            }
            byte[] digest = sha256(data);
            byte[] signature = new byte[Ed25519.SIGNATURE_SIZE];
            Ed25519.sign(seed, 0, digest, 0, digest.length, signature, 0);
            return signature;
        }
        Signature s = Signature.getInstance("SHA256withRSA");
        s.initSign(key);
        s.update(data);
        return s.sign();
    }

    /** Checks a signature over the canonical header data. */
    public boolean verify(PublicKey key, byte[] data, byte[] signature) throws GeneralSecurityException {
        if (this == ED25519_SHA256) {
            byte[] raw = DkimKeys.ed25519Raw(key);
            if (signature.length != Ed25519.SIGNATURE_SIZE) {
                return false;
            }
            byte[] digest = sha256(data);
            return Ed25519.verify(signature, 0, raw, 0, digest, 0, digest.length);
        }
        Signature s = Signature.getInstance("SHA256withRSA");
        s.initVerify(key);
        s.update(data);
        return s.verify(signature);
    }

    static byte[] sha256(byte[] data) throws GeneralSecurityException {
        return MessageDigest.getInstance("SHA-256").digest(data);
    }
}

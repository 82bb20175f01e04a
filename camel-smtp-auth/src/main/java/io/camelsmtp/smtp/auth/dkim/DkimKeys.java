package io.camelsmtp.smtp.auth.dkim;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.interfaces.EdECPrivateKey;
import java.security.spec.NamedParameterSpec;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.interfaces.RSAKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;

/**
 * DKIM keys: private keys from PEM (PKCS#8 "PRIVATE KEY", RSA or Ed25519, as {@code openssl genpkey} writes them;
 * also PKCS#1 "RSA PRIVATE KEY", as {@code openssl genrsa} and {@code opendkim-genkey} write them), and public keys
 * to and from the p= of a key record (RSA: the DER SubjectPublicKeyInfo; Ed25519: the raw 32 octets, RFC 8463).
 */
public final class DkimKeys {

    /** Smallest RSA key we sign with (RFC 8301 says verifiers must accept 1024..4096; mailbox providers want 2048). */
    public static final int MIN_SIGNING_RSA_BITS = 2048;
    /** Smallest RSA key a signature is accepted with (RFC 8301 §3.2). */
    public static final int MIN_VERIFYING_RSA_BITS = 1024;
    /** Largest RSA key a signature is checked with: bounds the work one hostile record can ask for. */
    public static final int MAX_RSA_BITS = 8192;

    /** The SubjectPublicKeyInfo prefix of an Ed25519 key (OID 1.3.101.112), before its 32 octets. */
    private static final byte[] ED25519_SPKI_PREFIX = { 0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00 };
    /** AlgorithmIdentifier rsaEncryption with NULL parameters, for wrapping PKCS#1 into PKCS#8. */
    private static final byte[] RSA_ALGORITHM_ID = { 0x30, 0x0d, 0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86,
            (byte) 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00 };

    private DkimKeys() {
    }

    /** A private key from PEM text. */
    public static PrivateKey privateKey(String pem) throws DkimException {
        String type;
        byte[] der;
        try {
            int begin = pem.indexOf("-----BEGIN ");
            int typeEnd = begin < 0 ? -1 : pem.indexOf("-----", begin + 11);
            if (typeEnd < 0) {
                throw new DkimException("no PEM key (-----BEGIN PRIVATE KEY-----) found");
            }
            type = pem.substring(begin + 11, typeEnd);
            int end = pem.indexOf("-----END " + type + "-----", typeEnd);
            if (end < 0) {
                throw new DkimException("PEM key has no END line");
            }
            der = Base64.getMimeDecoder().decode(pem.substring(typeEnd + 5, end).strip());
        } catch (IllegalArgumentException e) {
            throw new DkimException("PEM key is not valid base64", e);
        }
        try {
            switch (type) {
                case "PRIVATE KEY":
                    try {
                        return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(der));
                    } catch (GeneralSecurityException notRsa) {
                        return KeyFactory.getInstance("Ed25519").generatePrivate(new PKCS8EncodedKeySpec(der));
                    }
                case "RSA PRIVATE KEY":
                    return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(pkcs1ToPkcs8(der)));
                default:
                    throw new DkimException("PEM type '" + type + "' is not a private key (PRIVATE KEY or RSA PRIVATE KEY; "
                            + "an encrypted key must be decrypted first)");
            }
        } catch (GeneralSecurityException e) {
            throw new DkimException("the key is neither an RSA nor an Ed25519 private key: " + e.getMessage(), e);
        }
    }

    /** PKCS#8 PrivateKeyInfo { version 0, rsaEncryption, OCTET STRING pkcs1 }. */
    private static byte[] pkcs1ToPkcs8(byte[] pkcs1) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(new byte[] { 0x02, 0x01, 0x00 });
        body.writeBytes(RSA_ALGORITHM_ID);
        body.write(0x04);
        body.writeBytes(derLength(pkcs1.length));
        body.writeBytes(pkcs1);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0x30);
        out.writeBytes(derLength(body.size()));
        out.writeBytes(body.toByteArray());
        return out.toByteArray();
    }

    private static byte[] derLength(int n) {
        if (n < 128) {
            return new byte[] { (byte) n };
        }
        if (n < 256) {
            return new byte[] { (byte) 0x81, (byte) n };
        }
        if (n < 65536) {
            return new byte[] { (byte) 0x82, (byte) (n >> 8), (byte) n };
        }
        return new byte[] { (byte) 0x83, (byte) (n >> 16), (byte) (n >> 8), (byte) n };
    }

    /** The public half of a private key. */
    public static PublicKey publicKey(PrivateKey key) throws GeneralSecurityException {
        if (key instanceof RSAPrivateCrtKey rsa) {
            return KeyFactory.getInstance("RSA").generatePublic(new RSAPublicKeySpec(rsa.getModulus(), rsa.getPublicExponent()));
        }
        if (key instanceof EdECPrivateKey ed && ed.getBytes().isPresent()) {
            // the JDK has no "public key of this private key" for Ed25519; its key pair generator derives the public
            // key from 32 random octets, so hand it the private key's octets as the "random" ones
            byte[] seed = ed.getBytes().get();
            KeyPairGenerator g = KeyPairGenerator.getInstance("Ed25519");
            g.initialize(NamedParameterSpec.ED25519, new SecureRandom() {
                private static final long serialVersionUID = 1L;

                @Override
                public void nextBytes(byte[] bytes) {
                    System.arraycopy(seed, 0, bytes, 0, Math.min(seed.length, bytes.length));
                }
            });
            return g.generateKeyPair().getPublic();
        }
        throw new GeneralSecurityException("no public key can be derived from a " + key.getAlgorithm() + " key");
    }

    /** The p= value of the key record for a private key. */
    public static String recordValue(PrivateKey key) throws GeneralSecurityException {
        PublicKey pub = publicKey(key);
        byte[] spki = pub.getEncoded();
        if (DkimAlgorithm.of(key) == DkimAlgorithm.ED25519_SHA256) {
            return Base64.getEncoder().encodeToString(Arrays.copyOfRange(spki, ED25519_SPKI_PREFIX.length, spki.length));
        }
        return Base64.getEncoder().encodeToString(spki);
    }

    /** The whole TXT record to publish at {@code selector._domainkey.domain}. */
    public static String record(PrivateKey key) throws GeneralSecurityException {
        return "v=DKIM1; k=" + DkimAlgorithm.of(key).keyType() + "; p=" + recordValue(key);
    }

    /** The 32 octets of an Ed25519 public key (RFC 8032 encoding), from its SubjectPublicKeyInfo. */
    static byte[] ed25519Raw(PublicKey key) throws GeneralSecurityException {
        byte[] spki = key.getEncoded();
        if (spki == null || spki.length != ED25519_SPKI_PREFIX.length + 32
                || !Arrays.equals(spki, 0, ED25519_SPKI_PREFIX.length, ED25519_SPKI_PREFIX, 0, ED25519_SPKI_PREFIX.length)) {
            throw new GeneralSecurityException("not an Ed25519 public key: " + key.getAlgorithm());
        }
        return Arrays.copyOfRange(spki, ED25519_SPKI_PREFIX.length, spki.length);
    }

    /** The public key of a p= value for key type {@code k}. */
    public static PublicKey fromRecord(DkimAlgorithm algorithm, byte[] p) throws DkimException {
        try {
            if (algorithm == DkimAlgorithm.ED25519_SHA256) {
                if (p.length != 32) {
                    throw new DkimException("an Ed25519 key must be 32 octets, not " + p.length);
                }
                byte[] spki = Arrays.copyOf(ED25519_SPKI_PREFIX, ED25519_SPKI_PREFIX.length + 32);
                System.arraycopy(p, 0, spki, ED25519_SPKI_PREFIX.length, 32);
                return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(spki));
            }
            return KeyFactory.getInstance("RSA").generatePublic(new X509EncodedKeySpec(p));
        } catch (GeneralSecurityException | RuntimeException e) {
            throw new DkimException("the key record's p= is not a " + algorithm.keyType() + " public key", e);
        }
    }

    /** Bits of an RSA key; 0 for other keys. */
    public static int rsaBits(java.security.Key key) {
        return key instanceof RSAKey rsa ? rsa.getModulus().bitLength() : 0;
    }

    static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(der) + "\n-----END " + type + "-----\n";
    }
}

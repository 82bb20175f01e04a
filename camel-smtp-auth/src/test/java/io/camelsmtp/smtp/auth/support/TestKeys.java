package io.camelsmtp.smtp.auth.support;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.interfaces.EdECPrivateKey;
import java.util.Base64;

import io.camelsmtp.smtp.auth.dkim.DkimKeys;

/** Keys for the tests, made once per JVM on the JDK, and written as the files peers and options read. */
public final class TestKeys {

    public static final PrivateKey RSA = generate("RSA", 2048);
    public static final PrivateKey ED25519 = generate("Ed25519", 0);

    private TestKeys() {
    }

    public static PrivateKey generate(String algorithm, int bits) {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance(algorithm);
            if (bits > 0) {
                g.initialize(bits);
            }
            return g.generateKeyPair().getPrivate();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** PEM PKCS#8, as {@code openssl genpkey} writes it. */
    public static String pem(PrivateKey key) {
        return "-----BEGIN PRIVATE KEY-----\n" + Base64.getMimeEncoder(64, new byte[] { '\n' }).encodeToString(key.getEncoded())
                + "\n-----END PRIVATE KEY-----\n";
    }

    public static Path writePem(Path file, PrivateKey key) throws Exception {
        Files.createDirectories(file.getParent());
        return Files.writeString(file, pem(key), StandardCharsets.US_ASCII);
    }

    /** The key file dkimpy signs with: PEM for RSA, the base64 of the 32-octet seed for Ed25519. */
    public static Path writeForDkimpy(Path file, PrivateKey key) throws Exception {
        if (key instanceof EdECPrivateKey ed) {
            return Files.writeString(file, Base64.getEncoder().encodeToString(ed.getBytes().orElseThrow()));
        }
        return writePem(file, key);
    }

    /** The TXT record to publish for a key. */
    public static String record(PrivateKey key) {
        try {
            return DkimKeys.record(key);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}

package io.camelsmtp.smtp.relay.dane;

import java.io.ByteArrayInputStream;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.cert.CertificateFactory;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.security.spec.X509EncodedKeySpec;

/**
 * A DANE-TA(2) trust anchor carried in full by the TLSA record itself (RFC 7671 §5.2.2: {@code 2 0 0} a
 * certificate, {@code 2 1 0} a public key), for servers that leave the anchor out of the chain they send.
 */
final class PublishedAnchor {

    private static final String[] KEY_ALGORITHMS = { "RSA", "EC", "Ed25519", "Ed448", "DSA" };

    private PublishedAnchor() {
    }

    /** The anchor in {@code r}, or null when its data is not a certificate or key this JVM can read. */
    static TrustAnchor of(Tlsa r, X509Certificate top) {
        byte[] data = r.data();
        try {
            if (r.selector() == 0) {
                X509Certificate cert = (X509Certificate) CertificateFactory.getInstance("X.509")
                        .generateCertificate(new ByteArrayInputStream(data));
                return new TrustAnchor(cert, null);
            }
            for (String algorithm : KEY_ALGORITHMS) {
                try {
                    PublicKey key = KeyFactory.getInstance(algorithm).generatePublic(new X509EncodedKeySpec(data));
                    // the name PKIX chains the top certificate to: its issuer
                    return new TrustAnchor(top.getIssuerX500Principal(), key, null);
                } catch (java.security.GeneralSecurityException | RuntimeException e) {
                    // not this algorithm; try the next
                }
            }
            return null;
        } catch (java.security.GeneralSecurityException | RuntimeException e) {
            return null;
        }
    }
}

package io.camelsmtp.smtp.auth.dkim;

import java.security.PrivateKey;
import java.util.Locale;

/**
 * One signature to make: the signing domain (d=), the selector (s=) whose key record is published at
 * {@code selector._domainkey.domain}, and the private key (RSA of at least 2048 bits, or Ed25519).
 */
public record SigningKey(String domain, String selector, PrivateKey privateKey) {

    public SigningKey {
        domain = checkName(domain, "domain").toLowerCase(Locale.ROOT);
        selector = checkName(selector, "selector");
        DkimAlgorithm algorithm = DkimAlgorithm.of(privateKey);
        int bits = DkimKeys.rsaBits(privateKey);
        if (algorithm == DkimAlgorithm.RSA_SHA256 && bits < DkimKeys.MIN_SIGNING_RSA_BITS) {
            throw new IllegalArgumentException("the RSA key for selector " + selector + " of " + domain + " has " + bits
                    + " bits; at least " + DkimKeys.MIN_SIGNING_RSA_BITS + " are needed (RFC 8301; receivers ignore shorter keys)");
        }
    }

    public DkimAlgorithm algorithm() {
        return DkimAlgorithm.of(privateKey);
    }

    private static String checkName(String name, String what) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("a DKIM " + what + " is needed");
        }
        String n = name.strip();
        if (n.endsWith(".")) {
            n = n.substring(0, n.length() - 1);
        }
        if (n.length() > 253
            || !n.matches("[A-Za-z0-9_]([A-Za-z0-9_-]{0,62})(\\.[A-Za-z0-9_]([A-Za-z0-9_-]{0,62}))*")) {
            throw new IllegalArgumentException("'" + name + "' is not a valid DKIM " + what);
        }
        return n;
    }

    @Override
    public String toString() {
        return "SigningKey[d=" + domain + ", s=" + selector + ", a=" + algorithm().tag() + "]"; // never the key
    }
}

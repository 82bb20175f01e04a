package io.camelsmtp.smtp.relay.tls;

import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.util.Locale;

/** Maps what a TLS handshake or certificate check threw to an RFC 8460 result type. */
public final class TlsFailures {

    private TlsFailures() {
    }

    /**
     * The result type of a failed handshake: a {@link TlsPolicyException}'s own type; an expired or not yet valid
     * certificate; a chain that leads nowhere trusted; a name that does not match (the JDK's wording); otherwise
     * {@link TlsResultType#VALIDATION_FAILURE}. Looks through the causes (the JDK wraps the check's exception).
     */
    public static TlsResultType classify(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof TlsPolicyException p) {
                return p.type();
            }
            if (t instanceof CertificateExpiredException || t instanceof CertificateNotYetValidException) {
                return TlsResultType.CERTIFICATE_EXPIRED;
            }
            if (t instanceof CertPathValidatorException v) {
                if (v.getReason() == CertPathValidatorException.BasicReason.EXPIRED
                        || v.getReason() == CertPathValidatorException.BasicReason.NOT_YET_VALID) {
                    return TlsResultType.CERTIFICATE_EXPIRED;
                }
                return TlsResultType.CERTIFICATE_NOT_TRUSTED;
            }
            if (t instanceof CertPathBuilderException) {
                return TlsResultType.CERTIFICATE_NOT_TRUSTED;
            }
            String m = t.getMessage() == null ? "" : t.getMessage().toLowerCase(Locale.ROOT);
            if (m.contains("no subject alternative") || m.contains("no name matching")) {
                return TlsResultType.CERTIFICATE_HOST_MISMATCH;
            }
        }
        return TlsResultType.VALIDATION_FAILURE;
    }
}

package io.camelsmtp.smtp.relay.tls;

import java.security.cert.CertificateException;

/**
 * A certificate check that knows its RFC 8460 result type. A trust manager given to {@link HostTls#verified} (DANE's,
 * for one) throws this to have its failure reported as that type; any other {@link CertificateException} is
 * classified by {@link TlsFailures#classify}.
 */
public class TlsPolicyException extends CertificateException {

    private static final long serialVersionUID = 1L;

    private final TlsResultType type;

    public TlsPolicyException(TlsResultType type, String message) {
        super(message);
        this.type = type;
    }

    public TlsResultType type() {
        return type;
    }
}

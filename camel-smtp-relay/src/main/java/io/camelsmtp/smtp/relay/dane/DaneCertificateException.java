package io.camelsmtp.smtp.relay.dane;

import java.security.cert.CertificateException;

/** A certificate chain that DANE refused, with the TLS-RPT result type saying why (also in the message). */
public final class DaneCertificateException extends CertificateException {

    private static final long serialVersionUID = 1L;

    private final DaneResultType resultType;

    public DaneCertificateException(DaneResultType resultType, String detail) {
        super("DANE " + resultType.rfc8460Name() + ": " + detail);
        this.resultType = resultType;
    }

    public DaneResultType resultType() {
        return resultType;
    }
}

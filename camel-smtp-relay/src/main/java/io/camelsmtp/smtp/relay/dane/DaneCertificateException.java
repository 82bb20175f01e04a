package io.camelsmtp.smtp.relay.dane;

import io.camelsmtp.smtp.relay.tls.TlsPolicyException;
import io.camelsmtp.smtp.relay.tls.TlsResultType;

/**
 * A certificate chain that DANE refused, with the TLS-RPT result type saying why (also in the message). A
 * {@link TlsPolicyException}, so the session setup reports the failure under that type rather than guessing.
 */
public final class DaneCertificateException extends TlsPolicyException {

    private static final long serialVersionUID = 1L;

    private final DaneResultType resultType;

    public DaneCertificateException(DaneResultType resultType, String detail) {
        super(TlsResultType.valueOf(resultType.name()), "DANE " + resultType.rfc8460Name() + ": " + detail);
        this.resultType = resultType;
    }

    public DaneResultType resultType() {
        return resultType;
    }
}

package io.camelsmtp.smtp.relay.mtasts;

import io.camelsmtp.smtp.relay.tls.TlsResultType;

/** A policy could not be had; {@link #type()} is how RFC 8460 reports it. */
public final class PolicyFetchException extends Exception {

    private static final long serialVersionUID = 1L;

    private final TlsResultType type;

    PolicyFetchException(TlsResultType type, String message) {
        super(message, null, false, false);
        this.type = type;
    }

    public TlsResultType type() {
        return type;
    }
}

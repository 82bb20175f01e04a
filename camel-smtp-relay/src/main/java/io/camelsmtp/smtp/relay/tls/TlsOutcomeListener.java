package io.camelsmtp.smtp.relay.tls;

/**
 * Hears the TLS outcome of each new session the relay opens and of each failed policy look-up (option
 * {@code tlsOutcomeListener}); TLS reporting (RFC 8460) counts them. Called on the delivering thread: return fast and
 * do not throw (what is thrown is logged and dropped).
 */
@FunctionalInterface
public interface TlsOutcomeListener {

    void outcome(TlsOutcome outcome);

    TlsOutcomeListener NONE = o -> {
    };
}

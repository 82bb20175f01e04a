package io.camelsmtp.smtp.relay.client;

/** How the relay uses STARTTLS. */
public enum TlsPolicy {
    /** Never STARTTLS. */
    none,
    /**
     * STARTTLS when offered, without checking the certificate (RFC 7435); if the handshake fails, the same host is
     * tried again in plaintext, before any transaction.
     */
    opportunistic,
    /**
     * STARTTLS must be offered and succeed, with the certificate trusted and matching the host name; otherwise the
     * host is skipped and, failing all, the recipients are deferred.
     */
    required
}

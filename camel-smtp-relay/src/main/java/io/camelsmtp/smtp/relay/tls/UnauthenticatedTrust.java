package io.camelsmtp.smtp.relay.tls;

/**
 * Marks a trust manager given to {@link HostTls#verified} that accepts any certificate: TLS is mandatory (no
 * plaintext fallback), but the session does not count as verified (DANE with only unusable TLSA records, RFC 7672
 * §2.2). Such a session does not satisfy REQUIRETLS and is reported as not verified.
 */
public interface UnauthenticatedTrust {
}

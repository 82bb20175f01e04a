/**
 * DANE for SMTP (RFC 7672; TLSA records of RFC 6698/7671): which MX hosts must be reached over TLS and how their
 * certificates are authenticated, from DNSSEC-validated TLSA records.
 * <p>
 * {@link io.camelsmtp.smtp.relay.dane.DnssecResolver} gives answers with a DNSSEC verdict (validated here from
 * configured trust anchors, or the AD bit of trusted resolvers only); {@link io.camelsmtp.smtp.relay.dane.DaneLookup}
 * turns an MX host into a {@link io.camelsmtp.smtp.relay.dane.DanePolicy}: none, encrypt only, authenticate with a
 * {@link io.camelsmtp.smtp.relay.dane.DaneTrustManager}, or refuse the host (DNSSEC failure). Failure model: a DNS
 * answer that cannot be trusted never loosens a policy; it makes the host unusable for this attempt (a deferral
 * with 4.7.5 when no other host is left), never a plaintext fallback. Unknown TLSA parameters are unusable records,
 * not errors. Every look-up is bounded in time, CNAME hops, records and cache size.
 */
package io.camelsmtp.smtp.relay.dane;

/**
 * DKIM (RFC 6376, RFC 8463, RFC 8301) on the JDK and Apache jDKIM's body canonicalizers: {@link
 * io.camelsmtp.smtp.auth.dkim.DkimSigner} makes signatures, {@link io.camelsmtp.smtp.auth.dkim.DkimVerifier} checks
 * them; both read the header section into memory ({@link io.camelsmtp.smtp.auth.dkim.HeaderSection}, bounded) and
 * stream the body.
 */
package io.camelsmtp.smtp.auth.dkim;

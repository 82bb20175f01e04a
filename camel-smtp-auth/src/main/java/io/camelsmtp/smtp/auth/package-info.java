/**
 * {@code smtp-auth}: mail authentication as route steps. {@code dkim-sign} signs outgoing mail (RSA and Ed25519),
 * {@code verify} checks incoming DKIM signatures and SPF, {@code spf} checks SPF (in {@code .spf}) at MAIL FROM;
 * DMARC and DNS block lists are to follow in {@code .dmarc} and {@code .dns}. Failure model: signing refuses what it
 * cannot sign correctly with a 550 reply (never sends it unsigned or wrongly signed); verifying never fails the
 * exchange for anything the message or the DNS holds, it reports a result (temperror for DNS failures); {@code spf}
 * refuses only when asked to ({@code refuseOnFail} and its kin).
 */
package io.camelsmtp.smtp.auth;

/**
 * {@code smtp-auth}: mail authentication as route steps. {@code dkim-sign} signs outgoing mail (RSA and Ed25519),
 * {@code verify} checks incoming DKIM signatures, SPF ({@code .spf}) and DMARC ({@code .dmarc}), {@code spf} checks
 * SPF at MAIL FROM, {@code dnsbl} the client address against DNS block lists ({@code .dnsbl}). Failure model: signing
 * refuses what it cannot sign correctly with a 550 reply (never sends it unsigned or wrongly signed); verifying never
 * fails the exchange for anything the message or the DNS holds, it reports a result (temperror for DNS failures);
 * {@code spf} and {@code verify} refuse only when asked to ({@code refuseOnFail} and its kin, {@code
 * refuseDmarcReject}); dnsbl refuses (554) only on a listing, never because a list failed.
 */
package io.camelsmtp.smtp.auth;

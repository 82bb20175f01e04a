/**
 * {@code smtp-auth}: mail authentication as route steps. {@code dkim-sign} signs outgoing mail (RSA and Ed25519),
 * {@code verify} checks incoming DKIM signatures, {@code dnsbl} the client address against DNS block lists
 * ({@code .dnsbl}); SPF and DMARC are to follow in {@code .spf} and {@code .dmarc}. Failure model: signing refuses
 * what it cannot sign correctly with a 550 reply (never sends it unsigned or wrongly signed); verifying never fails
 * the exchange for anything the message or the DNS holds, it reports a result (temperror for DNS failures); dnsbl
 * refuses (554) only on a listing, never because a list failed.
 */
package io.camelsmtp.smtp.auth;

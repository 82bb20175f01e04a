/**
 * DNS for the authentication steps: TXT look-ups with the relay's {@code dnsServers} convention, time-outs and a TTL
 * cache. SPF's look-ups (A, AAAA, MX, PTR, TXT) go through
 * {@code TxtResolver.lookup}; DMARC's will live here too.
 */
package io.camelsmtp.smtp.auth.dns;

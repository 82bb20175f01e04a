/**
 * DNS for the authentication steps: TXT look-ups with the relay's {@code dnsServers} convention, time-outs and a TTL
 * cache. SPF and DMARC look-ups will live here too.
 */
package io.camelsmtp.smtp.auth.dns;

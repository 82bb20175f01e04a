/**
 * The {@code smtp-relay} component: outbound SMTP as a Camel producer.
 * <p>
 * Failure model. Every recipient ends an attempt in one of three states: <b>delivered</b> (a 2xx after the final
 * dot), <b>deferred</b> (a 4xx, a connection refused, lost or timed out, DNS SERVFAIL or time-out, TLS required but
 * unavailable: trying later may succeed) or <b>failed</b> (a 5xx, NXDOMAIN, a null MX, a syntactically invalid
 * address, a message the receiver cannot take: trying again cannot help). Host-level problems never fail a recipient
 * for good: the next mail exchanger is tried, and if none is left the recipient is deferred; the one exception is a
 * message with REQUIRETLS (RFC 8689 §4.2.1), which fails (5.7.30, 5.7.10) when no host can carry it: none offers
 * REQUIRETLS or verified TLS, or a policy that was obtained excludes it (a policy that could not be looked up
 * defers). The producer completes
 * only when all recipients were delivered; otherwise it throws {@link io.camelsmtp.smtp.relay.SmtpDeliveryException},
 * and before it does, it shrinks {@code CamelSmtpEnvelopeTo} to the deferred recipients, so that any retry sends to
 * those alone.
 * <p>
 * No peer can take more than its share: replies are bounded in lines and octets, every read and write has a time-out
 * and each attempt on a host a deadline ({@code maxAttemptTime}); a destination costs at most {@code maxMxHosts}
 * look-ups, {@code maxMxAddresses} connections and {@code maxMxSessions} sessions per attempt; and whatever an attempt
 * throws, an {@link java.lang.Error} included, defers its recipients instead of leaving the producer. A delivery
 * withdrawn by whoever started it ({@link io.camelsmtp.smtp.common.DeliveryCancellation}) stops before the next
 * connection or before DATA, its undelivered recipients deferred. DNS lives in {@code dns}, the SMTP client in
 * {@code client}, per-host TLS requirements (and the TLS outcomes reported) in {@code tls}, MTA-STS in
 * {@code mtasts}: where a policy demands verified TLS, a host without it is skipped, never used in plaintext.
 * <p>
 * Over LMTP ({@code smtp-relay:lmtp:...}, RFC 2033) each accepted recipient is decided by its own reply after the
 * data: delivered only on its own 2xx; when the replies stop (connection lost, time-out, a malformed reply) that
 * recipient and all after it are deferred, as RFC 2033 asks, at the risk of a duplicate rather than a loss.
 */
package io.camelsmtp.smtp.relay;

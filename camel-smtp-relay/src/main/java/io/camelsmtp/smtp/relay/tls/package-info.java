/**
 * Per-host TLS requirements: the seam between the policies that decide what TLS a mail exchanger must have (the
 * {@code tls} option, MTA-STS in {@code relay.mtasts}, DANE) and the SMTP client that enforces it. A policy builds a
 * {@link io.camelsmtp.smtp.relay.tls.DestinationTls} for a delivery; the client asks it for each MX host's
 * {@link io.camelsmtp.smtp.relay.tls.HostTls} and reports how each session went to a
 * {@link io.camelsmtp.smtp.relay.tls.TlsOutcomeListener} with RFC 8460's result types.
 */
package io.camelsmtp.smtp.relay.tls;

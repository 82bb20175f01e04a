/**
 * SMTP TLS reporting (RFC 8460): {@link io.camelsmtp.smtp.relay.tlsrpt.TlsReportCollector} counts each finished TLS
 * attempt ({@link io.camelsmtp.smtp.relay.tlsrpt.TlsAttempt}) per day, domain and policy, bounded and lock-free;
 * {@link io.camelsmtp.smtp.relay.tlsrpt.TlsReportStore} keeps the counts across restarts;
 * {@link io.camelsmtp.smtp.relay.tlsrpt.TlsRptLookup} and {@link io.camelsmtp.smtp.relay.tlsrpt.TlsRptRecord} find
 * where a domain wants its reports ({@code _smtp._tls} TXT); {@link io.camelsmtp.smtp.relay.tlsrpt.TlsReport} is the
 * JSON report, gzipped, and its mail; {@link io.camelsmtp.smtp.relay.tlsrpt.TlsReportSender} posts or mails it;
 * {@link io.camelsmtp.smtp.relay.tlsrpt.TlsReporting} runs it all once a day. Depends on nothing of the SMTP client:
 * the delivery path's TLS outcome is turned into a {@code TlsAttempt} where the two meet.
 */
package io.camelsmtp.smtp.relay.tlsrpt;

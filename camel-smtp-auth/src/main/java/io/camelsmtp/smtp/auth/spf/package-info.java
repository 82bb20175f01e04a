/**
 * SPF (RFC 7208) for {@code smtp-auth:spf} and {@code smtp-auth:verify}: Apache James jSPF's evaluator on our DNS
 * ({@code .dns}), with the limits jSPF lacks added around it (void look-ups, MX and PTR answers, record length, a
 * deadline) and RR type SPF no longer asked for. Results are RFC 7208's seven words; nothing in DNS or in the
 * client's input makes an evaluation throw.
 */
package io.camelsmtp.smtp.auth.spf;

/**
 * The SMTP session engine behind {@code smtp-server}, built on SubEthaSMTP.
 * <p>
 * SubEthaSMTP provides the accept loop, one thread per session, the command-line reader and the STARTTLS socket
 * upgrade. Its own command implementations are replaced here, because an MTA needs what they do not give: enhanced
 * status codes on every reply (RFC 2034), MAIL/RCPT parameters (SIZE, BODY, SMTPUTF8, DSN's RET/ENVID/NOTIFY/ORCPT),
 * a policy call at every stage, a DATA reader that ends only on {@code <CRLF>.<CRLF>} and refuses bare CR/LF (SMTP
 * smuggling), an error budget, and a graceful drain. The engine knows nothing of Camel: it reports each stage to a
 * {@link io.camelsmtp.smtp.server.protocol.MailStages} and sends the reply that comes back.
 */
package io.camelsmtp.smtp.server.protocol;

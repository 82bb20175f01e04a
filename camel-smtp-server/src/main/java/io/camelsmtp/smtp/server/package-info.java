/**
 * The {@code smtp-server} Camel component: an SMTP listener as a route consumer. The reply after DATA is the route's
 * outcome (250 only once it completed; {@link io.camelsmtp.smtp.server.SmtpRejectException} chooses a refusal; any
 * other failure is a 451 so the client retries). The SMTP session engine lives in
 * {@link io.camelsmtp.smtp.server.protocol}, user-facing AUTH types in {@link io.camelsmtp.smtp.server.auth}.
 */
package io.camelsmtp.smtp.server;

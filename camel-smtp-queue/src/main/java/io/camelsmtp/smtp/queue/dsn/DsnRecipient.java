package io.camelsmtp.smtp.queue.dsn;

import java.time.Instant;
import java.util.Objects;

/**
 * One recipient of a delivery status notification: the fields of its per-recipient group (RFC 3464, section 2.3).
 * Every value that ends up in the report is cleaned of line breaks first, so none can start a field of its own.
 *
 * @param finalRecipient    the address delivery was attempted to, such as {@code bob@example.org}; written as
 *                          {@code Final-Recipient: rfc822; bob@example.org}; required
 * @param originalRecipient the ORCPT parameter as received, {@code addr-type;address} such as
 *                          {@code rfc822;bob@example.org} (written as given, so any xtext decoding is the caller's),
 *                          or {@code null} for no {@code Original-Recipient} field
 * @param action            {@code failed}, {@code delayed}, {@code delivered}, {@code relayed} or {@code expanded};
 *                          {@code null} takes the default of the report's {@link DsnKind}
 * @param status            the enhanced status code such as {@code 5.1.1}; {@code null} takes the default of the
 *                          report's {@link DsnKind}
 * @param remoteMta         host name of the remote MTA, or {@code null} for no {@code Remote-MTA} field
 * @param diagnosticCode    the SMTP reply such as {@code 550 5.1.1 No such user}, or {@code null} for no
 *                          {@code Diagnostic-Code} field
 * @param lastAttempt       when delivery was last attempted, or {@code null} for no {@code Last-Attempt-Date}
 * @param willRetryUntil    for a delayed recipient, when the queue gives up; {@code null} for no
 *                          {@code Will-Retry-Until}
 */
public record DsnRecipient(
        String finalRecipient,
        String originalRecipient,
        String action,
        String status,
        String remoteMta,
        String diagnosticCode,
        Instant lastAttempt,
        Instant willRetryUntil) {

    public DsnRecipient {
        Objects.requireNonNull(finalRecipient, "finalRecipient");
    }
}

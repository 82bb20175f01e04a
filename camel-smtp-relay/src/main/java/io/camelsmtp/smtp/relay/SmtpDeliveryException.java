package io.camelsmtp.smtp.relay;

import io.camelsmtp.smtp.common.DeliveryReport;
import io.camelsmtp.smtp.common.DeliveryReportException;

/**
 * {@code smtp-relay} did not deliver to every recipient. {@link #isTransient()} is true when some recipients were only
 * deferred: those, and only those, are in {@link #getPendingRecipients()} and in the Exchange's
 * {@code CamelSmtpEnvelopeTo} header, so a redelivery by Camel's error handler never sends to a recipient that was
 * already delivered or failed for good. As an {@code SmtpReplyException} it carries the reply of the real class of
 * the failure, which {@code smtp-server} answers with when the route has no queue.
 */
public class SmtpDeliveryException extends DeliveryReportException {

    private static final long serialVersionUID = 1L;

    public SmtpDeliveryException(DeliveryReport report) {
        super(report);
    }
}

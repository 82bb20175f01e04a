package io.camelsmtp.smtp.relay;

import java.util.List;
import java.util.stream.Collectors;

/**
 * Not every recipient was delivered. {@link #isTransient()} is true when some recipients were only deferred: those,
 * and only those, are in {@link #getPendingRecipients()} and in the Exchange's {@code CamelSmtpEnvelopeTo} header, so
 * a redelivery by Camel's error handler never sends to a recipient that was already delivered or failed for good.
 */
public class SmtpDeliveryException extends Exception {

    private static final long serialVersionUID = 1L;

    private final transient DeliveryReport report;

    public SmtpDeliveryException(DeliveryReport report) {
        super(message(report));
        this.report = report;
    }

    private static String message(DeliveryReport report) {
        boolean deferred = !report.getDeferred().isEmpty();
        return (deferred ? "Delivery deferred for " + report.getDeferred().size() : "Delivery failed for "
                + report.getFailed().size()) + " of " + report.getResults().size() + " recipient(s):\n" + report;
    }

    /** True when some recipients may still be delivered by trying again later. */
    public boolean isTransient() {
        return !report.getDeferred().isEmpty();
    }

    public DeliveryReport getReport() {
        return report;
    }

    /** Recipients to try again: the deferred ones. */
    public List<String> getPendingRecipients() {
        return report.getDeferred().stream().map(RecipientResult::getRecipient).collect(Collectors.toList());
    }
}

package io.camelsmtp.smtp.common;

import java.util.List;
import java.util.stream.Collectors;

/**
 * A delivery that did not reach every recipient, with the {@link DeliveryReport} that says what happened to each. Any
 * delivery route may throw it (a bean, an HTTP bridge); {@code smtp-relay} throws its subclass
 * {@code SmtpDeliveryException}. As an {@link SmtpReplyException} it carries one reply of the real class of the
 * failure, so {@code smtp-server} answers a client with it when a route relays without a queue: a 4xx when some
 * recipient is only deferred (the client tries again), else the 5xx of the first recipient that failed for good.
 */
public class DeliveryReportException extends SmtpReplyException {

    private static final long serialVersionUID = 1L;
    private static final int MAX_TEXT = 200;

    private final transient DeliveryReport report;

    public DeliveryReportException(DeliveryReport report) {
        super(message(report), summary(report), null);
        this.report = report;
    }

    private static String message(DeliveryReport report) {
        boolean deferred = !report.getDeferred().isEmpty();
        return (deferred ? "Delivery deferred for " + report.getDeferred().size() : "Delivery failed for "
                + report.getFailed().size()) + " of " + report.getResults().size() + " recipient(s):\n" + report;
    }

    /** The reply a client should see: the first deferred recipient's (as a 4xx), else the first failed one's (as a 5xx). */
    static SmtpReply summary(DeliveryReport report) {
        boolean deferred = !report.getDeferred().isEmpty();
        List<RecipientResult> deciding = deferred ? report.getDeferred() : report.getFailed();
        if (deciding.isEmpty()) {
            return SmtpReply.of(451, "4.3.0", "Delivery incomplete, try again later");
        }
        RecipientResult first = deciding.get(0);
        SmtpReply r = first.getReply();
        String line = r.text().lines().findFirst().orElse("").strip();
        String text = "<" + first.getRecipient() + ">: " + (line.length() > MAX_TEXT ? line.substring(0, MAX_TEXT) : line);
        if (deferred) {
            return r.isTransient() ? SmtpReply.of(r.code(), r.enhancedStatus(), text) : SmtpReply.of(451, "4.4.0", text);
        }
        return r.isPermanent() ? SmtpReply.of(r.code(), r.enhancedStatus(), text) : SmtpReply.of(550, "5.0.0", text);
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

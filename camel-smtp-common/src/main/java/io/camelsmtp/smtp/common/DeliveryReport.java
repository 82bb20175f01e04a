package io.camelsmtp.smtp.common;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.Collectors;

import org.apache.camel.Exchange;
import org.apache.camel.util.ObjectHelper;

/**
 * The outcome of one delivery attempt, per recipient, in the order of the envelope. This is the contract between a
 * delivery route and whoever waits for its outcome (the queue): see {@link #read}.
 */
public final class DeliveryReport {

    private static final int MAX_FAILURE_TEXT = 300;

    private final List<RecipientResult> results;

    public DeliveryReport(List<RecipientResult> results) {
        this.results = Collections.unmodifiableList(new ArrayList<>(results));
    }

    public List<RecipientResult> getResults() {
        return results;
    }

    public List<RecipientResult> getDelivered() {
        return with(RecipientResult.Status.DELIVERED);
    }

    public List<RecipientResult> getDeferred() {
        return with(RecipientResult.Status.DEFERRED);
    }

    public List<RecipientResult> getFailed() {
        return with(RecipientResult.Status.FAILED);
    }

    public boolean isAllDelivered() {
        return results.stream().allMatch(r -> r.getStatus() == RecipientResult.Status.DELIVERED);
    }

    /** The result for {@code recipient}, or null. */
    public RecipientResult get(String recipient) {
        return results.stream().filter(r -> r.getRecipient().equals(recipient)).findFirst().orElse(null);
    }

    /**
     * What a delivery route decided for each of {@code recipients}, in their order, after the Exchange went through
     * it. A recipient's result comes from the {@code CamelSmtpDeliveryReport} header, or from the report of a
     * {@link DeliveryReportException} the route failed with. A recipient the report does not name (or every one,
     * when there is no report) takes the route's outcome as a whole: delivered when the route completed, the reply
     * of an {@link SmtpReplyException} it failed with (4xx deferred, 5xx failed), else deferred with
     * {@code 451 4.3.0} and the failure's message; one left out of a {@link DeliveryReportException}'s report is
     * deferred too.
     *
     * @param deliveredBy named in the 250 reply of recipients delivered by a route without a report
     */
    public static DeliveryReport read(Exchange exchange, List<String> recipients, String deliveredBy) {
        Exception failure = exchange.getException();
        DeliveryReport report = exchange.getMessage().getHeader(SmtpEnvelopeHeaders.DELIVERY_REPORT, DeliveryReport.class);
        DeliveryReportException reported = failure == null ? null
                : ObjectHelper.getException(DeliveryReportException.class, failure);
        if (reported != null) {
            report = reported.getReport();
        }
        SmtpReply whole;
        if (failure == null) {
            whole = SmtpReply.of(250, "2.0.0", "Delivered by " + deliveredBy);
        } else {
            // a recipient that a failed delivery's report leaves out was not attempted: it waits, it is not bounced
            SmtpReplyException sre = reported != null ? null : ObjectHelper.getException(SmtpReplyException.class, failure);
            whole = sre != null ? sre.getReply() : SmtpReply.of(451, "4.3.0", oneLine(failure));
        }
        List<RecipientResult> out = new ArrayList<>(recipients.size());
        for (String r : recipients) {
            RecipientResult rr = report == null ? null : report.get(r);
            out.add(rr != null ? rr : RecipientResult.of(r, whole, null, null, null));
        }
        return new DeliveryReport(out);
    }

    private static String oneLine(Exception e) {
        String s = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        s = s.replaceAll("[\\r\\n]+", " ").strip();
        return s.length() > MAX_FAILURE_TEXT ? s.substring(0, MAX_FAILURE_TEXT) : s;
    }

    private List<RecipientResult> with(RecipientResult.Status status) {
        return results.stream().filter(r -> r.getStatus() == status).collect(Collectors.toUnmodifiableList());
    }

    @Override
    public String toString() {
        return results.stream().map(RecipientResult::toString).collect(Collectors.joining("\n"));
    }
}

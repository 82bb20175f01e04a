package io.camelsmtp.smtp.queue.dsn;

/**
 * What a delivery status notification reports. The kind decides the subject, the wording of the human-readable part,
 * the default {@code Action} and {@code Status} of a recipient that gives none, and whether the original may be
 * returned whole (only a failure returns more than the headers, as Postfix does).
 */
public enum DsnKind {

    /** Delivery failed for good: {@code Action: failed}, the original is returned as RET asks. */
    FAILURE("failed", "5.0.0", "Undelivered Mail Returned to Sender"),
    /** Delivery is late but still being tried: {@code Action: delayed}, headers only. */
    DELAY("delayed", "4.0.0", "Delayed Mail (still being retried)"),
    /** Delivery succeeded and the sender asked to be told (NOTIFY=SUCCESS): {@code Action: delivered}, headers only. */
    SUCCESS("delivered", "2.0.0", "Successful Mail Delivery Report");

    private final String defaultAction;
    private final String defaultStatus;
    private final String subject;

    DsnKind(String defaultAction, String defaultStatus, String subject) {
        this.defaultAction = defaultAction;
        this.defaultStatus = defaultStatus;
        this.subject = subject;
    }

    /** The {@code Action} of a recipient that does not name one. */
    public String defaultAction() {
        return defaultAction;
    }

    /** The {@code Status} of a recipient that does not name one. */
    public String defaultStatus() {
        return defaultStatus;
    }

    /** The {@code Subject} of the notification. */
    public String subject() {
        return subject;
    }
}

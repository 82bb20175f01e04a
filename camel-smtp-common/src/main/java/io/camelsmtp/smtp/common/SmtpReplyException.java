package io.camelsmtp.smtp.common;

/**
 * A failure that already knows the SMTP reply a client should see, for example {@code 452 4.3.1} when the queue cannot
 * store a message. {@code smtp-server} answers with exactly this reply when a route fails with it (or with a cause
 * chain containing it); any other failure becomes {@code 451 4.3.0}.
 */
public class SmtpReplyException extends Exception {

    private static final long serialVersionUID = 1L;

    private final transient SmtpReply reply;

    public SmtpReplyException(SmtpReply reply) {
        this(reply, null);
    }

    public SmtpReplyException(SmtpReply reply, Throwable cause) {
        this(reply.toString(), reply, cause);
    }

    /** For subclasses whose message says more than the reply (a per-recipient report, say). */
    protected SmtpReplyException(String message, SmtpReply reply, Throwable cause) {
        super(message, cause);
        if (reply.isPositive()) {
            throw new IllegalArgumentException("A failure needs a 4xx or 5xx reply, not " + reply);
        }
        this.reply = reply;
    }

    public SmtpReply getReply() {
        return reply;
    }

    public int getCode() {
        return reply.code();
    }

    public String getEnhancedStatus() {
        return reply.enhancedStatus();
    }
}

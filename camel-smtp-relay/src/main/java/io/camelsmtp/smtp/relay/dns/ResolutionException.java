package io.camelsmtp.smtp.relay.dns;

import io.camelsmtp.smtp.common.SmtpReply;

/** A destination could not be resolved; {@link #reply()} says why and whether trying again may help. */
public class ResolutionException extends Exception {

    private static final long serialVersionUID = 1L;

    private final transient SmtpReply reply;

    public ResolutionException(SmtpReply reply) {
        super(reply.toString());
        this.reply = reply;
    }

    public SmtpReply reply() {
        return reply;
    }

    public boolean isTransient() {
        return reply.isTransient();
    }
}

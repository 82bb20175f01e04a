package io.camelsmtp.smtp.server;

import io.camelsmtp.smtp.common.SmtpReply;
import io.camelsmtp.smtp.common.SmtpReplyException;

/**
 * Thrown by a route (or a policy route) to refuse with exactly this SMTP reply: a 5xx refuses for good, a 4xx asks the
 * client to try again later. Any other exception from the route (other than a {@link SmtpReplyException}) makes the
 * client see {@code 451 4.3.0}.
 * <p>
 * From the YAML DSL: {@code throwException: {exceptionType: io.camelsmtp.smtp.server.SmtpRejectException, message:
 * "550 5.1.1 No such user"}}.
 */
public class SmtpRejectException extends SmtpReplyException {

    private static final long serialVersionUID = 1L;

    public SmtpRejectException(int code, String enhancedStatus, String text) {
        this(SmtpReply.of(code, enhancedStatus, text));
    }

    /** @param replyLine a 4xx or 5xx reply line such as {@code 550 5.1.1 No such user} */
    public SmtpRejectException(String replyLine) {
        this(SmtpReply.parse(replyLine));
    }

    public SmtpRejectException(SmtpReply reply) {
        super(reply);
    }
}

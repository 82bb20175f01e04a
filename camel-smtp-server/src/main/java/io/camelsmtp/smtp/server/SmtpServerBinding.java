package io.camelsmtp.smtp.server;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;

import io.camelsmtp.smtp.common.EnvelopeBinding;
import io.camelsmtp.smtp.common.SmtpReply;
import io.camelsmtp.smtp.common.SmtpReplyException;
import io.camelsmtp.smtp.server.protocol.ConnectionState;
import io.camelsmtp.smtp.server.protocol.LogText;
import io.camelsmtp.smtp.server.protocol.MailTransaction;
import io.camelsmtp.smtp.server.protocol.SpooledMessage;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.InternetHeaders;
import jakarta.mail.internet.MimeUtility;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.util.ObjectHelper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How an SMTP session and message map to an Exchange, and how the Exchange's outcome maps back to the reply (as
 * camel-mail's {@code MailBinding} does for mail): the one place that knows both sides.
 */
public class SmtpServerBinding {

    private static final Logger LOG = LoggerFactory.getLogger(SmtpServerBinding.class);
    private static final String[] MAPPED_MAIL_HEADERS = { "Subject", "From", "To", "Cc", "Reply-To", "Date",
            "Message-ID", "In-Reply-To", "References" };

    private final boolean mapMailHeaders;

    /** @param mapMailHeaders also copy the message's Subject, From, To ... into Camel headers of the same names */
    public SmtpServerBinding(boolean mapMailHeaders) {
        this.mapMailHeaders = mapMailHeaders;
    }

    /** Fills a policy route's Exchange: what is known of the session so far, the stage and, on RCPT, the recipient. */
    public void bindStage(Message in, String stage, ConnectionState connection, MailTransaction transaction,
            String recipient) {
        bindSession(in, connection, transaction);
        in.setHeader(SmtpServerConstants.STAGE, stage);
        if (recipient != null) {
            in.setHeader(SmtpServerConstants.RECIPIENT, recipient);
        }
    }

    /** Fills the etrn policy route's Exchange: the session, the stage, the node and whether its subdomains count. */
    public void bindEtrn(Message in, ConnectionState connection, String node, boolean subdomains) {
        bindStage(in, "etrn", connection, null, null);
        in.setHeader(SmtpServerConstants.ETRN_NODE, node);
        in.setHeader(SmtpServerConstants.ETRN_SUBDOMAINS, subdomains);
    }

    /** Fills the main route's Exchange with an accepted message: body, session, envelope and (optionally) mail headers. */
    public void bindMessage(Message in, ConnectionState connection, MailTransaction transaction, SpooledMessage message) {
        in.setBody(message.toStreamCache());
        bindSession(in, connection, transaction);
        in.setHeader(SmtpServerConstants.STAGE, "data");
        in.setHeader(SmtpServerConstants.MESSAGE_SIZE, message.size());
        if (mapMailHeaders) {
            mapMailHeaders(in, message);
        }
    }

    /**
     * The reply to a policy stage once its route ran: the refusal of a failed Exchange, else the reply the route
     * chose; null accepts with the default reply.
     *
     * @param route who set the reply, for the log: the listener's route and the policy route
     */
    public SmtpReply stageReply(Exchange exchange, String stage, String route) {
        SmtpReply refusal = refusal(exchange, stage);
        return refusal != null ? refusal : chosenReply(exchange, stage, route);
    }

    /**
     * The reply after the message once its route completed: the refusal of a failed Exchange, else the reply the
     * route chose, else {@code 250 2.0.0 Ok: queued as <queueId>}.
     */
    public SmtpReply messageReply(Exchange exchange, String queueId, String route) {
        SmtpReply refusal = refusal(exchange, "data");
        if (refusal != null) {
            return refusal;
        }
        SmtpReply chosen = chosenReply(exchange, "data", route);
        return chosen != null ? chosen : SmtpReply.of(250, "2.0.0", "Ok: queued as " + queueId);
    }

    /**
     * LMTP: the replies after the message, one per recipient (see {@link RecipientReplies}), or a single one for all:
     * a failed Exchange's refusal goes to every recipient, whatever per-recipient replies the route set.
     */
    public List<SmtpReply> recipientReplies(Exchange exchange, String queueId, String route, List<String> recipients) {
        SmtpReply reply = messageReply(exchange, queueId, route);
        if (exchange.getException() != null) {
            return List.of(reply);
        }
        return RecipientReplies.of(exchange, recipients, reply, route);
    }

    /**
     * The reply for a failed exchange: the SmtpReplyException's anywhere in the cause chain (SmtpRejectException is
     * one), else a temporary failure; null when it succeeded.
     */
    SmtpReply refusal(Exchange exchange, String stage) {
        Exception e = exchange.getException();
        if (e == null) {
            return null;
        }
        SmtpReplyException reject = ObjectHelper.getException(SmtpReplyException.class, e);
        if (reject != null) {
            return reject.getReply();
        }
        LOG.warn("smtp-server {} stage failed, answering with a temporary failure: {}", stage, LogText.value(e));
        return temporaryFailure(stage);
    }

    /**
     * The CamelSmtpReply header as a reply (see {@link ReplyHeader}), or null when the route set none. A value that
     * is not a valid reply is the route's error: logged, and answered as a failing route is, never accepted.
     */
    static SmtpReply chosenReply(Exchange exchange, String stage, String route) {
        Object value = exchange.getMessage().getHeader(SmtpServerConstants.REPLY);
        try {
            return ReplyHeader.parse(value);
        } catch (IllegalArgumentException e) {
            SmtpReply fallback = temporaryFailure(stage);
            LOG.error("smtp-server {}, stage {}: {} \"{}\" is not a valid reply: {}; answering {}", route, stage,
                    SmtpServerConstants.REPLY, LogText.value(value), e.getMessage(), fallback);
            return fallback;
        }
    }

    /**
     * {@code 421 4.3.0} at connect, which closes the connection; {@code 458 4.3.0} (RFC 1985's "unable to queue") at
     * etrn; {@code 451 4.3.0} at every other stage.
     */
    static SmtpReply temporaryFailure(String stage) {
        return switch (stage) {
            case "connect" -> SmtpReply.of(421, "4.3.0", "Temporary failure, try again later");
            case "etrn" -> SmtpReply.of(458, "4.3.0", "Unable to queue messages, try again later");
            default -> SmtpReply.of(451, "4.3.0", "Temporary failure, try again later");
        };
    }

    private static void bindSession(Message in, ConnectionState c, MailTransaction tx) {
        in.setHeader(SmtpServerConstants.SESSION_ID, c.sessionId());
        in.setHeader(SmtpServerConstants.REMOTE_ADDRESS, c.remoteAddress().getAddress().getHostAddress());
        in.setHeader(SmtpServerConstants.LOCAL_ADDRESS, c.localAddress().getAddress().getHostAddress());
        in.setHeader(SmtpServerConstants.LOCAL_PORT, c.localAddress().getPort());
        in.setHeader(SmtpServerConstants.HELO, c.helo());
        in.setHeader(SmtpServerConstants.AUTHENTICATED_USER, c.authenticatedUser());
        in.setHeader(SmtpServerConstants.TLS_PROTOCOL, c.tlsProtocol());
        in.setHeader(SmtpServerConstants.TLS_CIPHER, c.tlsCipher());
        if (tx == null) {
            return;
        }
        EnvelopeBinding.write(tx.envelope(), in);
        in.setHeader(SmtpServerConstants.DECLARED_SIZE, tx.declaredSize() < 0 ? null : tx.declaredSize());
    }

    private static void mapMailHeaders(Message in, SpooledMessage message) {
        try (InputStream stream = message.openStream()) {
            InternetHeaders headers = new InternetHeaders(stream);
            for (String name : MAPPED_MAIL_HEADERS) {
                String value = headers.getHeader(name, ", ");
                if (value != null) {
                    in.setHeader(name, MimeUtility.decodeText(MimeUtility.unfold(value)));
                }
            }
        } catch (IOException | MessagingException e) {
            LOG.debug("Cannot map the mail headers: {}", e.toString());
        }
    }
}

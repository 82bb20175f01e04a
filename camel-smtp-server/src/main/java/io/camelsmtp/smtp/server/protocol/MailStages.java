package io.camelsmtp.smtp.server.protocol;

import java.util.List;

import io.camelsmtp.smtp.common.SmtpReply;

/**
 * The decisions the session engine asks for at each SMTP stage. A null reply accepts with the engine's default reply;
 * any other reply is sent as it is (a 4xx or 5xx refuses the stage).
 */
public interface MailStages {

    /** A client connected; a refusal closes the connection after the reply. */
    SmtpReply connect(ConnectionState connection);

    /** HELO or EHLO was given; {@link ConnectionState#helo()} holds its argument. */
    SmtpReply helo(ConnectionState connection);

    /** MAIL FROM was given and parsed into the transaction. */
    SmtpReply mail(ConnectionState connection, MailTransaction transaction);

    /** One RCPT TO; the recipient is not yet part of the transaction. */
    SmtpReply rcpt(ConnectionState connection, MailTransaction transaction, String recipient);

    /**
     * The whole message arrived and passed the protocol checks. Must return the final reply (never null); the
     * implementation owns {@code message} from here on and discards it when done.
     */
    SmtpReply message(ConnectionState connection, MailTransaction transaction, SpooledMessage message);

    /**
     * LMTP (RFC 2033): as {@link #message}, but returns one reply per recipient of the transaction, aligned with
     * {@link MailTransaction#recipients()}, or a single reply that stands for every recipient (never null or empty).
     */
    List<SmtpReply> messagePerRecipient(ConnectionState connection, MailTransaction transaction, SpooledMessage message);

    /**
     * ETRN (RFC 1985) for {@code node}, a checked host name in lower case, with {@code subdomains} for the
     * {@code @node} form; called only when ETRN is offered, after the syntax, sequence and rate checks. Decides whether
     * this client may start the queue for the node and starts it; returns the final reply (never null).
     */
    SmtpReply etrn(ConnectionState connection, String node, boolean subdomains);
}

package io.camelsmtp.smtp.relay.client;

import java.io.IOException;

import io.camelsmtp.smtp.common.SmtpReply;
import io.camelsmtp.smtp.relay.tls.TlsResultType;

/**
 * A host could not be used at all (no connection, an error greeting, STARTTLS or AUTH failed); the reply says why.
 * The {@link DeliveryAgent} then tries the next address or host, and defers the recipients if none is left.
 */
final class HostFailure extends Exception {

    private static final long serialVersionUID = 1L;

    final transient SmtpReply reply;
    /** When TLS a policy demanded failed: how (RFC 8460), for the TLS outcome; else null. */
    final TlsResultType tlsFailure;
    /** The session was fine but cannot carry a REQUIRETLS message ({@link RequireTlsCheck}); the reply is permanent. */
    final boolean requireTls;
    /** The whole site is out of reach for now (its connection rate): no other host of it is tried. */
    final boolean siteWide;

    HostFailure(SmtpReply reply) {
        this(reply, null);
    }

    HostFailure(SmtpReply reply, TlsResultType tlsFailure) {
        this(reply, tlsFailure, false);
    }

    HostFailure(SmtpReply reply, TlsResultType tlsFailure, boolean requireTls) {
        this(reply, tlsFailure, requireTls, false);
    }

    private HostFailure(SmtpReply reply, TlsResultType tlsFailure, boolean requireTls, boolean siteWide) {
        super(reply.toString(), null, false, false);
        this.reply = reply;
        this.tlsFailure = tlsFailure;
        this.requireTls = requireTls;
        this.siteWide = siteWide;
    }

    /** The site cannot be tried now at any of its hosts; {@code reply} defers all its recipients. */
    static HostFailure siteWide(SmtpReply reply) {
        return new HostFailure(reply, null, false, true);
    }

    /** A host-level failure never decides for good: the recipients are deferred, the server's words kept. */
    static SmtpReply asDeferral(SmtpReply reply, String context) {
        String text = context + " " + reply.code() + (reply.enhancedStatus() != null ? " " + reply.enhancedStatus() : "")
                      + " " + reply.text().replace('\n', ' ');
        return reply.isTransient() ? SmtpReply.of(reply.code(), reply.enhancedStatus(), text)
                : SmtpReply.of(451, "4.4.0", text);
    }

    /**
     * The deferral for a session that broke off: the connection lost, the attempt's deadline passed, or a reply
     * broke the protocol or the limits on its size.
     */
    static SmtpReply broken(String where, IOException e) {
        if (e instanceof SmtpConnection.DeadlinePassed) {
            return SmtpReply.of(451, "4.4.2", e.getMessage());
        }
        if (e instanceof ReplyReader.ProtocolViolation) {
            return SmtpReply.of(451, "4.4.2", e.getMessage() + "; session with " + where + " given up");
        }
        return SmtpReply.of(451, "4.4.2", "Connection to " + where + " lost: " + e.getMessage());
    }
}

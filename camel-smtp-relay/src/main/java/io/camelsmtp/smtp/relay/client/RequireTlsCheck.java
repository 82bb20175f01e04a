package io.camelsmtp.smtp.relay.client;

import io.camelsmtp.smtp.common.Envelope;
import io.camelsmtp.smtp.common.SmtpReply;

/**
 * Whether a session may carry a message with the REQUIRETLS option (RFC 8689 §4.2.1): the session must be TLS, the
 * server's certificate verified, and the server must advertise REQUIRETLS in its EHLO reply after STARTTLS. Otherwise
 * the message must not be sent to that host, and the failure is permanent for its recipients: the sender asked for
 * no delivery rather than a less protected one. Which kind of verification a host needs (DANE, MTA-STS, PKIX) is the
 * session setup's business; this check only reads what the session achieved.
 */
final class RequireTlsCheck {

    private RequireTlsCheck() {
    }

    /** Null when {@code c} may carry the envelope; else the permanent reply for its recipients. */
    static SmtpReply refusal(Envelope envelope, SmtpConnection c, String host) {
        if (!envelope.requireTlsOption()) {
            return null;
        }
        if (c.tlsProtocol() == null) {
            return SmtpReply.of(550, "5.7.10", "REQUIRETLS: the session with " + host + " is not TLS");
        }
        if (!c.tlsVerified()) {
            return SmtpReply.of(550, "5.7.10", "REQUIRETLS: the certificate of " + host + " is not verified ("
                    + c.tlsUnverified() + ")");
        }
        if (!c.supports("REQUIRETLS")) {
            return SmtpReply.of(550, "5.7.30", "REQUIRETLS support required, but " + host + " does not offer it");
        }
        return null;
    }
}

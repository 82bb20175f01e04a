package io.camelsmtp.smtp.server.protocol;

import java.time.Duration;

import io.camelsmtp.smtp.server.auth.SmtpAuthenticator;

/**
 * What the session engine needs to know of the endpoint's options.
 *
 * @param hostName             our name in the greeting, EHLO reply and Received header
 * @param maxMessageSize       largest message in octets, advertised as SIZE; always positive
 * @param maxRecipients        RCPT commands accepted per transaction; more get {@code 452 4.5.3}
 * @param maxLineLength        longest text line in DATA including CRLF; 0 for no limit
 * @param allowBareLineFeeds   accept bare CR or LF in message content (they are normalised to CRLF)
 * @param maxErrors            error replies per session before {@code 421 4.7.0} and close; 0 for no limit
 * @param authFailureDelay     pause before answering a failed AUTH
 * @param maxSessionTime       total time a session may last; zero for no limit
 * @param dsn                  advertise DSN and accept its parameters
 * @param chunking             advertise CHUNKING and accept BDAT
 * @param tls                  TLS sockets, or null when TLS is not configured
 * @param implicitTls          the whole session is TLS from the first byte (port 465)
 * @param requireTls           MAIL needs TLS first
 * @param requireAuth          MAIL needs AUTH first
 * @param allowAuthWithoutTls  offer AUTH on a plaintext session
 * @param authenticator        checks AUTH credentials, or null when AUTH is not offered
 * @param requireTlsOption     offer REQUIRETLS (RFC 8689) after STARTTLS and accept it on MAIL FROM there
 * @param etrn                 advertise ETRN (RFC 1985) and answer it through {@link MailStages#etrn}
 * @param lmtp                 speak LMTP (RFC 2033): LHLO instead of HELO/EHLO, one reply per recipient after the
 *                             message, taken from {@link MailStages#messagePerRecipient}
 */
public record ProtocolSettings(String hostName, int maxMessageSize, int maxRecipients, int maxLineLength,
        boolean allowBareLineFeeds, int maxErrors, Duration authFailureDelay, Duration maxSessionTime, boolean dsn,
        boolean chunking, TlsSockets tls, boolean implicitTls, boolean requireTls, boolean requireAuth,
        boolean allowAuthWithoutTls, SmtpAuthenticator authenticator, boolean requireTlsOption, boolean etrn, boolean lmtp) {

    public ProtocolSettings {
        if (maxMessageSize <= 0) {
            throw new IllegalArgumentException("maxMessageSize must be positive (SubEthaSMTP refuses any SIZE= at 0)");
        }
        if ((implicitTls || requireTls) && tls == null) {
            throw new IllegalArgumentException("implicitTls and requireTls need sslContextParameters");
        }
        if (lmtp && etrn) {
            throw new IllegalArgumentException("lmtp and etrnQueue exclude each other: an LMTP listener has no queue");
        }
        if (requireAuth && authenticator == null) {
            throw new IllegalArgumentException("requireAuth needs an authenticator");
        }
    }

    boolean startTlsOffered() {
        return tls != null && !implicitTls;
    }
}

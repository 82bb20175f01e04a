package io.camelsmtp.smtp.server.protocol;

import java.io.IOException;

import javax.net.ssl.SSLSocket;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.subethamail.smtp.server.Session;

/**
 * STARTTLS (RFC 3207). After the handshake the session gets a fresh input buffer, so whatever the client pipelined in
 * plaintext after STARTTLS is discarded and never executed inside TLS (CVE-2011-0411), and everything learned before
 * TLS (HELO, AUTH, transaction) is forgotten.
 */
final class StartTlsCommand extends SessionCommand {

    private static final Logger LOG = LoggerFactory.getLogger(StartTlsCommand.class);

    StartTlsCommand(SmtpProtocol protocol) {
        super(protocol, "STARTTLS");
    }

    @Override
    void handle(ConnectionState c, Session session, String argument) throws IOException {
        if (!protocol.settings().startTlsOffered()) {
            c.reply(502, "5.5.1", "Error: command not implemented");
            return;
        }
        if (c.tls()) {
            c.reply(503, "5.5.1", "Error: TLS already active");
            return;
        }
        if (!argument.isEmpty()) {
            c.reply(501, "5.5.4", "Syntax: STARTTLS takes no arguments");
            return;
        }
        session.sendResponse("220 2.0.0 Ready to start TLS");
        try {
            SSLSocket tls = protocol.settings().tls().wrap(session.getSocket());
            tls.startHandshake();
            session.setSocket(tls);
        } catch (IOException e) {
            LOG.debug("Session {}: TLS handshake failed: {}", c.sessionId(), e.toString());
            protocol.meters().tlsFailed();
            session.quit();
            return;
        }
        session.resetSmtpProtocol();
        session.setTlsStarted(true);
        c.tlsStarted();
    }
}

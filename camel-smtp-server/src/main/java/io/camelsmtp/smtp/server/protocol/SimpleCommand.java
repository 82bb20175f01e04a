package io.camelsmtp.smtp.server.protocol;

import java.io.IOException;

import org.subethamail.smtp.server.Session;

/** RSET, NOOP, QUIT, VRFY, EXPN and HELP, with enhanced status codes. */
final class SimpleCommand extends SessionCommand {

    SimpleCommand(SmtpProtocol protocol, String name) {
        super(protocol, name);
    }

    @Override
    void handle(ConnectionState c, Session session, String argument) throws IOException {
        switch (getName()) {
            case "RSET" -> {
                session.resetMailTransaction();
                c.reply(250, "2.0.0", "Ok");
            }
            case "NOOP" -> c.reply(250, "2.0.0", "Ok");
            case "QUIT" -> {
                protocol.release(session);
                c.reply(221, "2.0.0", "Bye");
                session.quit();
            }
            case "VRFY" -> c.reply(252, "2.5.2", "Cannot VRFY user, but will accept message and attempt delivery");
            case "EXPN" -> c.reply(502, "5.5.1", "Error: EXPN not supported");
            case "HELP" -> c.reply(214, "2.0.0", "See RFC 5321");
            default -> throw new IllegalStateException(getName());
        }
    }
}

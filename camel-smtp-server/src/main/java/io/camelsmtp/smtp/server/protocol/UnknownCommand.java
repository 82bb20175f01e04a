package io.camelsmtp.smtp.server.protocol;

import java.io.IOException;
import java.util.Locale;
import java.util.Set;

import org.subethamail.smtp.server.Session;

/**
 * What an unknown verb gets: {@code 500 5.5.2}, counted against the error budget. A line that looks like an HTTP
 * request (a browser or a cross-protocol attack) ends the session at once, as Postfix does.
 */
final class UnknownCommand extends SessionCommand {

    private static final Set<String> HTTP_VERBS = Set.of("GET", "POST", "HEAD", "PUT", "CONNECT", "OPTIONS", "DELETE");

    UnknownCommand(SmtpProtocol protocol) {
        super(protocol, "UNKNOWN");
    }

    @Override
    String argument(String line) {
        return line;
    }

    @Override
    void handle(ConnectionState c, Session session, String line) throws IOException {
        String verb = line.split(" ", 2)[0].toUpperCase(Locale.ROOT);
        if (HTTP_VERBS.contains(verb) && line.contains("/")) {
            protocol.release(session);
            c.reply(221, "2.7.0", "Error: this is an SMTP server, not an HTTP server; goodbye");
            session.quit();
            return;
        }
        c.reply(500, "5.5.2", "Error: command not recognized");
    }
}

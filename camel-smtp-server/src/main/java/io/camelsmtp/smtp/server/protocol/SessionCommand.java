package io.camelsmtp.smtp.server.protocol;

import java.io.IOException;

import org.subethamail.smtp.DropConnectionException;
import org.subethamail.smtp.internal.server.Command;
import org.subethamail.smtp.internal.server.HelpMessage;
import org.subethamail.smtp.server.Session;

/**
 * The frame around every command of this package: it holds the session's command lock, refuses new commands while
 * the listener drains, enforces the command-line length (RFC 5321 §4.5.3.1.4) and closes the session once its error
 * budget is spent.
 */
abstract class SessionCommand implements Command {

    /** 512 octets including CRLF. */
    static final int MAX_COMMAND_LINE = 510;
    /** MAIL/RCPT with DSN parameters may be longer (RFC 3461 §5); SubEthaSMTP's reader stops at 998. */
    static final int MAX_COMMAND_LINE_WITH_DSN = 996;

    protected final SmtpProtocol protocol;
    private final String name;

    SessionCommand(SmtpProtocol protocol, String name) {
        this.protocol = protocol;
        this.name = name;
    }

    @Override
    public final void execute(String line, Session session) throws IOException, DropConnectionException {
        ConnectionState c = protocol.state(session);
        c.commandLock().lock();
        try {
            c.countTls();
            if (protocol.draining()) {
                throw new DropConnectionException(421, "4.3.2 Service shutting down, closing connection");
            }
            if (line.length() > maxLineLength()) {
                c.reply(500, "5.5.6", "Line too long");
            } else {
                handle(c, session, argument(line));
            }
            int maxErrors = protocol.settings().maxErrors();
            if (maxErrors > 0 && c.errors() >= maxErrors) {
                throw new DropConnectionException(421, "4.7.0 Too many errors, closing connection");
            }
        } catch (DropConnectionException e) {
            // the library sends this reply, not ConnectionState.reply: counted here
            protocol.meters().refusedWith(e.getCode(), e.getErrorResponse());
            throw e;
        } finally {
            c.touch();
            c.commandLock().unlock();
        }
    }

    /** Runs the command; {@code argument} is the line after the verb, stripped. */
    abstract void handle(ConnectionState c, Session session, String argument) throws IOException, DropConnectionException;

    int maxLineLength() {
        return MAX_COMMAND_LINE;
    }

    String argument(String line) {
        int sp = line.indexOf(' ');
        return sp < 0 ? "" : line.substring(sp + 1).strip();
    }

    @Override
    public HelpMessage getHelp() {
        return new HelpMessage(name, "See RFC 5321");
    }

    @Override
    public String getName() {
        return name;
    }
}

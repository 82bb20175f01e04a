package io.camelsmtp.smtp.server.protocol;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import io.camelsmtp.smtp.common.SmtpReply;
import org.subethamail.smtp.server.Session;

/**
 * EHLO and HELO, or LHLO on an LMTP listener (RFC 2033 §4.1: answered as EHLO is): reset the transaction, ask the
 * HELO policy, then list the extensions we really implement. On an LMTP listener HELO and EHLO are refused with
 * {@code 500 5.5.1}, and on an SMTP listener LHLO is an unknown command.
 */
final class HelloCommand extends SessionCommand {

    private final boolean extended;

    HelloCommand(SmtpProtocol protocol, String verb) {
        super(protocol, verb);
        this.extended = !verb.equals("HELO");
    }

    @Override
    void handle(ConnectionState c, Session session, String argument) throws IOException {
        if (protocol.settings().lmtp() != getName().equals("LHLO")) {
            if (protocol.settings().lmtp()) {
                c.reply(500, "5.5.1", "Error: this is an LMTP server, use LHLO");
            } else {
                c.reply(500, "5.5.2", "Error: command not recognized");
            }
            return;
        }
        String name = argument.split(" ", 2)[0];
        if (name.isEmpty()) {
            c.reply(501, "5.5.4", "Syntax: " + getName() + " hostname");
            return;
        }
        session.resetMailTransaction();
        String previous = c.helo();
        boolean previousExtended = c.extended();
        c.greeted(name, extended);
        SmtpReply decision = protocol.stages().helo(c);
        if (decision != null && !decision.isPositive()) {
            c.greeted(previous, previousExtended);
            c.reply(decision);
            return;
        }
        session.setHelo(name);
        if (!extended) {
            c.reply(decision != null ? decision : SmtpReply.of(250, null, protocol.settings().hostName()));
            return;
        }
        session.sendResponse(ehloReply(c));
    }

    private String ehloReply(ConnectionState c) {
        ProtocolSettings s = protocol.settings();
        List<String> lines = new ArrayList<>();
        lines.add(s.hostName());
        lines.add("PIPELINING");
        lines.add("SIZE " + s.maxMessageSize());
        lines.add("8BITMIME");
        lines.add("ENHANCEDSTATUSCODES");
        lines.add("SMTPUTF8");
        if (s.dsn()) {
            lines.add("DSN");
        }
        if (s.chunking()) {
            lines.add("CHUNKING");
        }
        if (s.etrn()) {
            lines.add("ETRN");
        }
        if (s.startTlsOffered() && !c.tls()) {
            lines.add("STARTTLS");
        }
        if (s.requireTlsOption() && c.tls()) {
            lines.add("REQUIRETLS"); // RFC 8689: only where the session itself is TLS
        }
        if (protocol.authOffered(c)) {
            lines.add("AUTH PLAIN LOGIN");
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < lines.size(); i++) {
            if (i > 0) {
                sb.append("\r\n");
            }
            sb.append(i == lines.size() - 1 ? "250 " : "250-").append(lines.get(i));
        }
        return sb.toString();
    }
}

package io.camelsmtp.smtp.server.protocol;

import java.io.IOException;
import java.util.Locale;
import java.util.Map;

import io.camelsmtp.smtp.common.EnvelopeSyntax;
import io.camelsmtp.smtp.common.SmtpReply;
import io.camelsmtp.smtp.common.Xtext;
import org.subethamail.smtp.server.Session;

/** MAIL FROM with SIZE, BODY, SMTPUTF8, AUTH, REQUIRETLS (in TLS sessions) and (when enabled) DSN's RET and ENVID. */
final class MailCommand extends SessionCommand {

    MailCommand(SmtpProtocol protocol) {
        super(protocol, "MAIL");
    }

    @Override
    int maxLineLength() {
        return protocol.settings().dsn() ? MAX_COMMAND_LINE_WITH_DSN : MAX_COMMAND_LINE;
    }

    @Override
    void handle(ConnectionState c, Session session, String argument) throws IOException {
        ProtocolSettings s = protocol.settings();
        if (c.helo() == null) {
            c.reply(503, "5.5.1", s.lmtp() ? "Error: send LHLO first" : "Error: send HELO/EHLO first");
            return;
        }
        if (session.isMailTransactionInProgress()) {
            c.reply(503, "5.5.1", "Error: nested MAIL command");
            return;
        }
        if (s.requireTls() && !c.tls()) {
            c.reply(530, "5.7.0", "Must issue a STARTTLS command first");
            return;
        }
        if (s.requireAuth() && c.authenticatedUser() == null) {
            c.reply(530, "5.7.0", "Authentication required");
            return;
        }
        SmtpPath.Parsed p = SmtpPath.parse(argument, "FROM:", true, false);
        if (p.error() != null) {
            if ("address".equals(p.error())) {
                c.reply(501, "5.1.7", "Bad sender address syntax");
            } else {
                c.reply(501, "5.5.4", "Syntax: MAIL FROM:<address> [parameters]");
            }
            return;
        }
        long size = -1;
        String body = "7BIT";
        boolean utf8 = false;
        String ret = null;
        String envid = null;
        boolean requireTlsOption = false;
        for (Map.Entry<String, String> e : p.params().entrySet()) {
            String value = e.getValue();
            switch (e.getKey()) {
                case "SIZE" -> {
                    if (value == null || !value.matches("[0-9]{1,18}")) {
                        c.reply(501, "5.5.4", "Bad SIZE parameter");
                        return;
                    }
                    size = Long.parseLong(value);
                    if (size > s.maxMessageSize()) {
                        c.reply(552, "5.3.4", "Message size exceeds fixed maximum message size of "
                                + s.maxMessageSize() + " octets");
                        return;
                    }
                }
                case "BODY" -> {
                    String v = value == null ? "" : value.toUpperCase(Locale.ROOT);
                    if (!v.equals("7BIT") && !v.equals("8BITMIME")) {
                        c.reply(501, "5.5.4", "Unsupported BODY type; use 7BIT or 8BITMIME");
                        return;
                    }
                    body = v;
                }
                case "SMTPUTF8" -> {
                    if (value != null) {
                        c.reply(501, "5.5.4", "SMTPUTF8 takes no value");
                        return;
                    }
                    utf8 = true;
                }
                case "RET" -> {
                    String v = value == null ? "" : value.toUpperCase(Locale.ROOT);
                    if (!s.dsn()) {
                        unsupported(c, e.getKey());
                        return;
                    }
                    if (!EnvelopeSyntax.isDsnRet(v)) {
                        c.reply(501, "5.5.4", "Bad RET parameter; use FULL or HDRS");
                        return;
                    }
                    ret = v;
                }
                case "ENVID" -> {
                    if (!s.dsn()) {
                        unsupported(c, e.getKey());
                        return;
                    }
                    envid = value == null ? null : Xtext.decode(value);
                    // RFC 3461 §4.4: printable US-ASCII once decoded, so "+0D+0A" cannot put a line end into it
                    if (!EnvelopeSyntax.isDsnEnvid(envid)) {
                        c.reply(501, "5.5.4", "Bad ENVID parameter");
                        return;
                    }
                }
                case "REQUIRETLS" -> {
                    // RFC 8689 §2: no value, only in a TLS session; a second one is refused by the parser as a repeat
                    if (!s.requireTlsOption()) {
                        unsupported(c, e.getKey());
                        return;
                    }
                    if (!c.tls()) {
                        c.reply(530, "5.7.10", "REQUIRETLS needs a TLS session: issue STARTTLS first");
                        return;
                    }
                    if (value != null) {
                        c.reply(501, "5.5.4", "REQUIRETLS takes no value");
                        return;
                    }
                    requireTlsOption = true;
                }
                case "AUTH" -> {
                    // RFC 4954 §5: accepted and not trusted; the AUTH command is what authenticates
                }
                default -> {
                    unsupported(c, e.getKey());
                    return;
                }
            }
        }
        if (!utf8 && SmtpPath.needsUtf8(p.address())) {
            c.reply(553, "5.6.7", "Non-ASCII address needs the SMTPUTF8 parameter");
            return;
        }
        session.startMailTransaction();
        MailTransaction tx = (MailTransaction) session.getMessageHandler();
        tx.from(p.address(), body, utf8, size, ret, envid, requireTlsOption);
        SmtpReply decision = protocol.stages().mail(c, tx);
        if (decision != null && !decision.isPositive()) {
            session.resetMailTransaction();
            c.reply(decision);
            return;
        }
        c.reply(decision != null ? decision : SmtpReply.of(250, "2.1.0", "Ok"));
    }

    private static void unsupported(ConnectionState c, String key) throws IOException {
        c.reply(555, "5.5.4", "Unsupported parameter " + key);
    }
}

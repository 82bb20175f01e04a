package io.camelsmtp.smtp.server.protocol;

import java.io.IOException;
import java.util.Locale;
import java.util.Map;

import io.camelsmtp.smtp.common.EnvelopeSyntax;
import io.camelsmtp.smtp.common.SmtpReply;
import io.camelsmtp.smtp.common.Xtext;
import org.subethamail.smtp.server.Session;

/** RCPT TO with DSN's NOTIFY and ORCPT; relay control and the recipient policy decide through {@link MailStages}. */
final class RcptCommand extends SessionCommand {

    RcptCommand(SmtpProtocol protocol) {
        super(protocol, "RCPT");
    }

    @Override
    int maxLineLength() {
        return protocol.settings().dsn() ? MAX_COMMAND_LINE_WITH_DSN : MAX_COMMAND_LINE;
    }

    @Override
    void handle(ConnectionState c, Session session, String argument) throws IOException {
        ProtocolSettings s = protocol.settings();
        if (!session.isMailTransactionInProgress()) {
            c.reply(503, "5.5.1", "Error: need MAIL command");
            return;
        }
        MailTransaction tx = (MailTransaction) session.getMessageHandler();
        if (tx.chunks() != null) {
            c.reply(503, "5.5.1", "Error: RCPT after BDAT");
            return;
        }
        if (tx.recipients().size() >= s.maxRecipients()) {
            c.reply(452, "4.5.3", "Error: too many recipients");
            return;
        }
        SmtpPath.Parsed p = SmtpPath.parse(argument, "TO:", false, true);
        if (p.error() != null) {
            if ("address".equals(p.error())) {
                c.reply(501, "5.1.3", "Bad recipient address syntax");
            } else {
                c.reply(501, "5.5.4", "Syntax: RCPT TO:<address> [parameters]");
            }
            return;
        }
        String notify = null;
        String orcpt = null;
        for (Map.Entry<String, String> e : p.params().entrySet()) {
            if (!s.dsn()) {
                c.reply(555, "5.5.4", "Unsupported parameter " + e.getKey());
                return;
            }
            String value = e.getValue();
            switch (e.getKey()) {
                case "NOTIFY" -> {
                    notify = value == null ? null : value.toUpperCase(Locale.ROOT);
                    if (!EnvelopeSyntax.isDsnNotify(notify)) {
                        c.reply(501, "5.5.4", "Bad NOTIFY parameter; use NEVER or SUCCESS,FAILURE,DELAY");
                        return;
                    }
                }
                case "ORCPT" -> {
                    int semi = value == null ? -1 : value.indexOf(';');
                    String decoded = semi <= 0 ? null : Xtext.decode(value.substring(semi + 1));
                    // RFC 3461 §4.2: an atom, then an address with no control character once decoded
                    if (decoded == null || !EnvelopeSyntax.isDsnOrcpt(value.substring(0, semi) + ";" + decoded)) {
                        c.reply(501, "5.5.4", "Bad ORCPT parameter; use addr-type;xtext");
                        return;
                    }
                    orcpt = value.substring(0, semi) + ";" + decoded;
                }
                default -> {
                    c.reply(555, "5.5.4", "Unsupported parameter " + e.getKey());
                    return;
                }
            }
        }
        if (!tx.utf8() && SmtpPath.needsUtf8(p.address())) {
            c.reply(553, "5.6.7", "Non-ASCII address needs the SMTPUTF8 parameter");
            return;
        }
        SmtpReply decision = protocol.stages().rcpt(c, tx, p.address());
        if (decision != null && !decision.isPositive()) {
            c.reply(decision);
            return;
        }
        tx.addRecipient(p.address(), notify, orcpt);
        session.addRecipient(p.address());
        c.reply(decision != null ? decision : SmtpReply.of(250, "2.1.5", "Ok"));
    }
}

package io.camelsmtp.smtp.server.protocol;

import java.io.IOException;
import java.net.InetAddress;
import java.util.Locale;

import io.camelsmtp.smtp.common.EnvelopeSyntax;
import org.subethamail.smtp.server.Session;

/**
 * ETRN (RFC 1985, remote message queue starting): {@code ETRN node} or {@code ETRN @node} (the node and its
 * subdomains). This command checks what the protocol can: that ETRN is offered (else {@code 502}), that the client
 * greeted and is not inside a mail transaction ({@code 503}), the node's syntax ({@code 501}; the {@code #queue} form
 * is not supported) and the per-address rate ({@code 458}); whether this client may start that node's queue, and the
 * queue run itself, are {@link MailStages#etrn}'s.
 */
final class EtrnCommand extends SessionCommand {

    EtrnCommand(SmtpProtocol protocol) {
        super(protocol, "ETRN");
    }

    @Override
    void handle(ConnectionState c, Session session, String argument) throws IOException {
        if (!protocol.settings().etrn()) {
            c.reply(502, "5.5.1", "Error: ETRN not supported");
            return;
        }
        if (c.helo() == null) {
            c.reply(503, "5.5.1", "Error: send HELO/EHLO first");
            return;
        }
        if (session.isMailTransactionInProgress()) {
            c.reply(503, "5.5.1", "Error: MAIL transaction in progress");
            return;
        }
        if (argument.isEmpty()) {
            c.reply(501, "5.5.4", "Syntax: ETRN domain or ETRN @domain");
            return;
        }
        if (argument.startsWith("#")) {
            c.reply(501, "5.5.4", "Syntax: ETRN #queue is not supported; use ETRN domain or ETRN @domain");
            return;
        }
        boolean subdomains = argument.startsWith("@");
        String node = subdomains ? argument.substring(1) : argument;
        if (!EnvelopeSyntax.isHostName(node)) {
            c.reply(501, "5.5.4", "Syntax: ETRN domain or ETRN @domain: bad domain name");
            return;
        }
        node = node.toLowerCase(Locale.ROOT);
        InetAddress address = c.remoteAddress().getAddress();
        AuthFailures rate = protocol.etrnRequests();
        if (rate.blocked(address)) {
            c.reply(458, "4.7.0", "Unable to queue messages for node " + node + ": too many ETRN requests, try again later");
            return;
        }
        rate.failed(address);
        c.reply(protocol.stages().etrn(c, node, subdomains));
    }
}

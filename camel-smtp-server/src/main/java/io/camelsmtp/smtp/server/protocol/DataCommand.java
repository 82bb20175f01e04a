package io.camelsmtp.smtp.server.protocol;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.util.List;

import io.camelsmtp.smtp.common.QueueIds;
import io.camelsmtp.smtp.common.SmtpReply;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.subethamail.smtp.DropConnectionException;
import org.subethamail.smtp.server.Session;

/**
 * DATA: read the whole message (checked by {@link ContentReader}) before anything is decided, so a refusal never
 * leaves message lines to be parsed as commands; then hand it to {@link MailStages#message} and send its reply.
 */
final class DataCommand extends SessionCommand {

    private static final Logger LOG = LoggerFactory.getLogger(DataCommand.class);

    DataCommand(SmtpProtocol protocol) {
        super(protocol, "DATA");
    }

    @Override
    void handle(ConnectionState c, Session session, String argument) throws IOException, DropConnectionException {
        if (!argument.isEmpty()) {
            c.reply(501, "5.5.4", "Syntax: DATA takes no arguments");
            return;
        }
        if (!session.isMailTransactionInProgress()) {
            c.reply(503, "5.5.1", "Error: need MAIL command");
            return;
        }
        MailTransaction tx = (MailTransaction) session.getMessageHandler();
        if (tx.recipients().isEmpty()) {
            c.reply(503, "5.5.1", "Error: need RCPT command");
            return;
        }
        if (tx.chunks() != null) {
            c.reply(503, "5.5.1", "Error: DATA after BDAT");
            return;
        }
        session.sendResponse("354 End data with <CR><LF>.<CR><LF>");
        tx.queueId(QueueIds.next());
        SpoolWriter spool = protocol.newSpoolWriter();
        ContentReader reader = protocol.newContentReader(spool);
        c.phase(ConnectionState.Phase.RECEIVING_DATA);
        try {
            spool.write(ReceivedHeader.build(c, protocol.settings().hostName(), tx));
            reader.readDotTerminated(session.getRawInput());
        } catch (SpoolWriter.Failure e) {
            spool.abort();
            throw spoolFailed(c, e);
        } catch (SocketTimeoutException e) {
            spool.abort();
            throw new DropConnectionException(421, "4.4.2 Timeout while receiving the message, closing connection");
        } catch (IOException e) {
            spool.abort();
            LOG.debug("Session {} ended inside DATA: {}; nothing was delivered", c.sessionId(), e.toString());
            session.quit();
            return;
        } finally {
            c.phase(ConnectionState.Phase.COMMAND);
        }
        deliver(protocol, c, session, tx, spool, reader);
    }

    /**
     * Our disk failed while the message came in: the rest of it cannot be skipped reliably, so the session ends with
     * a 421 (the client keeps the message and retries) and the reason is logged for the operator.
     */
    static DropConnectionException spoolFailed(ConnectionState c, SpoolWriter.Failure e) {
        LOG.warn("Session {}: {}; answering 421 4.3.0 and closing the session", c.sessionId(), e.getMessage());
        return new DropConnectionException(421, "4.3.0 Local error in processing, closing connection");
    }

    /** Shared end of DATA and BDAT LAST: refuse what failed a check, otherwise hand the message over. */
    static void deliver(SmtpProtocol protocol, ConnectionState c, Session session, MailTransaction tx,
            SpoolWriter spool, ContentReader reader) throws IOException {
        boolean lmtp = protocol.settings().lmtp();
        SmtpReply problem = reader.problem();
        if (problem != null) {
            spool.abort();
            int count = tx.recipients().size();
            session.resetMailTransaction();
            sendReplies(c, List.of(problem), lmtp ? count : 1);
            return;
        }
        SpooledMessage message = spool.finish();
        List<SmtpReply> replies;
        int count = tx.recipients().size();
        c.phase(ConnectionState.Phase.PROCESSING);
        try {
            replies = lmtp ? protocol.stages().messagePerRecipient(c, tx, message)
                    : List.of(protocol.stages().message(c, tx, message));
        } finally {
            c.phase(ConnectionState.Phase.COMMAND);
            session.resetMailTransaction();
        }
        sendReplies(c, replies, lmtp ? count : 1);
    }

    /**
     * Sends {@code count} replies: SMTP's one, or LMTP's one per accepted recipient in RCPT order (RFC 2033 §4.2). A
     * single reply stands for every recipient; a list of any other length than {@code count} is the stage's bug and
     * gets {@code 451 4.3.0} for every recipient, so that no recipient is ever answered with another's reply.
     */
    static void sendReplies(ConnectionState c, List<SmtpReply> replies, int count) throws IOException {
        List<SmtpReply> each = replies;
        if (each == null || each.isEmpty() || (each.size() != 1 && each.size() != count)) {
            LOG.error("Session {}: {} replies for {} recipients; answering 451 4.3.0 for each", c.sessionId(),
                    each == null ? 0 : each.size(), count);
            each = List.of(SmtpReply.of(451, "4.3.0", "Temporary failure, try again later"));
        }
        for (int i = 0; i < count; i++) {
            SmtpReply r = each.size() == 1 ? each.get(0) : each.get(i);
            c.reply(r != null ? r : SmtpReply.of(451, "4.3.0", "Temporary failure, try again later"));
        }
    }
}

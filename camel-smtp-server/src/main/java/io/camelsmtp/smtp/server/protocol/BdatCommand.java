package io.camelsmtp.smtp.server.protocol;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.util.Locale;

import io.camelsmtp.smtp.common.QueueIds;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.subethamail.smtp.DropConnectionException;
import org.subethamail.smtp.server.Session;

/**
 * BDAT (CHUNKING, RFC 3030). Written here rather than taken from SubEthaSMTP, whose BDAT reads later chunk commands
 * itself inside one handler call and cannot be checked like DATA. Every chunk's octets are read even when the chunk
 * is refused, so they are never parsed as commands; a size that cannot be parsed leaves us unable to find the next
 * command, so the connection is closed.
 */
final class BdatCommand extends SessionCommand {

    private static final Logger LOG = LoggerFactory.getLogger(BdatCommand.class);

    BdatCommand(SmtpProtocol protocol) {
        super(protocol, "BDAT");
    }

    @Override
    void handle(ConnectionState c, Session session, String argument) throws IOException, DropConnectionException {
        String[] args = argument.split(" +");
        long size;
        boolean last;
        try {
            size = Long.parseLong(args[0]);
            last = args.length == 2 && args[1].toUpperCase(Locale.ROOT).equals("LAST");
            if (size < 0 || args.length > 2 || (args.length == 2 && !last)) {
                throw new NumberFormatException();
            }
        } catch (NumberFormatException e) {
            throw new DropConnectionException(501, "5.5.4 Syntax: BDAT size [LAST]; closing connection");
        }
        MailTransaction tx = session.isMailTransactionInProgress() ? (MailTransaction) session.getMessageHandler() : null;
        if (tx == null || tx.recipients().isEmpty()) {
            if (!skip(c, session, size)) {
                return;
            }
            c.reply(503, "5.5.1", tx == null ? "Error: need MAIL command" : "Error: need RCPT command");
            return;
        }
        if (tx.chunks() == null) {
            tx.queueId(QueueIds.next());
            SpoolWriter spool = protocol.newSpoolWriter();
            tx.chunks(spool, protocol.newContentReader(spool));
            try {
                spool.write(ReceivedHeader.build(c, protocol.settings().hostName(), tx));
            } catch (SpoolWriter.Failure e) {
                session.resetMailTransaction();
                throw DataCommand.spoolFailed(c, e);
            }
        }
        SpoolWriter spool = tx.chunks();
        ContentReader reader = tx.chunkReader();
        c.phase(ConnectionState.Phase.RECEIVING_DATA);
        try {
            reader.readChunk(session.getRawInput(), size);
            if (last) {
                reader.endOfChunks();
            }
        } catch (SpoolWriter.Failure e) {
            session.resetMailTransaction();
            throw DataCommand.spoolFailed(c, e);
        } catch (SocketTimeoutException e) {
            session.resetMailTransaction();
            throw new DropConnectionException(421, "4.4.2 Timeout while receiving the message, closing connection");
        } catch (IOException e) {
            LOG.debug("Session {} ended inside BDAT: {}; nothing was delivered", c.sessionId(), e.toString());
            session.resetMailTransaction();
            session.quit();
            return;
        } finally {
            c.phase(ConnectionState.Phase.COMMAND);
        }
        if (!last && reader.problem() == null) {
            c.reply(250, "2.0.0", size + " octets received");
            return;
        }
        tx.chunks(null, null);
        if (!last && protocol.settings().lmtp()) {
            // LMTP answers per recipient only after BDAT LAST; a refused earlier chunk gets one reply
            spool.abort();
            session.resetMailTransaction();
            c.reply(reader.problem());
            return;
        }
        DataCommand.deliver(protocol, c, session, tx, spool, reader);
    }

    /** Reads and drops a refused chunk; false when the client went away meanwhile. */
    private static boolean skip(ConnectionState c, Session session, long size) throws DropConnectionException {
        try {
            session.getRawInput().skipNBytes(size);
            return true;
        } catch (SocketTimeoutException e) {
            throw new DropConnectionException(421, "4.4.2 Timeout while receiving the message, closing connection");
        } catch (IOException e) {
            LOG.debug("Session {} ended inside a refused BDAT chunk: {}", c.sessionId(), e.toString());
            session.quit();
            return false;
        }
    }
}

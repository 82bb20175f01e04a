package io.camelsmtp.smtp.relay.client;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

import io.camelsmtp.smtp.common.DeliveryCancellation;
import io.camelsmtp.smtp.common.Envelope;
import io.camelsmtp.smtp.common.MailContent;
import io.camelsmtp.smtp.common.RecipientResult;
import io.camelsmtp.smtp.common.SmtpReply;
import io.camelsmtp.smtp.common.Xtext;

/**
 * One mail transaction on an open session: what the server cannot take is refused before anything is sent
 * (REQUIRETLS, SIZE, 8BITMIME, SMTPUTF8), then MAIL, every RCPT and DATA (in one write under PIPELINING, with DSN parameters when
 * offered), the content, and one result per recipient. When the server offers CHUNKING the content goes as one BDAT
 * instead of DATA (see {@link #sendChunk}). After a failed transaction the session is reset with RSET;
 * {@link #isReusable()} says whether it may carry the next message.
 * <p>
 * A delivery withdrawn while the transaction runs ({@link DeliveryCancellation}) is noticed after the RCPTs, before
 * the content: without PIPELINING DATA is not sent and RSET ends the transaction; with it the 354 has come back, and
 * since only the final dot ends DATA and it would deliver, the connection is closed instead, which makes the server
 * drop the unfinished message (RFC 5321 §4.1.1.4). The accepted recipients are reported with
 * {@link DeliveryCancellation#REPLY}.
 */
final class MailTransaction {

    private final ClientSettings settings;
    private final SmtpConnection c;
    private final String host;
    private final Envelope envelope;
    private final MailContent content;
    private final List<Envelope.Recipient> recipients;
    private final RecipientResult[] results;
    private final BooleanSupplier withdrawn;
    private boolean reusable = true;

    MailTransaction(ClientSettings settings, SmtpConnection c, String host, Envelope envelope, MailContent content,
            BooleanSupplier withdrawn) {
        this.settings = settings;
        this.withdrawn = withdrawn;
        this.c = c;
        this.host = host;
        this.envelope = envelope;
        this.content = content;
        this.recipients = envelope.recipients();
        this.results = new RecipientResult[recipients.size()];
    }

    /** Per-recipient results, in the order of the envelope's recipients; a lost connection defers the undecided. */
    List<RecipientResult> run() {
        SmtpReply refusal = unsupported();
        if (refusal != null) {
            decideAll(refusal);
            return List.of(results);
        }
        try {
            send();
        } catch (IOException e) {
            reusable = false;
            c.close(); // lost, timed out or beyond the limits: a QUIT would only wait for nothing
            decideAll(HostFailure.broken(where(), e));
        }
        return List.of(results);
    }

    /** False once the session is gone, answered 421, or refused RSET: it must not carry another message. */
    boolean isReusable() {
        return reusable;
    }

    /** What this server cannot take, checked before anything is sent (RFC 8689, 1870, 6152, 6531). */
    private SmtpReply unsupported() {
        SmtpReply requireTls = RequireTlsCheck.refusal(envelope, c, host);
        if (requireTls != null) {
            return requireTls;
        }
        if (envelope.utf8() && !c.supports("SMTPUTF8")) {
            return SmtpReply.of(553, "5.6.7", host + " does not support SMTPUTF8, needed for this UTF-8 envelope");
        }
        String size = c.extension("SIZE");
        if (size != null && size.strip().matches("[0-9]{1,18}")) {
            long limit = Long.parseLong(size.strip());
            if (limit > 0 && content.size() > limit) {
                return SmtpReply.of(552, "5.3.4", "Message of " + content.size() + " octets exceeds the limit of "
                        + limit + " octets of " + host);
            }
        }
        if (content.eightBit() && !c.supports("8BITMIME")) {
            return SmtpReply.of(554, "5.6.3", host + " does not support 8BITMIME and 8-bit content is not converted");
        }
        return null;
    }

    private void send() throws IOException {
        boolean dsn = c.supports("DSN");
        StringBuilder mail = new StringBuilder("MAIL FROM:<").append(envelope.sender()).append('>');
        if (c.supports("SIZE")) {
            mail.append(" SIZE=").append(content.size());
        }
        if (content.eightBit() && c.supports("8BITMIME")) {
            mail.append(" BODY=8BITMIME");
        }
        if (envelope.utf8()) {
            mail.append(" SMTPUTF8");
        }
        if (envelope.requireTlsOption()) {
            mail.append(" REQUIRETLS"); // RequireTlsCheck has seen verified TLS and the server's REQUIRETLS
        }
        if (dsn && envelope.ret() != null) {
            mail.append(" RET=").append(envelope.ret());
        }
        if (dsn && envelope.envid() != null) {
            mail.append(" ENVID=").append(Xtext.encode(envelope.envid()));
        }
        List<String> rcpts = new ArrayList<>();
        for (Envelope.Recipient r : recipients) {
            StringBuilder line = new StringBuilder("RCPT TO:<").append(r.address()).append('>');
            if (dsn && r.dsnNotify() != null) {
                line.append(" NOTIFY=").append(r.dsnNotify());
            }
            if (dsn && r.dsnOrcpt() != null) {
                int semi = r.dsnOrcpt().indexOf(';');
                line.append(" ORCPT=").append(r.dsnOrcpt(), 0, semi + 1).append(Xtext.encode(r.dsnOrcpt().substring(semi + 1)));
            }
            rcpts.add(line.toString());
        }
        c.timeout(settings.commandTimeout());
        boolean chunking = settings.chunking() && c.supports("CHUNKING");
        SmtpReply mailReply;
        SmtpReply[] rcptReplies = new SmtpReply[rcpts.size()];
        SmtpReply dataReply = null;
        if (c.supports("PIPELINING")) {
            c.write(mail.toString());
            for (String r : rcpts) {
                c.write(r);
            }
            if (!chunking) {
                c.write("DATA");
            }
            c.flush();
            mailReply = c.read();
            for (int i = 0; i < rcptReplies.length; i++) {
                rcptReplies[i] = c.read();
            }
            if (!chunking) {
                dataReply = c.read();
            }
        } else {
            mailReply = c.command(mail.toString());
            if (mailReply.isPositive()) {
                boolean any = false;
                for (int i = 0; i < rcptReplies.length; i++) {
                    rcptReplies[i] = c.command(rcpts.get(i));
                    any |= rcptReplies[i].isPositive();
                }
                if (any && !chunking && !withdrawn.getAsBoolean()) {
                    dataReply = c.command("DATA");
                }
            }
        }
        if (!mailReply.isPositive()) {
            decideAll(mailReply);
            endTransaction(dataReply);
            return;
        }
        List<Integer> accepted = new ArrayList<>();
        for (int i = 0; i < rcptReplies.length; i++) {
            if (rcptReplies[i].code() == 421) {
                reusable = false;
            }
            if (rcptReplies[i].isPositive()) {
                accepted.add(i);
            } else {
                results[i] = result(i, rcptReplies[i]);
            }
        }
        if (chunking) {
            sendChunk(accepted);
            return;
        }
        // without PIPELINING, no DATA reply for accepted recipients means the delivery was withdrawn just before
        if (!accepted.isEmpty() && (dataReply == null || dataReply.code() == 354 && withdrawn.getAsBoolean())) {
            for (int i : accepted) {
                results[i] = result(i, DeliveryCancellation.REPLY);
            }
            if (dataReply == null) {
                endTransaction(null);
            } else {
                reusable = false;
                c.close(); // in DATA: closing is the only way out that delivers nothing
            }
            return;
        }
        if (accepted.isEmpty() || dataReply.code() != 354) {
            for (int i : accepted) {
                results[i] = result(i, dataReply);
            }
            endTransaction(dataReply);
            return;
        }
        c.timeout(settings.dataTimeout());
        c.writeData(content.open());
        contentReplies(accepted);
    }

    /**
     * The answer to the content: under LMTP one reply per accepted recipient ({@link #lmtpReplies}), then null;
     * otherwise one reply for all of them, returned.
     */
    private SmtpReply contentReplies(List<Integer> accepted) throws IOException {
        if (settings.lmtp()) {
            lmtpReplies(accepted);
            return null;
        }
        SmtpReply end = c.read();
        for (int i : accepted) {
            results[i] = result(i, end);
        }
        if (end.code() == 421) {
            reusable = false;
        }
        return end;
    }

    /**
     * CHUNKING (RFC 3030): the content goes as one {@code BDAT n LAST} once the RCPT replies are in, so a delivery
     * withdrawn meanwhile, or one with no recipient left, ends with RSET and sends nothing. The answer is one reply,
     * or under LMTP one per accepted recipient (RFC 2033 §4.2 applies to BDAT LAST as to the dot).
     */
    private void sendChunk(List<Integer> accepted) throws IOException {
        if (accepted.isEmpty()) {
            endTransaction(null);
            return;
        }
        if (withdrawn.getAsBoolean()) {
            for (int i : accepted) {
                results[i] = result(i, DeliveryCancellation.REPLY);
            }
            endTransaction(null);
            return;
        }
        c.timeout(settings.dataTimeout());
        c.writeChunk(content);
        SmtpReply end = contentReplies(accepted);
        if (end != null && reusable && !end.isPositive()) {
            endTransaction(null); // the state after a refused BDAT is indeterminate (RFC 1830): RSET clears it
        }
    }

    /**
     * LMTP: one reply per accepted recipient (RFC 2033 §4.2), each deciding its own recipient. When they stop coming
     * (lost connection, time-out, malformed reply) the rest are deferred and the session closed; when more arrive than
     * were asked for, the session is out of step and is not used again.
     */
    private void lmtpReplies(List<Integer> accepted) {
        LmtpReplies.Collected got = LmtpReplies.collect(c::read, accepted.size());
        for (int k = 0; k < got.replies().size(); k++) {
            SmtpReply r = got.replies().get(k);
            results[accepted.get(k)] = result(accepted.get(k), r);
            if (r.code() == 421) {
                reusable = false;
            }
        }
        if (!got.complete()) {
            reusable = false;
            c.close();
            SmtpReply lost = HostFailure.broken(where(), got.broken());
            for (int k = got.replies().size(); k < accepted.size(); k++) {
                results[accepted.get(k)] = result(accepted.get(k), SmtpReply.of(lost.code(), lost.enhancedStatus(),
                        lost.text() + " (after the data, before this recipient's LMTP reply)"));
            }
        } else if (c.hasUnreadInput()) {
            reusable = false; // more replies than recipients: whatever comes next would answer the wrong command
        }
    }

    private String where() {
        return SmtpConnection.where(host, c.address());
    }

    /** After a failed transaction: answer an unwanted 354 with an empty message, then RSET. */
    private void endTransaction(SmtpReply dataReply) throws IOException {
        if (dataReply != null && dataReply.code() == 354) {
            c.write(".");
            c.flush();
            c.read();
        }
        if (reusable && c.command("RSET").code() != 250) {
            reusable = false;
        }
    }

    private void decideAll(SmtpReply reply) {
        for (int i = 0; i < results.length; i++) {
            if (results[i] == null) {
                results[i] = result(i, reply);
            }
        }
    }

    private RecipientResult result(int i, SmtpReply reply) {
        return RecipientResult.of(recipients.get(i).address(), reply, host, c.peer(), c.tlsProtocol());
    }
}

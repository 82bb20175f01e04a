package io.camelsmtp.smtp.relay.client;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import io.camelsmtp.smtp.common.SmtpReply;

/**
 * LMTP's answer to the final dot (RFC 2033 §4.2): one reply per recipient whose RCPT was accepted, in RCPT order,
 * each read whole within {@link ReplyReader}'s limits. Reading stops at the first reply that cannot be read (the
 * connection lost or timed out, a malformed reply, one past the limits): the recipients answered before it keep their
 * own reply, and it and all after it are left unanswered, for the caller to defer. So a recipient counts as delivered
 * only when its own 2xx arrived, and one server's failure mid-replies decides nothing for the rest. A recipient
 * without a reply may still have been delivered (the server wrote it, then the connection broke): it is tried again,
 * as RFC 2033 §4.2 asks, and may arrive twice; the alternative is losing it.
 */
final class LmtpReplies {

    /** Reads one reply; {@link SmtpConnection#read()} in use. */
    @FunctionalInterface
    interface ReplySource {
        SmtpReply read() throws IOException;
    }

    /**
     * The replies read, at most {@code expected}, in order; {@code broken} is why the rest are missing (null when all
     * came).
     */
    record Collected(List<SmtpReply> replies, IOException broken) {

        boolean complete() {
            return broken == null;
        }
    }

    private LmtpReplies() {
    }

    static Collected collect(ReplySource source, int expected) {
        List<SmtpReply> replies = new ArrayList<>(expected);
        for (int i = 0; i < expected; i++) {
            try {
                replies.add(source.read());
            } catch (IOException e) {
                return new Collected(List.copyOf(replies), e);
            }
        }
        return new Collected(List.copyOf(replies), null);
    }
}

package io.camelsmtp.smtp.queue;

import java.time.Instant;

import io.camelsmtp.smtp.common.RecipientResult;
import io.camelsmtp.smtp.common.SmtpReply;
import io.camelsmtp.smtp.queue.spool.SpoolEntry;

/** The result of one delivery attempt for one recipient, as the queue keeps it. */
record Outcome(SpoolEntry.Recipient recipient, RecipientResult.Status status, SmtpReply reply, String host,
               String address, String tls, Instant time) {

    static Outcome of(SpoolEntry.Recipient r, RecipientResult result) {
        return new Outcome(r, result.getStatus(), result.getReply(), result.getHost(), result.getAddress(),
                result.getTlsProtocol(), result.getTime());
    }

    static Outcome of(SpoolEntry.Recipient r, SmtpReply reply) {
        RecipientResult.Status s = reply.isPositive() ? RecipientResult.Status.DELIVERED
                : reply.isTransient() ? RecipientResult.Status.DEFERRED : RecipientResult.Status.FAILED;
        return new Outcome(r, s, reply, null, null, null, Instant.now());
    }

    /** The enhanced status, or one derived from the reply class when the server gave none. */
    String enhancedStatus() {
        if (reply.enhancedStatus() != null) {
            return reply.enhancedStatus();
        }
        return reply.isPositive() ? "2.0.0" : reply.isTransient() ? "4.0.0" : "5.0.0";
    }

    DeliveryEvent event(String type, SpoolEntry e, int attempt, Instant next) {
        return new DeliveryEvent(type, e.id(), e.sender(), recipient.address(), attempt, reply.code(),
                reply.enhancedStatus(), reply.text(), host, address, tls, e.arrival(), time, next);
    }
}

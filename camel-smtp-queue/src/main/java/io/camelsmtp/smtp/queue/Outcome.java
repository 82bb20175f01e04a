package io.camelsmtp.smtp.queue;

import java.time.Instant;

import io.camelsmtp.smtp.common.RecipientResult;
import io.camelsmtp.smtp.common.SmtpReply;
import io.camelsmtp.smtp.queue.spool.RetryState;
import io.camelsmtp.smtp.queue.spool.SpoolEntry;

/** The result of one delivery attempt for one recipient of a queued message: which recipient, and what the route reported. */
record Outcome(SpoolEntry.Recipient recipient, RecipientResult result) {

    RecipientResult.Status status() {
        return result.getStatus();
    }

    SmtpReply reply() {
        return result.getReply();
    }

    String host() {
        return result.getHost();
    }

    Instant time() {
        return result.getTime();
    }

    /** The recipient's state once this outcome is recorded. */
    RetryState.Status decided() {
        return switch (status()) {
            case DELIVERED -> RetryState.Status.DELIVERED;
            case FAILED -> RetryState.Status.FAILED;
            case DEFERRED -> RetryState.Status.PENDING;
        };
    }

    /** The enhanced status, or one derived from the reply class when the server gave none. */
    String enhancedStatus() {
        SmtpReply reply = reply();
        if (reply.enhancedStatus() != null) {
            return reply.enhancedStatus();
        }
        return reply.isPositive() ? "2.0.0" : reply.isTransient() ? "4.0.0" : "5.0.0";
    }

    DeliveryEvent event(String type, SpoolEntry e, int attempt, Instant next) {
        SmtpReply reply = reply();
        return new DeliveryEvent(type, e.id(), e.sender(), recipient.address(), attempt, reply.code(),
                reply.enhancedStatus(), reply.text(), host(), result.getAddress(), result.getTlsProtocol(), e.arrival(),
                time(), next, null);
    }
}

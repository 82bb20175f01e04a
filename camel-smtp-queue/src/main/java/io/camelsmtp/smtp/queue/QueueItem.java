package io.camelsmtp.smtp.queue;

import java.time.Instant;
import java.util.List;

/**
 * One line of the queue listing, like {@code mailq}: what is waiting, for whom, and why.
 *
 * @param id          queue id
 * @param sender      envelope sender, empty for the null sender
 * @param recipients  recipients still pending
 * @param size        octets
 * @param arrival     when it entered the queue
 * @param attempts    delivery attempts so far
 * @param nextAttempt when the next attempt is due (null while held or in progress)
 * @param lastError   the last reply that deferred it, or null
 * @param status      waiting, active (an attempt is in progress) or held
 */
public record QueueItem(String id, String sender, List<String> recipients, long size, Instant arrival, int attempts,
                        Instant nextAttempt, String lastError, String status) {
}

package io.camelsmtp.smtp.queue.spool;

import java.nio.file.Path;
import java.util.List;

/**
 * A message start-up found damaged in the spool, as far as it could be read, and what became of it: the postmaster
 * must learn of every recipient that is not delivered as usual.
 *
 * @param id         queue id, or null when unreadable
 * @param sender     envelope sender, or null when unreadable
 * @param recipients the recipients as read (with their state when not pending), and unreadable recipient lines
 * @param requeued   true when the message was put back in the queue for its pending recipients
 * @param reason     what was wrong
 * @param files      where the damaged files are now (in {@code corrupt/})
 */
public record SpoolDamage(String id, String sender, List<String> recipients, boolean requeued, String reason,
                          List<Path> files) {
}

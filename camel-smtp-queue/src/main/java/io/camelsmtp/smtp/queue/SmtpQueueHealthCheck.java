package io.camelsmtp.smtp.queue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import io.camelsmtp.smtp.common.health.ReadinessCheck;
import org.apache.camel.health.HealthCheckResultBuilder;

/**
 * Readiness of one queue for Camel's health checks ({@code camel-health}; registered while the queue is open, when
 * the CamelContext has a health check registry): DOWN while the spool cannot store messages: the last write failed
 * (e.g. a full disk: clients are getting {@code 452 4.3.1}), the spool directory is not writable, or its file system
 * has less than {@link #MIN_USABLE_SPACE} left. UP otherwise, with the queue's depth, held count, the age of its
 * oldest message and the usable space as details. Cheap enough to call often: two file system calls, no write.
 * <p>
 * While the messages a previous run left are still being read (in the background, after a restart) the queue is UP
 * when it can store, since storing is what readiness gates, with the message {@code recovering N so far} and the
 * details {@code queue.recovering} and {@code queue.recovered}. When that reading stopped on an error (the spool
 * unreadable, not a damaged file: those are set aside and reported as ever) it is DOWN: messages may be left unread.
 */
final class SmtpQueueHealthCheck extends ReadinessCheck {

    /** Less usable space than this on the spool's file system is DOWN: hardly a message fits (64 KiB). */
    static final long MIN_USABLE_SPACE = 64 * 1024;

    private final MailQueue queue;
    private volatile boolean open = true;

    SmtpQueueHealthCheck(MailQueue queue) {
        super("smtp-queue-" + queue.name());
        this.queue = queue;
    }

    void closed() {
        open = false;
    }

    @Override
    public Result call(Map<String, Object> options) {
        HealthCheckResultBuilder builder = HealthCheckResultBuilder.on(this);
        if (!open) {
            return builder.down().message("smtp-queue:" + queue.name() + " is closed").build();
        }
        builder.detail("queue.size", queue.size())
                .detail("queue.held", queue.heldCount())
                .detail("queue.oldestAgeSeconds", queue.oldestAgeSeconds())
                .detail("queue.spoolDirectory", queue.spoolDirectory().toString());
        boolean recovering = queue.recovering();
        builder.detail("queue.recovering", recovering).detail("queue.recovered", queue.recoveredCount());
        String unread = queue.recoveryFailure();
        if (unread != null && !unread.startsWith("java.io.InterruptedIOException")) {
            return builder.down().message("Reading the messages waiting in the spool failed after "
                                          + queue.recoveredCount() + ": " + unread + "; restart the queue").build();
        }
        String failure = queue.storageFailure();
        if (failure != null) {
            return builder.down().message("The spool cannot store messages: " + failure).build();
        }
        Path dir = queue.spoolDirectory();
        if (!Files.isWritable(dir)) {
            return builder.down().message("The spool cannot store messages: " + dir + " is not writable").build();
        }
        try {
            long usable = Files.getFileStore(dir).getUsableSpace();
            builder.detail("queue.usableSpace", usable);
            if (usable < MIN_USABLE_SPACE) {
                return builder.down().message("The spool cannot store messages: " + usable + " octets left on the file "
                                              + "system of " + dir).build();
            }
        } catch (IOException | SecurityException e) {
            return builder.down().message("The spool cannot store messages: " + e).build();
        }
        if (recovering) {
            builder.message("recovering " + queue.recoveredCount() + " so far");
        }
        return builder.up().build();
    }
}

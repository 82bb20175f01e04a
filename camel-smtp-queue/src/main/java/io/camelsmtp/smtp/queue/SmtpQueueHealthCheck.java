package io.camelsmtp.smtp.queue;

import java.util.Map;

import org.apache.camel.health.HealthCheck;
import org.apache.camel.health.HealthCheckResultBuilder;

/**
 * Readiness of one queue for Camel's health checks ({@code camel-health}; registered while the queue is open, when
 * the CamelContext has a health check registry): DOWN while the spool cannot store
 * messages (the last write failed, e.g. a full disk: clients are getting {@code 452 4.3.1}), UP otherwise, with the
 * queue's depth, held count and the age of its oldest message as details.
 */
final class SmtpQueueHealthCheck implements HealthCheck {

    private final MailQueue queue;
    private volatile boolean open = true;
    private boolean enabled = true;

    SmtpQueueHealthCheck(MailQueue queue) {
        this.queue = queue;
    }

    void closed() {
        open = false;
    }

    @Override
    public String getGroup() {
        return "camel";
    }

    @Override
    public String getId() {
        return "smtp-queue-" + queue.name();
    }

    @Override
    public boolean isEnabled() {
        return enabled;
    }

    @Override
    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    @Override
    public boolean isLiveness() {
        return false;
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
        String failure = queue.storageFailure();
        if (failure != null) {
            return builder.down().message("The spool cannot store messages: " + failure).build();
        }
        return builder.up().build();
    }
}

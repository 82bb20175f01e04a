package io.camelsmtp.smtp.server;

import java.util.Map;

import io.camelsmtp.smtp.common.health.ReadinessCheck;
import org.apache.camel.CamelContext;
import org.apache.camel.health.HealthCheckRegistry;
import org.apache.camel.health.HealthCheckResultBuilder;

/**
 * Readiness of one listener for Camel's health checks ({@code camel-health}; registered while the consumer runs,
 * when the CamelContext has a health check registry), id {@code smtp-server-<host>:<port>}: UP while the port is
 * bound, DOWN while it is not (the route suspended, or stopping), with the port and the open sessions as details.
 * Reads two fields: cheap enough for any probe.
 */
final class SmtpListenerHealthCheck extends ReadinessCheck {

    private final SmtpServerConsumer consumer;
    private final String listener;

    private SmtpListenerHealthCheck(SmtpServerConsumer consumer, String listener) {
        super("smtp-server-" + listener);
        this.consumer = consumer;
        this.listener = listener;
    }

    /** Registers a check for {@code consumer}; null when the context has no health check registry. */
    static SmtpListenerHealthCheck register(CamelContext context, SmtpServerConsumer consumer, String listener) {
        HealthCheckRegistry registry = HealthCheckRegistry.get(context);
        if (registry == null) {
            return null;
        }
        SmtpListenerHealthCheck check = new SmtpListenerHealthCheck(consumer, listener);
        registry.register(check);
        return check;
    }

    static void unregister(CamelContext context, SmtpListenerHealthCheck check) {
        HealthCheckRegistry registry = check == null ? null : HealthCheckRegistry.get(context);
        if (registry != null) {
            registry.unregister(check);
        }
    }

    @Override
    public Result call(Map<String, Object> options) {
        HealthCheckResultBuilder builder = HealthCheckResultBuilder.on(this);
        int port = consumer.getListeningPort();
        if (port < 0) {
            return builder.down().message("smtp-server " + listener + " is not listening")
                    .build();
        }
        return builder.detail("smtp.port", port).detail("smtp.sessions", consumer.getSessionCount()).up().build();
    }
}

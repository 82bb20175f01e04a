package io.camelsmtp.smtp.common.metrics;

import java.util.regex.Pattern;

import io.micrometer.core.instrument.MeterRegistry;
import org.apache.camel.CamelContext;

/**
 * Meter names and the registry look-up. Names are dotted, {@code smtp.server.*}, {@code smtp.queue.*},
 * {@code smtp.relay.*}; Prometheus renders {@code smtp.server.sessions} as {@code smtp_server_sessions_total} for a
 * counter, with base units (seconds, bytes) in the name.
 */
public final class SmtpMeters {

    public static final String SERVER = "smtp.server.";
    public static final String QUEUE = "smtp.queue.";
    public static final String RELAY = "smtp.relay.";

    /** The tag value for everything a bounded tag does not name. */
    public static final String OTHER = "other";

    private static final Pattern ENHANCED = Pattern.compile("[245]\\.\\d{1,3}\\.\\d{1,3}");

    private SmtpMeters() {
    }

    /**
     * The one {@link MeterRegistry} bound in the Camel registry, or null when there is none (or more than one: then
     * nobody can tell which is meant). Called once when a component starts; null means no meters and no cost.
     */
    public static MeterRegistry registry(CamelContext context) {
        if (context == null) {
            return null;
        }
        try {
            return context.getRegistry().findSingleByType(MeterRegistry.class);
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** The reply class tag of an SMTP reply code: {@code 2xx}, {@code 3xx}, {@code 4xx}, {@code 5xx} or {@code other}. */
    public static String replyClass(int code) {
        return switch (code / 100) {
            case 2 -> "2xx";
            case 3 -> "3xx";
            case 4 -> "4xx";
            case 5 -> "5xx";
            default -> OTHER;
        };
    }

    /**
     * An enhanced status code as a tag value ({@code 5.7.1}); {@code none} when absent and {@code other} when it is not
     * one (a policy route's reply is not ours to trust). At most 2 x 1000 x 1000 values in theory, a few dozen in
     * practice: the codes RFC 3463 and its registry define.
     */
    public static String enhancedCode(String enhanced) {
        if (enhanced == null || enhanced.isEmpty()) {
            return "none";
        }
        return ENHANCED.matcher(enhanced).matches() ? enhanced : OTHER;
    }
}

package io.camelsmtp.smtp.queue;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What happened to one recipient of a queued message; sent to the queue's {@code eventsUri} as the message body.
 * Converts to a {@code Map} and to a JSON {@code String}, so a route can post it to a webhook or a topic unchanged.
 * <p>
 * A change of a destination site's state (traffic shaping) is an event too, about the site rather than a recipient:
 * {@code site-suspended}, {@code site-rate-lowered}, {@code site-rerouted} (until {@code nextAttempt}, with the reply
 * that tipped it and the reason in {@code text}) and {@code site-resumed}; it has no queue id, sender or recipient.
 *
 * @param type           queued, delivered, deferred, delayed (a delay notification was sent), bounced or expired
 * @param queueId        the queue id
 * @param sender         envelope sender, empty for the null sender
 * @param recipient      the recipient
 * @param attempt        delivery attempts so far (0 for queued)
 * @param code           SMTP reply code of the decisive reply, 0 when there is none
 * @param enhancedStatus enhanced status code such as 5.1.1, or null
 * @param text           reply text, or null
 * @param remoteHost     host that gave the reply, or null
 * @param remoteAddress  its IP address, or null
 * @param tls            TLS protocol of the connection, or null
 * @param arrival        when the message entered the queue
 * @param time           when this happened
 * @param nextAttempt    for deferred: when the next attempt is due; for a site change: until when it lasts; else null
 * @param site           the destination site the delivery went to (with shaping rules), or the site a site change is
 *                       about; else null
 */
public record DeliveryEvent(String type, String queueId, String sender, String recipient, int attempt, int code,
                            String enhancedStatus, String text, String remoteHost, String remoteAddress, String tls,
                            Instant arrival, Instant time, Instant nextAttempt, String site) {

    public static final String QUEUED = "queued";
    public static final String DELIVERED = "delivered";
    public static final String DEFERRED = "deferred";
    public static final String DELAYED = "delayed";
    public static final String BOUNCED = "bounced";
    public static final String EXPIRED = "expired";
    public static final String SITE_SUSPENDED = "site-suspended";
    public static final String SITE_RATE_LOWERED = "site-rate-lowered";
    public static final String SITE_REROUTED = "site-rerouted";
    public static final String SITE_RESUMED = "site-resumed";

    /** An event about a site's state. */
    static DeliveryEvent site(String type, String site, String reason, io.camelsmtp.smtp.common.SmtpReply reply,
            Instant until, Instant at) {
        return new DeliveryEvent(type, null, null, null, 0, reply == null ? 0 : reply.code(),
                reply == null ? null : reply.enhancedStatus(), reason, null, null, null, null, at, until, site);
    }

    /** The fields as an ordered map; absent values are left out. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", type);
        putIf(m, "queueId", queueId);
        putIf(m, "sender", sender);
        putIf(m, "recipient", recipient);
        m.put("attempt", attempt);
        if (code != 0) {
            m.put("code", code);
        }
        putIf(m, "enhancedStatus", enhancedStatus);
        putIf(m, "text", text);
        putIf(m, "remoteHost", remoteHost);
        putIf(m, "remoteAddress", remoteAddress);
        putIf(m, "tls", tls);
        putIf(m, "arrival", arrival);
        putIf(m, "time", time);
        putIf(m, "nextAttempt", nextAttempt);
        putIf(m, "site", site);
        return m;
    }

    private static void putIf(Map<String, Object> m, String k, Object v) {
        if (v != null) {
            m.put(k, v);
        }
    }

    /** One JSON object; written by hand because the component has no JSON library and needs only strings and numbers. */
    public String toJson() {
        StringBuilder sb = new StringBuilder(256).append('{');
        for (Map.Entry<String, Object> e : toMap().entrySet()) {
            if (sb.length() > 1) {
                sb.append(',');
            }
            quote(sb, e.getKey()).append(':');
            if (e.getValue() instanceof Number) {
                sb.append(e.getValue());
            } else {
                quote(sb, e.getValue().toString());
            }
        }
        return sb.append('}').toString();
    }

    private static StringBuilder quote(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"');
    }

    @Override
    public String toString() {
        return toJson();
    }
}

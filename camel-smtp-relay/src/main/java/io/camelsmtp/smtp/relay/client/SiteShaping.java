package io.camelsmtp.smtp.relay.client;

import io.camelsmtp.smtp.common.shaping.Rate;
import io.camelsmtp.smtp.common.shaping.ShapingRule;

/**
 * What the queue's {@link ShapingRule} asks of one delivery, as far as the {@link DeliveryAgent} honours it: how many
 * transactions a connection may carry, how fast new connections to the site may start, the TLS policy in place of the
 * endpoint's, and the port of a smart host the rule moved the site to. The rule's other limits (connections at once,
 * message rate) are the queue's: it decides when deliveries start.
 *
 * @param rule the rule on the Exchange, or null for none (the endpoint's options alone)
 * @param port port to connect to instead of the endpoint's (a rule's smart host), or 0
 */
public record SiteShaping(ShapingRule rule, int port) {

    /** No rule: behaviour exactly as without traffic shaping. */
    public static final SiteShaping NONE = new SiteShaping(null, 0);

    /** The rule's TLS policy, or {@code configured} (the endpoint's {@code tls} option) when it has none. */
    public TlsPolicy tls(TlsPolicy configured) {
        return rule == null || rule.tls() == null ? configured : TlsPolicy.valueOf(rule.tls());
    }

    /** Transactions one connection may carry; 0 for no limit. */
    int maxMessagesPerConnection() {
        return rule == null ? 0 : rule.maxMessagesPerConnection();
    }

    /** New connections per period to the site, or null for no limit. */
    Rate connectionRate() {
        return rule == null ? null : rule.connectionRate();
    }

    /** The site whose connection rate counts (the rule's key). */
    String site() {
        return rule == null || rule.site() == null ? "" : rule.site();
    }

    /** The site as a reply may name it: printable ASCII without spaces, at most 100 characters. */
    String siteForReply() {
        String s = site().replaceAll("[^\\x21-\\x7e]", "?");
        return s.length() > 100 ? s.substring(0, 100) + "..." : s;
    }

    /** True when a connection that has carried {@code transactions} may carry no more. */
    boolean spent(int transactions) {
        int max = maxMessagesPerConnection();
        return max > 0 && transactions >= max;
    }
}

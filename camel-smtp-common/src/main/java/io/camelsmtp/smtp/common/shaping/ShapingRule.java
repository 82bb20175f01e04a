package io.camelsmtp.smtp.common.shaping;

import java.util.Locale;

/**
 * The limits in force for one destination site at the time of one delivery. The queue decides when a delivery
 * starts (connections and message rate per site) and puts this rule on the delivery's Exchange as the property
 * {@link #PROPERTY}; {@code smtp-relay} honours the part only it can: messages per connection, connection rate, the
 * TLS floor, and the smart host an automatic reaction may have switched the site to. A property, not a header: it
 * comes from the queue's configuration, never from a message or an HTTP caller.
 *
 * @param site                     the site's key: its rule name and MX host set, or its domain
 * @param maxConnections           deliveries (connections) at once to the site
 * @param maxMessagesPerConnection messages one connection carries before it is closed; 0 for no limit
 * @param messageRate              messages started per period, or null for no limit
 * @param connectionRate           new connections per period, or null for no limit
 * @param tls                      {@code none}, {@code opportunistic} or {@code required}, or null for the relay's own
 * @param smartHost                {@code host[:port]} the site's mail goes to instead of its MX hosts, or null
 */
public record ShapingRule(String site, int maxConnections, int maxMessagesPerConnection, Rate messageRate,
        Rate connectionRate, String tls, String smartHost) {

    /** The Exchange property the queue sets on each delivery. */
    public static final String PROPERTY = "CamelSmtpShapingRule";

    public ShapingRule {
        if (maxConnections < 1) {
            throw new IllegalArgumentException("maxConnections must be at least 1, not " + maxConnections);
        }
        if (maxMessagesPerConnection < 0) {
            throw new IllegalArgumentException("maxMessagesPerConnection must be 0 (no limit) or more");
        }
        if (tls != null) {
            tls = tls.toLowerCase(Locale.ROOT);
            if (!tls.equals("none") && !tls.equals("opportunistic") && !tls.equals("required")) {
                throw new IllegalArgumentException("tls must be none, opportunistic or required, not '" + tls + "'");
            }
        }
    }

    public ShapingRule withMessageRate(Rate r) {
        return new ShapingRule(site, maxConnections, maxMessagesPerConnection, r, connectionRate, tls, smartHost);
    }

    public ShapingRule withSmartHost(String host) {
        return new ShapingRule(site, maxConnections, maxMessagesPerConnection, messageRate, connectionRate, tls, host);
    }
}

/**
 * The relay's meters ({@code smtp.relay.*}), bound to the Camel registry's
 * {@link io.micrometer.core.instrument.MeterRegistry} when a producer starts. A leaf: the delivery agent hands it plain
 * values (reply codes, destinations, TLS result names, times). Destinations are tagged through
 * {@link io.camelsmtp.smtp.common.metrics.TopDestinations}, so their cardinality is bounded.
 */
package io.camelsmtp.smtp.relay.metrics;

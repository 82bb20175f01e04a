/**
 * The listener's meters ({@code smtp.server.*}), bound to the Camel registry's
 * {@link io.micrometer.core.instrument.MeterRegistry} when the consumer is set up. A leaf: the session engine and the
 * consumer hand it plain values (reply codes, sizes, times), so it depends on nothing else of the component.
 */
package io.camelsmtp.smtp.server.metrics;

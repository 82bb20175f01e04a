/**
 * What the components' meters share: where the {@link io.micrometer.core.instrument.MeterRegistry} comes from (the
 * Camel registry, looked up once when a component starts; without one no meter is made and nothing is counted),
 * the meter name prefixes, and the one way to tag by destination with bounded cardinality
 * ({@link io.camelsmtp.smtp.common.metrics.TopDestinations}: the busiest few by name, the rest {@code other}). Each
 * component binds its own meters in its own {@code metrics} package. No tag ever carries an address, a message id or
 * reply text.
 */
package io.camelsmtp.smtp.common.metrics;

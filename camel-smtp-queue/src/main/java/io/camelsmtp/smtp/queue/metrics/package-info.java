/**
 * The queue's meters ({@code smtp.queue.*}), bound to the Camel registry's
 * {@link io.micrometer.core.instrument.MeterRegistry} when the queue opens and removed when it closes. This package
 * knows nothing of the queue's classes: the queue hands it plain values and functions, so it stays a leaf.
 */
package io.camelsmtp.smtp.queue.metrics;

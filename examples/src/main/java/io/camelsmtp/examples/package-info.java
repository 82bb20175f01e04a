/**
 * The runnable mail router and the beans its YAML routes name, in one sub-package per role.
 * <ul>
 * <li>{@link io.camelsmtp.examples.app}: the app itself, Camel Main with the YAML DSL, what an operator sees at
 * start-up, and the queue's HTTP operations.</li>
 * <li>{@link io.camelsmtp.examples.delivery}: local delivery, durable (fsynced) files and Maildir.</li>
 * <li>{@link io.camelsmtp.examples.policy}: who may relay, envelope rewriting, content filtering.</li>
 * <li>{@link io.camelsmtp.examples.bridge}: mail to and from JSON and Kafka.</li>
 * </ul>
 * The beans are each small enough to read next to the route that uses it, and live here with the app rather than in
 * the components because they are policy a user is expected to copy and change. Routes name them by class, so a
 * bean's package is part of the routes' interface: {@code type: io.camelsmtp.examples.delivery.FsyncMailbox}.
 */
package io.camelsmtp.examples;

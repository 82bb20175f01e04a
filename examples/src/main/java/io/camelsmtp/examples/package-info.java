/**
 * The runnable mail router and the beans its YAML routes name.
 * <p>
 * The app: {@link io.camelsmtp.examples.MailRouter} (Camel Main with the YAML DSL, {@code --routes}, exit status),
 * {@code StartupSummary} and {@code StartupFailure} (what an operator sees at start-up), {@code AdminHttpServer} and
 * {@link io.camelsmtp.examples.QueueAdmin} (the queue's HTTP operations).
 * <p>
 * The beans, each small enough to read next to the route that uses it, and kept here rather than in the components
 * because they are policy a user is expected to copy and change: local delivery ({@code FsyncMailbox},
 * {@code UserMailboxes}, {@code MaildirDelivery}, on {@code DurableFiles}), policy ({@code ClientNetworks},
 * {@code EnvelopeRewrite}, {@code ContentInspector}) and bridges ({@code MailToJson}, {@code JsonToMail},
 * {@code KafkaEnvelope}). Camel Main scans this package for Java {@code RouteBuilder}s, so it holds none.
 */
package io.camelsmtp.examples;

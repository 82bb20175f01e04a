/**
 * Bridges between mail and other transports: {@link io.camelsmtp.examples.bridge.MailToJson} (a received message as
 * JSON for a webhook), {@link io.camelsmtp.examples.bridge.JsonToMail} (a JSON request into a mail for the queue) and
 * {@link io.camelsmtp.examples.bridge.KafkaEnvelope} (the SMTP envelope across a Kafka topic as record headers),
 * checked on the way back with smtp-server's rules by {@link io.camelsmtp.examples.bridge.EnvelopeRules}.
 * <p>
 * Each fixes one shape of JSON or record headers, a choice of the example routes rather than of the components, so
 * they live with the app for a user to copy and change.
 */
package io.camelsmtp.examples.bridge;

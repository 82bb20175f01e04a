/**
 * Types that both components use, so that {@code from("smtp-server:...").to("smtp-relay:...")} needs no mapping:
 * the names of the envelope headers ({@link io.camelsmtp.smtp.common.SmtpEnvelopeHeaders}) and the SMTP reply value
 * ({@link io.camelsmtp.smtp.common.SmtpReply}). Every envelope header is {@code Camel}-prefixed, so Camel's header
 * filter strategies (HTTP, JMS, Kafka) drop such headers when they arrive from outside.
 */
package io.camelsmtp.smtp.common;

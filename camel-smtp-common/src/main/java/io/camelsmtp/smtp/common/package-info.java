/**
 * What {@code smtp-server}, {@code smtp-relay} and {@code smtp-queue} share, so that
 * {@code smtp-server -> smtp-queue -> smtp-relay} needs no mapping: the {@link io.camelsmtp.smtp.common.Envelope} and
 * its one binding to the Camel headers ({@link io.camelsmtp.smtp.common.EnvelopeBinding}, names in
 * {@link io.camelsmtp.smtp.common.SmtpEnvelopeHeaders}); the message as it is sent or stored
 * ({@link io.camelsmtp.smtp.common.MessageFactory}, {@link io.camelsmtp.smtp.common.MailContent}); the SMTP reply and
 * the one exception that carries a reply across route boundaries ({@link io.camelsmtp.smtp.common.SmtpReplyException});
 * the per-recipient outcome of a delivery ({@link io.camelsmtp.smtp.common.DeliveryReport},
 * {@link io.camelsmtp.smtp.common.RecipientResult}, {@link io.camelsmtp.smtp.common.DeliveryReportException}); xtext
 * and queue ids. Every header is {@code Camel}-prefixed, so Camel's header filter strategies (HTTP, JMS, Kafka) drop
 * such headers when they arrive from outside. This module depends on nothing else of the project.
 */
package io.camelsmtp.smtp.common;

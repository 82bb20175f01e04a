/**
 * Delivery status notifications for the mail queue. When a recipient fails for good, is delayed, or is delivered
 * with NOTIFY=SUCCESS, an MTA owes the envelope sender a report that both people and programs can read: RFC 3464
 * defines its machine-readable {@code message/delivery-status} fields, RFC 6522 the {@code multipart/report} that
 * carries them with a text and the original message, and RFC 3834 the {@code Auto-Submitted} header that keeps
 * auto-responders from answering it. {@link io.camelsmtp.smtp.queue.dsn.DsnBuilder} builds such a report
 * from plain values, with no I/O, on Angus Mail's {@code dsn} classes ({@code MultipartReport},
 * {@code DeliveryStatus}, {@code MessageHeaders}) rather than hand-written MIME, so that the structure, the
 * boundaries and the encodings are the library's and only the content, modelled on Postfix, is ours.
 */
package io.camelsmtp.smtp.queue.dsn;

/**
 * The {@code smtp-queue} component: a durable mail queue between receiving and delivering, so that
 * {@code smtp-server -> smtp-queue -> smtp-relay} is a mail transfer agent. A {@code 250} from {@code smtp-server}
 * after {@code to: smtp-queue} means the message is on disk (fsynced, group-committed); from then on the queue
 * delivers it through the consumer's route, retries what is deferred with backoff until it expires, bounces what
 * fails with RFC 3464 notifications, and reports every recipient outcome as a {@link io.camelsmtp.smtp.queue.DeliveryEvent}.
 * <p>
 * Failure model: an outcome is per recipient. The delivery route's {@code CamelSmtpDeliveryReport} (set by
 * {@code smtp-relay}) decides each recipient; without one, a completed route means delivered, an
 * {@link io.camelsmtp.smtp.common.SmtpReplyException} carries the reply (4xx deferred, 5xx bounced), and any other
 * failure defers. A recipient once delivered is recorded before its event is sent and is never sent to again, also
 * after a restart; a recipient that fails is recorded only after its notification is queued.
 * <p>
 * The spool itself is {@link io.camelsmtp.smtp.queue.spool.Spool}; the scheduling of attempts is
 * {@code DeliveryScheduler}; notifications are built by {@link io.camelsmtp.smtp.queue.dsn.DsnBuilder}.
 */
package io.camelsmtp.smtp.queue;

/**
 * The queue's file spool: segment files that many concurrent arrivals append to and share one fsync (group commit),
 * a state log per segment, and a file pair per message that has to wait. Plain text envelope blocks, so that
 * {@code less}, {@code grep} and {@code cat} are enough to inspect it; the format is documented in
 * {@code docs/smtp-queue.md} and in {@link io.camelsmtp.smtp.queue.spool.EnvelopeCodec}. Written by hand:
 * no library offers a group-committed, per-recipient mail spool; the parts are java.nio file channels.
 */
package io.camelsmtp.smtp.queue.spool;

/**
 * The seam between a listener and the queue behind it for ETRN (RFC 1985, remote message queue starting):
 * {@link io.camelsmtp.smtp.common.flush.DomainFlush}. The listener depends on this interface only; the queue
 * implements it.
 */
package io.camelsmtp.smtp.common.flush;

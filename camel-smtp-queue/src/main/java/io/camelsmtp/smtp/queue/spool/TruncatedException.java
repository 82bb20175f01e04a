package io.camelsmtp.smtp.queue.spool;

/** A record that ends early: the tail of a segment that was being written when the process died. */
final class TruncatedException extends CorruptSpoolException {

    private static final long serialVersionUID = 1L;

    TruncatedException(String message) {
        super(message);
    }
}

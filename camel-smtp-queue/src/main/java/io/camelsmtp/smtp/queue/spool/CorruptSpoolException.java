package io.camelsmtp.smtp.queue.spool;

/** A spool file whose content does not parse or whose check sum does not match. */
class CorruptSpoolException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    CorruptSpoolException(String message) {
        super(message);
    }
}

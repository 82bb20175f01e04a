package io.camelsmtp.smtp.auth.dkim;

import java.util.List;

/** Where key records come from: DNS in production ({@code io.camelsmtp.smtp.auth.dns}), a map in tests. */
@FunctionalInterface
public interface KeyRecordSource {

    /**
     * The TXT records at {@code name} (each record's strings joined), empty when the name or the records do not
     * exist.
     *
     * @throws TemporaryFailure on SERVFAIL, a time-out or another failure worth trying again
     */
    List<String> txt(String name) throws TemporaryFailure;

    /** A look-up that may succeed later. */
    class TemporaryFailure extends Exception {

        private static final long serialVersionUID = 1L;

        public TemporaryFailure(String message) {
            super(message);
        }
    }
}

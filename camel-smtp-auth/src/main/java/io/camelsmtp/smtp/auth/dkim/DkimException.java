package io.camelsmtp.smtp.auth.dkim;

/** A DKIM signature, key or message that cannot be used; the message says why (it ends up in a result's reason). */
public class DkimException extends Exception {

    private static final long serialVersionUID = 1L;

    public DkimException(String message) {
        super(message);
    }

    public DkimException(String message, Throwable cause) {
        super(message, cause);
    }
}

package io.camelsmtp.smtp.auth.dkim;

import java.util.Locale;

/**
 * The outcome of one DKIM-Signature: its d=, s=, a= and i= (null when the signature could not be parsed that far),
 * the result in RFC 8601's words and why.
 *
 * @param headerB the first 12 characters of b=, to tell two signatures of one domain apart (RFC 6008 header.b)
 */
public record DkimResult(String domain, String selector, String algorithm, String identity, Status status, String reason,
        String headerB) {

    /** RFC 8601 §2.7.1 dkim results. */
    public enum Status {
        PASS,
        FAIL,
        /** The signature is valid but does not cover the whole body (l=): see the docs. */
        POLICY,
        NEUTRAL,
        TEMPERROR,
        PERMERROR,
        NONE;

        public String text() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public boolean passed() {
        return status == Status.PASS;
    }

    /** The result as a route reads it: {@code pass}, {@code fail}... */
    public String result() {
        return status.text();
    }

    @Override
    public String toString() {
        return status.text() + " d=" + domain + " s=" + selector + " a=" + algorithm + (reason == null ? "" : " (" + reason + ")");
    }
}

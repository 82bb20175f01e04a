package io.camelsmtp.smtp.relay.dane;

/** The DNSSEC status of an answer (RFC 4033 §5, RFC 4035 §4.3). */
public enum Security {
    /** Validated from a trust anchor (or carried the AD bit of a trusted validating resolver). */
    SECURE,
    /** Provably unsigned, or no AD bit: no DANE. */
    INSECURE,
    /** Signed, but the validation failed: answers cannot be trusted, the host is not used (RFC 7672 §2.1.1). */
    BOGUS,
    /** No answer to judge: SERVFAIL, another error code, a time-out. Treated as bogus for DANE. */
    INDETERMINATE
}

package io.camelsmtp.smtp.relay.dane;

/**
 * Why DANE failed for a host, as the result types of TLS reporting (RFC 8460 §4.3), so that the TLS-RPT part can
 * report a failure under the name it has there.
 */
public enum DaneResultType {
    /** No TLSA record matched the certificate chain, or the TLSA RRset was unusable in a way that fails closed. */
    TLSA_INVALID("tlsa-invalid"),
    /** A DNSSEC look-up (address, TLSA) was bogus, SERVFAIL or timed out: no trustworthy answer. */
    DNSSEC_INVALID("dnssec-invalid"),
    /** {@code daneRequired} is set, but the host has no usable DNSSEC-validated TLSA records. */
    DANE_REQUIRED("dane-required"),
    /** DANE-TA(2): the chain is trusted, but no name in the leaf is one of the reference identifiers. */
    CERTIFICATE_HOST_MISMATCH("certificate-host-mismatch"),
    /** DANE-TA(2): a certificate between the trust anchor and the leaf (or the leaf) has expired. */
    CERTIFICATE_EXPIRED("certificate-expired"),
    /** DANE-TA(2): the chain from the matched trust anchor did not validate (signature, constraints, not yet valid). */
    VALIDATION_FAILURE("validation-failure");

    private final String rfc8460;

    DaneResultType(String rfc8460) {
        this.rfc8460 = rfc8460;
    }

    /** The result type's name in a TLS report, e.g. {@code tlsa-invalid}. */
    public String rfc8460Name() {
        return rfc8460;
    }
}

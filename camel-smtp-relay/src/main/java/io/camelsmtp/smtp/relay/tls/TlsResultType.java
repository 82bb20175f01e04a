package io.camelsmtp.smtp.relay.tls;

/**
 * Why a TLS session with a mail exchanger, or a policy look-up, failed: the result types of RFC 8460 §4.3, with the
 * RFC's strings ({@link #rfcName()}), so that TLS reporting can count them as they are.
 */
public enum TlsResultType {
    /** The host did not offer STARTTLS, or refused it. */
    STARTTLS_NOT_SUPPORTED("starttls-not-supported"),
    /** The certificate was not issued for the name it was checked against. */
    CERTIFICATE_HOST_MISMATCH("certificate-host-mismatch"),
    /** The certificate (or one in its chain) has expired or is not yet valid. */
    CERTIFICATE_EXPIRED("certificate-expired"),
    /** The chain does not lead to a trusted root (self-signed, unknown CA). */
    CERTIFICATE_NOT_TRUSTED("certificate-not-trusted"),
    /** Any other failure to establish or validate the session (handshake failed, MX not allowed by the policy). */
    VALIDATION_FAILURE("validation-failure"),
    /** The MTA-STS policy could not be fetched (unreachable host, time-out, not 200, too large). */
    STS_POLICY_FETCH_ERROR("sts-policy-fetch-error"),
    /** The MTA-STS policy (or its TXT record) did not parse. */
    STS_POLICY_INVALID("sts-policy-invalid"),
    /** The HTTPS certificate of the MTA-STS policy host did not validate. */
    STS_WEBPKI_INVALID("sts-webpki-invalid"),
    /** The TLSA records were unusable (DANE). */
    TLSA_INVALID("tlsa-invalid"),
    /** DNSSEC validation failed (DANE). */
    DNSSEC_INVALID("dnssec-invalid"),
    /** DANE was required but no usable TLSA records were found. */
    DANE_REQUIRED("dane-required");

    private final String rfcName;

    TlsResultType(String rfcName) {
        this.rfcName = rfcName;
    }

    /** The result type as RFC 8460 spells it, e.g. {@code certificate-host-mismatch}. */
    public String rfcName() {
        return rfcName;
    }

    @Override
    public String toString() {
        return rfcName;
    }
}

package io.camelsmtp.smtp.relay.dane;

import java.time.Clock;
import java.util.List;

import io.camelsmtp.smtp.common.SmtpReply;

/**
 * What DANE says about one MX host (RFC 7672 §2.2): nothing (pre-DANE TLS as configured), TLS mandatory but not
 * authenticated (only unusable TLSA records, RFC 7672 §2.2 and §3.1.3), TLS mandatory and authenticated by the TLSA
 * records, or the host is not to be used now (a DNSSEC failure).
 *
 * @param records              for {@link Kind#AUTHENTICATE}: the usable TLSA records
 * @param referenceIdentifiers for {@link Kind#AUTHENTICATE}: names the leaf must carry under DANE-TA(2)
 * @param failure              for {@link Kind#REFUSE}: the TLS-RPT result type
 * @param reason               why this policy, in words, for logs and replies
 */
public record DanePolicy(Kind kind, List<Tlsa> records, List<String> referenceIdentifiers, DaneResultType failure,
        String reason) {

    public enum Kind {
        /** No DANE for this host (DANE off, insecure DNS, no TLSA records): TLS as configured otherwise. */
        NONE,
        /** Secure TLSA RRset with only unusable records: STARTTLS required, any certificate (RFC 7672 §2.2). */
        ENCRYPT,
        /** STARTTLS required and the certificate checked by {@link #trustManager}. */
        AUTHENTICATE,
        /** Do not use this host now (DNSSEC bogus or indeterminate): skip it, defer if none is left. */
        REFUSE
    }

    public DanePolicy {
        records = List.copyOf(records);
        referenceIdentifiers = List.copyOf(referenceIdentifiers);
    }

    static DanePolicy none(String reason) {
        return new DanePolicy(Kind.NONE, List.of(), List.of(), null, reason);
    }

    static DanePolicy encrypt(String reason) {
        return new DanePolicy(Kind.ENCRYPT, List.of(), List.of(), null, reason);
    }

    static DanePolicy authenticate(List<Tlsa> records, List<String> referenceIds, String reason) {
        return new DanePolicy(Kind.AUTHENTICATE, records, referenceIds, null, reason);
    }

    static DanePolicy refuse(DaneResultType type, String reason) {
        return new DanePolicy(Kind.REFUSE, List.of(), List.of(), type, reason);
    }

    /** Whether STARTTLS must succeed with this host (never a plaintext fallback). */
    public boolean requiresTls() {
        return kind == Kind.ENCRYPT || kind == Kind.AUTHENTICATE;
    }

    /** A trust manager for one handshake with this host; only for {@link Kind#AUTHENTICATE}. */
    public DaneTrustManager trustManager(Clock clock) {
        if (kind != Kind.AUTHENTICATE) {
            throw new IllegalStateException("no TLSA records to authenticate with: " + kind);
        }
        return new DaneTrustManager(records, referenceIdentifiers, clock);
    }

    /** The deferral for a host this policy refuses ({@code where}: the host, as the relay's replies name it). */
    public SmtpReply deferral(String where) {
        return SmtpReply.of(451, "4.7.5", "DANE: " + where + ": " + reason
                + (failure != null ? " (" + failure.rfc8460Name() + ")" : ""));
    }
}

package io.camelsmtp.smtp.relay.dane;

import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.cert.CertPath;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.List;
import java.util.Set;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Authenticates an SMTP server by its TLSA records (RFC 7672 §3, RFC 7671 §5). For one handshake with one host:
 * <ul>
 * <li>DANE-EE(3): the leaf certificate (selector 0) or its public key (selector 1) matches; nothing else is checked,
 * not the names, not the dates (RFC 7672 §3.1.1).</li>
 * <li>DANE-TA(2): a certificate of the presented chain above the leaf matches and becomes the trust anchor (or, for
 * a Full(0) record that matches nothing presented, the record's certificate or public key is the anchor); the chain
 * from there to the leaf must validate (signatures, validity dates, CA constraints; no revocation), and the leaf must
 * carry one of the reference identifiers (RFC 7672 §3.2.2).</li>
 * </ul>
 * A refusal throws {@link DaneCertificateException}, whose result type (RFC 8460) is also kept in
 * {@link #outcome()}, since JSSE reports a refused certificate as an {@code SSLHandshakeException} in which the cause
 * may not survive. Being an {@link X509ExtendedTrustManager}, it is the only check JSSE makes: the JDK's own host
 * name check does not run, whatever the socket's endpoint identification algorithm says.
 */
public final class DaneTrustManager extends X509ExtendedTrustManager {

    /** Longest chain looked at; a server sending more is refused rather than costing us a PKIX run per certificate. */
    static final int MAX_CHAIN = 16;

    private final List<Tlsa> records;
    private final List<String> referenceIds;
    private final Clock clock;
    private volatile Outcome outcome;

    /** What the last check of this trust manager found. */
    public record Outcome(boolean verified, DaneResultType failure, String detail, Tlsa matched) {
    }

    /**
     * @param records      the usable TLSA records of the host (unusable ones are ignored here too)
     * @param referenceIds names the leaf must carry under DANE-TA(2): the MX host name, the TLSA base domain when it
     *                     differs, the destination domain when the MX RRset was secure
     * @param clock        for certificate dates
     */
    public DaneTrustManager(List<Tlsa> records, List<String> referenceIds, Clock clock) {
        this.records = records.stream().filter(Tlsa::usable).toList();
        this.referenceIds = List.copyOf(referenceIds);
        this.clock = clock;
    }

    /** The outcome of the last handshake's check; null before any. */
    public Outcome outcome() {
        return outcome;
    }

    /** An SSLContext whose only trust is this manager, for one handshake. */
    public SSLContext context() {
        try {
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, new TrustManager[] { this }, null);
            return ctx;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("No TLS in this JVM", e);
        }
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        verify(chain);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        verify(chain);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        verify(chain);
    }

    /** Checks {@code chain} (leaf first) against the records; throws {@link DaneCertificateException} on refusal. */
    public void verify(X509Certificate[] chain) throws DaneCertificateException {
        try {
            Tlsa matched = check(chain);
            outcome = new Outcome(true, null, "matched TLSA " + matched, matched);
        } catch (DaneCertificateException e) {
            outcome = new Outcome(false, e.resultType(), e.getMessage(), null);
            throw e;
        } catch (RuntimeException e) {
            // a certificate the JDK cannot take apart must not pass, nor escape as something else
            DaneCertificateException refused = new DaneCertificateException(DaneResultType.VALIDATION_FAILURE,
                    "certificate could not be checked: " + e);
            outcome = new Outcome(false, refused.resultType(), refused.getMessage(), null);
            throw refused;
        }
    }

    private Tlsa check(X509Certificate[] chain) throws DaneCertificateException {
        if (chain == null || chain.length == 0 || chain[0] == null) {
            throw new DaneCertificateException(DaneResultType.VALIDATION_FAILURE, "the server presented no certificate");
        }
        if (chain.length > MAX_CHAIN) {
            throw new DaneCertificateException(DaneResultType.VALIDATION_FAILURE,
                    "the server presented " + chain.length + " certificates, more than " + MAX_CHAIN);
        }
        for (Tlsa r : records) {
            if (r.usage() == Tlsa.DANE_EE && r.matches(chain[0])) {
                return r;
            }
        }
        DaneCertificateException taFailure = null;
        for (Tlsa r : records) {
            if (r.usage() != Tlsa.DANE_TA) {
                continue;
            }
            for (int i = 1; i < chain.length; i++) {
                if (chain[i] != null && r.matches(chain[i])) {
                    try {
                        validate(Arrays.copyOfRange(chain, 0, i), new TrustAnchor(chain[i], null));
                        return named(chain[0], r);
                    } catch (DaneCertificateException e) {
                        taFailure = moreSpecific(taFailure, e);
                    }
                }
            }
            TrustAnchor published = r.matchingType() == 0 ? PublishedAnchor.of(r, chain[chain.length - 1]) : null;
            if (published != null) {
                try {
                    validate(chain, published);
                    return named(chain[0], r);
                } catch (DaneCertificateException e) {
                    taFailure = moreSpecific(taFailure, e);
                }
            }
        }
        if (taFailure != null) {
            throw taFailure;
        }
        throw new DaneCertificateException(DaneResultType.TLSA_INVALID,
                "none of the " + records.size() + " usable TLSA records matches the certificate chain");
    }

    /** The failure to report when several anchors failed: the first, unless a later one says more than "failed". */
    private static DaneCertificateException moreSpecific(DaneCertificateException first, DaneCertificateException next) {
        if (first == null || first.resultType() == DaneResultType.VALIDATION_FAILURE
                && next.resultType() != DaneResultType.VALIDATION_FAILURE) {
            return next;
        }
        return first;
    }

    private Tlsa named(X509Certificate leaf, Tlsa r) throws DaneCertificateException {
        if (ReferenceIdentifiers.match(leaf, referenceIds) == null) {
            throw new DaneCertificateException(DaneResultType.CERTIFICATE_HOST_MISMATCH, "the certificate names "
                    + ReferenceIdentifiers.presented(leaf) + ", none of " + referenceIds + " (trust anchor TLSA " + r + ")");
        }
        return r;
    }

    private void validate(X509Certificate[] path, TrustAnchor anchor) throws DaneCertificateException {
        try {
            CertPath certPath = CertificateFactory.getInstance("X.509").generateCertPath(new ArrayList<>(List.of(path)));
            PKIXParameters p = new PKIXParameters(Set.of(anchor));
            p.setRevocationEnabled(false);
            p.setDate(Date.from(clock.instant()));
            CertPathValidator.getInstance("PKIX").validate(certPath, p);
        } catch (CertPathValidatorException e) {
            if (e.getReason() == CertPathValidatorException.BasicReason.EXPIRED) {
                throw new DaneCertificateException(DaneResultType.CERTIFICATE_EXPIRED, e.getMessage());
            }
            throw new DaneCertificateException(DaneResultType.VALIDATION_FAILURE, String.valueOf(e.getMessage()));
        } catch (GeneralSecurityException e) {
            throw new DaneCertificateException(DaneResultType.VALIDATION_FAILURE, String.valueOf(e.getMessage()));
        }
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        throw new CertificateException("client side only");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        throw new CertificateException("client side only");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        throw new CertificateException("client side only");
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return new X509Certificate[0];
    }
}

package io.camelsmtp.smtp.relay.dane;

import java.net.Socket;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

import io.camelsmtp.smtp.relay.tls.DestinationTls;
import io.camelsmtp.smtp.relay.tls.HostTls;
import io.camelsmtp.smtp.relay.tls.TlsResultType;
import io.camelsmtp.smtp.relay.tls.UnauthenticatedTrust;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts DANE's verdict per MX host over another {@link DestinationTls} (MTA-STS's, or the {@code tls} option's). DANE
 * takes precedence where it says anything (RFC 8461 §2, RFC 7672 §2.2): {@link DanePolicy.Kind#AUTHENTICATE} is
 * verified TLS under the TLSA records (their trust manager checks the names itself), {@link DanePolicy.Kind#ENCRYPT}
 * is mandatory TLS with any certificate, {@link DanePolicy.Kind#REFUSE} skips the host; {@link DanePolicy.Kind#NONE}
 * leaves the host to {@code base}. With {@code daneRequired} (Postfix's {@code dane-only}) a host for which DANE has
 * no usable, DNSSEC-validated TLSA records ({@link DanePolicy.Kind#NONE}, {@link DanePolicy.Kind#ENCRYPT}) is refused
 * instead, reported as {@code dane-required} (RFC 8460 §4.3.2.1). All look-ups happen in {@link #decide}, before the
 * delivery starts, through the resolver's cache; the result answers without I/O and never throws.
 * <p>
 * The same policy gets the same trust manager instance, so that kept connections, which are reused only for an equal
 * {@link HostTls}, serve the next message to that host.
 */
public final class DaneDestinations {

    private static final Logger LOG = LoggerFactory.getLogger(DaneDestinations.class);
    /** Trust managers kept for reuse; past this many distinct policies the map starts over (reuse is an optimisation). */
    static final int MAX_TRUST_MANAGERS = 4096;

    /** ENCRYPT: TLS is mandatory, the certificate is not authenticated (RFC 7672 §2.2). */
    static final X509ExtendedTrustManager ANY_CERTIFICATE = new AnyCertificate();

    private final DaneLookup lookup;
    private final Clock clock;
    private final boolean required;
    private final Map<List<Object>, X509ExtendedTrustManager> managers = new ConcurrentHashMap<>();

    public DaneDestinations(DaneLookup lookup, Clock clock) {
        this(lookup, clock, false);
    }

    /** @param required refuse every host without usable DANE ({@code daneRequired}) */
    public DaneDestinations(DaneLookup lookup, Clock clock, boolean required) {
        this.lookup = lookup;
        this.clock = clock;
        this.required = required;
    }

    /**
     * The TLS of each of {@code mxHosts} of {@code domain}: DANE's where it has a say, else {@code base}'s. A look-up
     * that throws (a bug, not DNS trouble, which the lookup reports as a verdict) refuses the host.
     */
    public DestinationTls decide(String domain, List<String> mxHosts, DestinationTls base) {
        Map<String, HostTls> dane = new HashMap<>();
        for (String host : mxHosts) {
            String h = host.toLowerCase(Locale.ROOT);
            if (dane.containsKey(h)) {
                continue;
            }
            DanePolicy p;
            try {
                p = lookup.policy(h, domain, null);
            } catch (RuntimeException e) {
                LOG.warn("DANE look-up of {} for {} failed unexpectedly; not using the host", h, domain, e);
                p = DanePolicy.refuse(DaneResultType.DNSSEC_INVALID, "DANE look-up failed: " + e);
            }
            HostTls t = hostTls(p, h);
            if (t != null) {
                dane.put(h, t);
            }
        }
        if (dane.isEmpty()) {
            return base;
        }
        return new DestinationTls() {
            @Override
            public String domain() {
                return base.domain();
            }

            @Override
            public HostTls forHost(String mxHost) {
                HostTls t = dane.get(mxHost);
                return t != null ? t : base.forHost(mxHost);
            }
        };
    }

    private HostTls hostTls(DanePolicy p, String host) {
        String description = "DANE policy of " + host + " (" + p.reason() + ")";
        if (required && (p.kind() == DanePolicy.Kind.NONE || p.kind() == DanePolicy.Kind.ENCRYPT)) {
            // a definite answer (unsigned, or signed and without usable records): refused, not a failure to look up
            return HostTls.refused("dane", TlsResultType.DANE_REQUIRED, "daneRequired, but " + host
                    + " has no usable DNSSEC-validated TLSA records: " + p.reason() + " ("
                    + TlsResultType.DANE_REQUIRED.rfcName() + ")", List.of());
        }
        return switch (p.kind()) {
            case NONE -> null;
            case ENCRYPT -> HostTls.verified(ANY_CERTIFICATE, false, "dane", description, List.of());
            case AUTHENTICATE -> HostTls.verified(trustManager(p), false, "dane", description, strings(p.records()));
            // DNSSEC bogus, SERVFAIL, time-out: for now; too many TLSA records: what the zone publishes
            case REFUSE -> p.failure() == DaneResultType.DNSSEC_INVALID
                    ? HostTls.refusedForNow("dane", TlsResultType.DNSSEC_INVALID, description, List.of())
                    : HostTls.refused("dane", TlsResultType.valueOf(p.failure().name()), description, List.of());
        };
    }

    private X509ExtendedTrustManager trustManager(DanePolicy p) {
        List<Object> key = List.of(p.records(), p.referenceIdentifiers());
        X509ExtendedTrustManager m = managers.get(key);
        if (m == null) {
            if (managers.size() >= MAX_TRUST_MANAGERS) {
                managers.clear();
            }
            m = managers.computeIfAbsent(key, k -> p.trustManager(clock));
        }
        return m;
    }

    /** The TLSA records as RFC 8460 §4.4 reports them: presentation form, data in full. */
    static List<String> strings(List<Tlsa> records) {
        List<String> out = new ArrayList<>(records.size());
        for (Tlsa t : records) {
            out.add(t.usage() + " " + t.selector() + " " + t.matchingType() + " " + HexFormat.of().formatHex(t.data()));
        }
        return out;
    }

    private static final class AnyCertificate extends X509ExtendedTrustManager implements UnauthenticatedTrust {
        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {
            // unauthenticated, but TLS (RFC 7672 §2.2: only unusable TLSA records)
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
            // as above
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
            // as above
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {
            throw new UnsupportedOperationException("client side only");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
            throw new UnsupportedOperationException("client side only");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
            throw new UnsupportedOperationException("client side only");
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}

package io.camelsmtp.smtp.relay.tlsrpt;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

import io.camelsmtp.smtp.relay.tls.TlsOutcome;
import io.camelsmtp.smtp.relay.tls.TlsOutcomeListener;
import io.camelsmtp.smtp.relay.tls.TlsResultType;

/**
 * Feeds the delivery path's TLS outcomes into the component's {@link TlsReportCollector} (RFC 8460): an outcome under
 * an MTA-STS policy counts for policy type {@code sts} (mode testing included, §4.4), under DANE for {@code tlsa},
 * and one under the endpoint's own {@code tls} option for {@code no-policy-found}, which §4.4 defines for exactly
 * that case ("neither a TLSA nor MTA-STS policy could be found"): successful when TLS was negotiated, else
 * {@code starttls-not-supported} or the failure found. Sessions of an endpoint with {@code tls=none} never tried TLS
 * and are not counted; nor are smart-host deliveries (no domain). Looking up the collector each time lets the
 * component start or stop reporting on its own.
 */
public final class TlsOutcomeFeed implements TlsOutcomeListener {

    private final Supplier<TlsReportCollector> collector;
    private final boolean tlsTried;

    /**
     * @param collector the collector, or null while reporting is off
     * @param tlsTried  whether the endpoint's own {@code tls} option tries TLS at all (not {@code none})
     */
    public TlsOutcomeFeed(Supplier<TlsReportCollector> collector, boolean tlsTried) {
        this.collector = collector;
        this.tlsTried = tlsTried;
    }

    @Override
    public void outcome(TlsOutcome outcome) {
        TlsReportCollector c = collector.get();
        if (c == null) {
            return;
        }
        TlsAttempt a = attempt(outcome, tlsTried);
        if (a != null) {
            c.record(a);
        }
    }

    /** The attempt to count for {@code o}, or null when TLS reporting does not count it. */
    static TlsAttempt attempt(TlsOutcome o, boolean tlsTried) {
        if (o.domain() == null || o.domain().isBlank()) {
            return null;
        }
        TlsAttempt.PolicyType type;
        List<String> strings = o.policyStrings();
        List<String> mx = List.of();
        switch (o.policy()) {
            case "sts" -> {
                type = TlsAttempt.PolicyType.STS;
                mx = mxPatterns(strings);
            }
            case "dane" -> type = TlsAttempt.PolicyType.TLSA;
            default -> {
                if (!tlsTried && o.failure() == null && !o.negotiated()) {
                    return null; // tls=none: no TLS was tried, nothing to report
                }
                type = TlsAttempt.PolicyType.NO_POLICY_FOUND;
                strings = List.of();
            }
        }
        TlsResultType failure = o.failure();
        if (failure == null && !o.negotiated() && o.mxHost() != null) {
            failure = TlsResultType.STARTTLS_NOT_SUPPORTED; // opportunistic, and the host offered none
        }
        if (failure == null) {
            return TlsAttempt.success(type, o.domain(), strings, mx, o.mxHost(), o.address(), null);
        }
        return TlsAttempt.failure(type, o.domain(), strings, mx, o.mxHost(), o.address(), null, failure.rfcName(),
                o.detail());
    }

    /** The {@code mx:} values of an MTA-STS policy's lines (RFC 8460 {@code mx-host}). */
    static List<String> mxPatterns(List<String> lines) {
        List<String> out = new ArrayList<>();
        for (String l : lines) {
            int colon = l.indexOf(':');
            if (colon > 0 && l.substring(0, colon).strip().toLowerCase(Locale.ROOT).equals("mx")) {
                out.add(l.substring(colon + 1).strip());
            }
        }
        return out;
    }
}

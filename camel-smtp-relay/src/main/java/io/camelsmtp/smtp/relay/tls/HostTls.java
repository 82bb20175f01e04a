package io.camelsmtp.smtp.relay.tls;

import java.util.List;
import java.util.Objects;

import javax.net.ssl.X509ExtendedTrustManager;

/**
 * What TLS one mail exchanger of one destination must have, as a policy decided it ({@link DestinationTls}).
 * <ul>
 * <li>{@link Mode#NONE}: no STARTTLS ({@code tls=none}).</li>
 * <li>{@link Mode#OPPORTUNISTIC}: STARTTLS when offered, any certificate, plaintext when it fails (RFC 7435); today's
 * {@code tls=opportunistic}. With {@link #testing()} (an MTA-STS policy in mode {@code testing}) the certificate is
 * also checked against {@link #trust()} and a failure reported to the {@link TlsOutcomeListener}, never enforced.</li>
 * <li>{@link Mode#VERIFIED}: STARTTLS must be offered and succeed, and the certificate must pass {@link #trust()}
 * (checked against the MX host name when {@link #checkHostName()}); otherwise the host is skipped with a 4.7.x
 * deferral that names {@link #policy()}, and it is never tried in plaintext.</li>
 * <li>{@link Mode#REFUSED}: the host may not be used (e.g. not among an MTA-STS policy's {@code mx} patterns); it is
 * skipped with a 4.7.5 deferral saying {@link #description()}, without a connection. With {@link #testing()} it is
 * used anyway (opportunistically) and {@link #failure()} reported.</li>
 * </ul>
 * <b>Contract for a policy that brings its own trust (DANE):</b> give {@link #verified} an
 * {@link X509ExtendedTrustManager} whose {@code checkServerTrusted(chain, authType, SSLEngine/Socket)} throws when
 * the chain does not satisfy the policy; throw a {@link TlsPolicyException} to choose the RFC 8460 result type
 * reported (else {@link TlsFailures#classify} guesses). Pass {@code checkHostName=false} when the trust manager does
 * its own name checks (DANE-EE ignores names; DANE-TA checks them itself), {@code true} to have the JDK check the
 * certificate against the MX host name (as HTTPS does). A null trust means the endpoint's configured trust
 * ({@code sslContextParameters}, client certificate included), as {@code tls=required} uses. The session has no
 * client certificate under a trust of its own. Kept connections are reused only for an <em>equal</em> HostTls
 * (trust managers compare by identity), so hand out the same trust manager instance for the same policy if reuse
 * matters.
 *
 * @param mode          what is required
 * @param trust         the certificate check for {@link Mode#VERIFIED} (and {@link #testing()}); null for the
 *                      configured trust
 * @param checkHostName whether the JDK also matches the certificate against the MX host name
 * @param policy        who demands it, for replies and reports: {@code "sts"}, {@code "dane"}, {@code "config"}
 * @param description   short human text: which policy and why, e.g. {@code "MTA-STS policy of example.com (id 2024)"}
 * @param testing       report failures only, deliver as {@link Mode#OPPORTUNISTIC} would
 * @param failure       for {@link Mode#REFUSED}: the result type to report (null otherwise)
 * @param policyStrings the policy as RFC 8460 reports it ({@code policy-string}): the policy's lines; may be empty
 * @param temporary     for {@link Mode#REFUSED}: the refusal stems from an answer that could not be had (a DNS
 *                      SERVFAIL or time-out, a DNSSEC failure, a failed policy fetch) and may go away by itself; false
 *                      when a policy that was obtained excludes the host. Decides whether a REQUIRETLS message all of
 *                      whose hosts are refused is deferred (temporary) or bounced (RFC 8689 §4.2.1)
 */
public record HostTls(Mode mode, X509ExtendedTrustManager trust, boolean checkHostName, String policy,
        String description, boolean testing, TlsResultType failure, List<String> policyStrings, boolean temporary) {

    /** What is required of a host's TLS. */
    public enum Mode {
        NONE,
        OPPORTUNISTIC,
        VERIFIED,
        REFUSED
    }

    /** Today's {@code tls=none}. */
    public static final HostTls NONE
            = new HostTls(Mode.NONE, null, false, "config", "tls=none", false, null, List.of(), false);
    /** Today's {@code tls=opportunistic}. */
    public static final HostTls OPPORTUNISTIC
            = new HostTls(Mode.OPPORTUNISTIC, null, false, "config", "tls=opportunistic", false, null, List.of(), false);
    /** Today's {@code tls=required}: the configured trust, the MX (or smart host) name checked. */
    public static final HostTls CONFIG_REQUIRED
            = new HostTls(Mode.VERIFIED, null, true, "config", "tls=required", false, null, List.of(), false);

    public HostTls {
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(policy, "policy");
        description = description == null ? policy : description;
        policyStrings = policyStrings == null ? List.of() : List.copyOf(policyStrings);
    }

    /** STARTTLS required and the certificate checked by {@code trust} (null: the configured trust). */
    public static HostTls verified(X509ExtendedTrustManager trust, boolean checkHostName, String policy,
            String description, List<String> policyStrings) {
        return new HostTls(Mode.VERIFIED, trust, checkHostName, policy, description, false, null, policyStrings, false);
    }

    /** The host may not be used, as a policy that was obtained says; {@code failure} is what is reported. */
    public static HostTls refused(String policy, TlsResultType failure, String description, List<String> policyStrings) {
        return new HostTls(Mode.REFUSED, null, false, policy, description, false, failure, policyStrings, false);
    }

    /**
     * The host may not be used for now: what would decide could not be looked up (DNS failure, DNSSEC failure, policy
     * fetch failure); {@code failure} is what is reported.
     */
    public static HostTls refusedForNow(String policy, TlsResultType failure, String description,
            List<String> policyStrings) {
        return new HostTls(Mode.REFUSED, null, false, policy, description, false, failure, policyStrings, true);
    }

    /** The same requirement, reported but not enforced (MTA-STS {@code mode: testing}). */
    public HostTls asTesting() {
        return new HostTls(mode, trust, checkHostName, policy, description, true, failure, policyStrings, temporary);
    }

    /** True when a failure of this host's TLS must skip it (never fall back to plaintext). */
    public boolean enforced() {
        return !testing && (mode == Mode.VERIFIED || mode == Mode.REFUSED);
    }
}

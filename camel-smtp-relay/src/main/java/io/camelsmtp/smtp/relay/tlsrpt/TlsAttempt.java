package io.camelsmtp.smtp.relay.tlsrpt;

import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * What TLS reporting needs to know of one finished TLS attempt on one MX host: the input of
 * {@link TlsReportCollector#record(TlsAttempt)}. The delivery path's per-host TLS outcome listener turns its outcome
 * into one of these; nothing here depends on that seam, so the two can be built and merged apart.
 *
 * @param policyType     which policy applied: {@code sts}, {@code tlsa}, or {@code no-policy-found}
 * @param policyDomain   the recipient domain whose policy applied (for no-policy-found, the destination domain)
 * @param policyStrings  the policy as RFC 8460 §4.4 reports it: the MTA-STS policy's lines, or the TLSA records in
 *                       presentation form; empty for no-policy-found
 * @param mxPatterns     the {@code mx:} patterns of an MTA-STS policy (RFC 8460 {@code mx-host}); empty otherwise
 * @param mxHost         the receiving MX host name
 * @param receivingIp    the address connected to, null when none was reached
 * @param sendingIp      our address for that connection, null when unknown
 * @param resultType     null for a successful TLS session, else the RFC 8460 §4.3 result type, such as
 *                       {@code certificate-expired} or {@code sts-policy-fetch-error}
 * @param additionalInfo free text for the failure detail ({@code additional-information}), null for none
 */
public record TlsAttempt(PolicyType policyType, String policyDomain, List<String> policyStrings, List<String> mxPatterns,
        String mxHost, String receivingIp, String sendingIp, String resultType, String additionalInfo) {

    /** RFC 8460 §4.3's result types ({@code tlsa-invalid} etc.) and extensions: lower case letters, digits, dashes. */
    private static final Pattern RESULT_TYPE = Pattern.compile("[a-z0-9][a-z0-9-]{0,63}");

    /** The {@code policy-type} of RFC 8460 §4.4. */
    public enum PolicyType {
        STS("sts"), TLSA("tlsa"), NO_POLICY_FOUND("no-policy-found");

        private final String token;

        PolicyType(String token) {
            this.token = token;
        }

        /** The name in the report. */
        public String token() {
            return token;
        }

        /** The type named {@code token} in a report, or null. */
        public static PolicyType of(String token) {
            for (PolicyType t : values()) {
                if (t.token.equals(token)) {
                    return t;
                }
            }
            return null;
        }
    }

    public TlsAttempt {
        if (policyType == null || policyDomain == null || policyDomain.isBlank()) {
            throw new IllegalArgumentException("a TLS attempt needs a policy type and a policy domain");
        }
        if (resultType != null && !RESULT_TYPE.matcher(resultType).matches()) {
            // not a report token: counted as the generic failure, the token kept as information
            additionalInfo = "result " + resultType + (additionalInfo == null ? "" : "; " + additionalInfo);
            resultType = "validation-failure";
        }
        policyDomain = policyDomain.strip().toLowerCase(Locale.ROOT);
        policyStrings = policyStrings == null ? List.of() : List.copyOf(policyStrings);
        mxPatterns = mxPatterns == null ? List.of() : List.copyOf(mxPatterns);
    }

    /** A successful TLS session. */
    public static TlsAttempt success(PolicyType type, String policyDomain, List<String> policyStrings,
            List<String> mxPatterns, String mxHost, String receivingIp, String sendingIp) {
        return new TlsAttempt(type, policyDomain, policyStrings, mxPatterns, mxHost, receivingIp, sendingIp, null, null);
    }

    /** A failed one, with its RFC 8460 result type. */
    public static TlsAttempt failure(PolicyType type, String policyDomain, List<String> policyStrings,
            List<String> mxPatterns, String mxHost, String receivingIp, String sendingIp, String resultType,
            String additionalInfo) {
        return new TlsAttempt(type, policyDomain, policyStrings, mxPatterns, mxHost, receivingIp, sendingIp,
                resultType == null ? "validation-failure" : resultType, additionalInfo);
    }

    public boolean successful() {
        return resultType == null;
    }
}

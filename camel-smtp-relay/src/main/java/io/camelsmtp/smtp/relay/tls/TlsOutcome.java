package io.camelsmtp.smtp.relay.tls;

import java.util.List;

/**
 * How TLS went for one attempt on one mail exchanger (a new session), or for a policy look-up of a destination
 * ({@code mxHost} and {@code address} null): what TLS reporting (RFC 8460) counts.
 *
 * @param domain        the policy domain: the recipient domain (or smart host)
 * @param mxHost        the MX host name, or null for a policy look-up
 * @param address       the address connected to, or null
 * @param policy        {@code "sts"}, {@code "dane"}, {@code "config"} ({@link HostTls#policy()})
 * @param testing       the policy was only reported, not enforced
 * @param policyStrings the policy's lines (RFC 8460 {@code policy-string}); may be empty
 * @param negotiated    a TLS session was established
 * @param verified      its certificate passed the policy's check
 * @param failure       why it failed (or would have, in testing), or null for success
 * @param detail        a human explanation of the failure, or null
 */
public record TlsOutcome(String domain, String mxHost, String address, String policy, boolean testing,
        List<String> policyStrings, boolean negotiated, boolean verified, TlsResultType failure, String detail) {

    public TlsOutcome {
        policyStrings = policyStrings == null ? List.of() : List.copyOf(policyStrings);
    }

    public boolean successful() {
        return failure == null;
    }
}

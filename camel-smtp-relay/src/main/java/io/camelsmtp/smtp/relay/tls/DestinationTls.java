package io.camelsmtp.smtp.relay.tls;

/**
 * The TLS requirements of one destination (a recipient domain, or the smart host), per mail exchanger. The relay asks
 * it once per MX host, before connecting; MTA-STS ({@code relay.mtasts}) and DANE build one per delivery from their
 * policies, and {@link #of(HostTls)} is the endpoint's {@code tls} option alone.
 * <p>
 * Implementations answer fast and never throw: whatever look-ups they need are done before the delivery starts.
 */
public interface DestinationTls {

    /** The recipient domain (or smart host) the policy belongs to; for reports. */
    String domain();

    /** What TLS {@code mxHost} (an MX target name, lower case, no trailing dot) must have. */
    HostTls forHost(String mxHost);

    /** The same requirement for every host: the endpoint's {@code tls} option ({@link HostTls#OPPORTUNISTIC} etc.). */
    static DestinationTls of(String domain, HostTls tls) {
        return new DestinationTls() {
            @Override
            public String domain() {
                return domain;
            }

            @Override
            public HostTls forHost(String mxHost) {
                return tls;
            }
        };
    }
}

package io.camelsmtp.smtp.relay.dane;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executor;

import io.camelsmtp.smtp.common.DnsServers;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the relay's DANE options into a {@link DaneLookup}, or none when DANE is off, and says which at start-up (one
 * INFO line). {@code daneTrustAnchors} selects validation here over {@code dnsServers}; {@code daneTrustedResolvers}
 * selects believing those resolvers' AD bit; both at once is a configuration error, as is {@code dane=true} with
 * neither. {@code dane=false} turns it off whatever else is set.
 */
public final class DaneSetup {

    private static final Logger LOG = LoggerFactory.getLogger(DaneSetup.class);

    private DaneSetup() {
    }

    /**
     * The look-up for the relay's options ({@code dane}, {@code daneTrustAnchors}, {@code daneTrustedResolvers},
     * {@code dnsServers}, {@code dnsTimeout}), or null when DANE is off. Takes the values rather than the relay's
     * configuration so that this package does not depend on the component's (no package cycle).
     */
    public static DaneLookup fromOptions(Boolean dane, String trustAnchors, String trustedResolvers, String dnsServers,
            Duration dnsTimeout, Executor executor) throws IOException {
        DnssecResolver dns = resolver(dane, trustAnchors, trustedResolvers, dnsServers, dnsTimeout, executor,
                Clock.systemUTC());
        return dns == null ? null : new DaneLookup(dns);
    }

    static DnssecResolver resolver(Boolean dane, String trustAnchors, String trustedResolvers, String dnsServers,
            Duration timeout, Executor executor, Clock clock) throws IOException {
        boolean anchors = trustAnchors != null && !trustAnchors.isBlank();
        boolean trusted = trustedResolvers != null && !trustedResolvers.isBlank();
        if (Boolean.FALSE.equals(dane)) {
            LOG.info("DANE (RFC 7672) is off (dane=false)");
            return null;
        }
        if (anchors && trusted) {
            throw new IllegalArgumentException("Set either daneTrustAnchors (validate here, over dnsServers) or "
                    + "daneTrustedResolvers (believe their AD bit), not both");
        }
        if (!anchors && !trusted) {
            if (Boolean.TRUE.equals(dane)) {
                throw new IllegalArgumentException(
                        "dane=true needs daneTrustAnchors or daneTrustedResolvers: without DNSSEC there is no DANE");
            }
            LOG.info("DANE (RFC 7672) is off: neither daneTrustAnchors nor daneTrustedResolvers is set, so no DNS "
                    + "answer can be known to be DNSSEC-validated");
            return null;
        }
        DnssecResolver r = anchors
                ? DnssecResolver.validating(DnsServers.parse(dnsServers), TrustAnchors.load(trustAnchors.strip()), timeout,
                        executor, clock)
                : DnssecResolver.trustingAd(DnsServers.parse(trustedResolvers), timeout, executor, clock);
        LOG.info("DANE (RFC 7672) is on; DNSSEC: {}{}", r.mode(),
                anchors ? ", anchors from " + trustAnchors.strip() : ", resolvers " + trustedResolvers.strip());
        return r;
    }
}

package io.camelsmtp.smtp.relay.client;

import java.io.IOException;
import java.util.List;

import io.camelsmtp.smtp.common.Envelope;
import io.camelsmtp.smtp.common.MailContent;
import io.camelsmtp.smtp.common.TlsRequiredHeader;
import io.camelsmtp.smtp.relay.tls.DestinationTls;
import io.camelsmtp.smtp.relay.tls.HostTls;
import io.camelsmtp.smtp.relay.tls.TlsResultType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What one message asks of the destination's TLS (RFC 8689 §4.2), over what the destination's policies say:
 * <ul>
 * <li>the REQUIRETLS option: every host needs STARTTLS and a verified certificate; DANE's or MTA-STS's check where
 * they have one (an MTA-STS policy in mode testing counts as enforced), else PKIX against the MX host name with the
 * configured trust; a host a policy refuses stays refused;</li>
 * <li>{@code TLS-Required: No}: failures of MTA-STS and DANE are ignored for this message: STARTTLS when offered, any
 * certificate (still checked and reported), plaintext when it fails; {@code tls=required} still holds. The header
 * is read only for a host that has such a policy, so a destination without one costs nothing more. The relay's own
 * {@code daneRequired} still holds: it is not the recipient's policy.</li>
 * </ul>
 */
final class MessageTls {

    private static final Logger LOG = LoggerFactory.getLogger(MessageTls.class);

    /** REQUIRETLS where no policy has a say: verified by the configured trust, for the MX host name. */
    static final HostTls REQUIRETLS_PKIX = HostTls.verified(null, true, "config", "REQUIRETLS", List.of());

    private MessageTls() {
    }

    static DestinationTls of(DestinationTls tls, Envelope envelope, MailContent content, HostTls configured) {
        if (envelope.requireTlsOption()) {
            return wrap(tls, MessageTls::required);
        }
        Boolean[] relaxed = new Boolean[1]; // read once, when a host with a policy first asks
        return wrap(tls, t -> {
            if ("config".equals(t.policy()) || t.mode() == HostTls.Mode.NONE
                    || t.failure() == TlsResultType.DANE_REQUIRED) { // the relay's own rule, not the recipient's
                return t;
            }
            if (relaxed[0] == null) {
                relaxed[0] = relaxes(envelope, content);
            }
            if (!relaxed[0]) {
                return t;
            }
            return configured.mode() == HostTls.Mode.VERIFIED ? configured : t.testing() ? t : t.asTesting();
        });
    }

    private static HostTls required(HostTls t) {
        HostTls enforced = t.testing()
                ? new HostTls(t.mode(), t.trust(), t.checkHostName(), t.policy(), t.description(), false, t.failure(),
                        t.policyStrings(), t.temporary())
                : t;
        return switch (enforced.mode()) {
            case NONE, OPPORTUNISTIC -> REQUIRETLS_PKIX;
            case VERIFIED, REFUSED -> enforced;
        };
    }

    private static boolean relaxes(Envelope envelope, MailContent content) {
        try {
            return TlsRequiredHeader.relaxes(envelope, content);
        } catch (IOException e) {
            LOG.debug("TLS-Required header not read ({}); the policies apply", e.toString());
            return false;
        }
    }

    private static DestinationTls wrap(DestinationTls tls, java.util.function.UnaryOperator<HostTls> change) {
        return new DestinationTls() {
            @Override
            public String domain() {
                return tls.domain();
            }

            @Override
            public HostTls forHost(String mxHost) {
                return change.apply(tls.forHost(mxHost));
            }
        };
    }
}

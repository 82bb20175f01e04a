package io.camelsmtp.smtp.relay.client;

import java.io.IOException;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.util.concurrent.ScheduledExecutorService;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509TrustManager;

import io.camelsmtp.smtp.common.SmtpReply;
import io.camelsmtp.smtp.relay.tls.HostTls;
import io.camelsmtp.smtp.relay.tls.TlsFailures;
import io.camelsmtp.smtp.relay.tls.TlsResultType;
import io.camelsmtp.smtp.relay.tls.UnauthenticatedTrust;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens a session ready for a mail transaction: connects, reads the greeting, says EHLO (HELO if refused), then
 * STARTTLS as the host's {@link HostTls} says and AUTH when credentials are configured. Anything that makes the host
 * unusable is a {@link HostFailure}; the connection is then closed. The attempt's deadline is armed on the
 * connection as soon as it is open.
 */
final class SessionSetup {

    private static final Logger LOG = LoggerFactory.getLogger(SessionSetup.class);

    private final ClientSettings settings;
    private final ScheduledExecutorService timer;
    private final ClientAuthentication authentication;
    private final SSLContext anyCertificate;

    SessionSetup(ClientSettings settings, ScheduledExecutorService timer) {
        this.settings = settings;
        this.timer = timer;
        this.authentication = new ClientAuthentication(settings);
        this.anyCertificate = trustAll();
    }

    /**
     * Connects, reads the greeting, says EHLO, then STARTTLS as {@code tls} demands and AUTH as configured. A host
     * whose {@link HostTls} is enforced ({@link HostTls#enforced()}) and whose TLS fails is a {@link HostFailure}
     * carrying the RFC 8460 result type; it is never tried in plaintext.
     */
    SmtpConnection connect(String host, SocketAddress address, HostTls tls, AttemptDeadline deadline)
            throws HostFailure {
        String where = SmtpConnection.where(host, address);
        if (deadline.passed()) {
            throw new HostFailure(SmtpReply.of(451, "4.4.2", deadline.explain(where)));
        }
        SmtpConnection c;
        try {
            c = SmtpConnection.open(host, address, settings.connectTimeout(), timer,
                    settings.source().forDestination(address));
        } catch (SocketTimeoutException e) {
            throw new HostFailure(SmtpReply.of(451, "4.4.1", "Connection to " + where + " timed out"));
        } catch (IOException e) {
            throw new HostFailure(SmtpReply.of(451, "4.4.1", "Connection to " + where + " failed: " + e.getMessage()));
        }
        try {
            deadline.arm(c, where);
            c.timeout(settings.commandTimeout());
            SmtpReply greeting = c.read();
            if (greeting.code() != 220) {
                throw new HostFailure(HostFailure.asDeferral(greeting, where + " greeted with"));
            }
            SmtpReply hello = hello(c);
            if (hello.code() != 250) {
                throw new HostFailure(HostFailure.asDeferral(hello, where + " refused "
                        + (settings.lmtp() ? "LHLO:" : "EHLO/HELO:")));
            }
            if (tls.mode() != HostTls.Mode.NONE) {
                c = startTls(c, host, address, where, tls, deadline);
            }
            if (settings.username() != null) {
                authentication.authenticate(c, where);
            }
            return c;
        } catch (HostFailure f) {
            c.quit();
            throw f;
        } catch (IOException e) {
            c.close();
            throw new HostFailure(HostFailure.broken(where, e));
        } catch (RuntimeException | Error e) {
            c.close();
            throw e;
        }
    }

    /**
     * STARTTLS when offered. Opportunistically, a refusal keeps the plaintext session and a failed handshake
     * reconnects without TLS; when {@code tls} is enforced either skips the host. A report-only policy (MTA-STS
     * testing) is opportunistic, its findings recorded on the connection.
     */
    private SmtpConnection startTls(SmtpConnection c, String host, SocketAddress address, String where, HostTls tls,
            AttemptDeadline deadline) throws IOException, HostFailure {
        boolean required = tls.mode() == HostTls.Mode.VERIFIED && !tls.testing();
        boolean checked = tls.mode() == HostTls.Mode.VERIFIED && tls.testing();
        String demand = "config".equals(tls.policy()) ? "TLS is required" : tls.description() + " requires TLS";
        if (!c.supports("STARTTLS")) {
            if (required) {
                throw new HostFailure(SmtpReply.of(451, "4.7.4", demand + ", but " + where + " does not offer STARTTLS"),
                        TlsResultType.STARTTLS_NOT_SUPPORTED);
            }
            if (checked) {
                c.reportFailure(TlsResultType.STARTTLS_NOT_SUPPORTED, where + " does not offer STARTTLS");
            }
            return c;
        }
        SmtpReply r = c.command("STARTTLS");
        if (r.code() != 220) {
            if (required) {
                throw new HostFailure(HostFailure.asDeferral(r, demand + ", but " + where + " refused STARTTLS:"),
                        TlsResultType.STARTTLS_NOT_SUPPORTED);
            }
            if (checked) {
                c.reportFailure(TlsResultType.STARTTLS_NOT_SUPPORTED, where + " refused STARTTLS: " + r);
            }
            return c;
        }
        CertificateCheck check = null;
        try {
            if (required) {
                SSLContext context = tls.trust() == null ? settings.verifyingTls() : context(tls.trust());
                c.startTls(context, tls.checkHostName(), tls.trust() instanceof UnauthenticatedTrust
                        ? () -> tls.description() + ": TLS required, certificate not authenticated" : () -> null);
            } else if (checked || settings.username() != null && settings.serverTrust() != null) {
                // find out whether the certificate would pass (for the report, or before credentials), without requiring it
                check = new CertificateCheck(checked && tls.trust() != null ? tls.trust() : settings.serverTrust());
                c.startTls(check.context(), !checked || tls.checkHostName(), check::problem);
            } else {
                c.startTls(anyCertificate, false, () -> "opportunistic TLS, certificate not checked");
            }
        } catch (IOException e) {
            c.close();
            if (required) {
                String verb = "config".equals(tls.policy()) ? "TLS handshake with " + where + " failed: "
                        : tls.description() + " requires verified TLS, but the handshake with " + where + " failed: ";
                throw new HostFailure(SmtpReply.of(451, "4.7.5", verb + e.getMessage()), TlsFailures.classify(e));
            }
            if (e instanceof SmtpConnection.DeadlinePassed) {
                throw e;
            }
            LOG.info("TLS handshake with {} failed ({}); delivering in plaintext", where, e.getMessage());
            SmtpConnection plain = connect(host, address, HostTls.NONE, deadline);
            if (checked) {
                plain.reportFailure(TlsFailures.classify(e), "TLS handshake with " + where + " failed: " + e.getMessage());
            }
            return plain;
        }
        if (checked && check.problem() != null) {
            c.reportFailure(check.failure() != null ? TlsFailures.classify(check.failure()) : TlsResultType.VALIDATION_FAILURE,
                    "certificate of " + where + ": " + check.problem());
        }
        SmtpReply hello = hello(c);
        if (hello.code() != 250) {
            throw new HostFailure(HostFailure.asDeferral(hello, where + " refused " + (settings.lmtp() ? "LHLO" : "EHLO")
                    + " after STARTTLS:"));
        }
        return c;
    }

    /** EHLO (HELO if refused), or for LMTP, LHLO alone. */
    private SmtpReply hello(SmtpConnection c) throws IOException {
        return settings.lmtp() ? c.lhlo(settings.heloName()) : c.hello(settings.heloName());
    }

    /** A context whose only trust is {@code trust} (a policy's own; no client certificate). */
    private static SSLContext context(X509ExtendedTrustManager trust) {
        try {
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, new TrustManager[] { trust }, null);
            return ctx;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("No TLS in this JVM", e);
        }
    }

    private static SSLContext trustAll() {
        try {
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, new TrustManager[] { new X509TrustManager() {
                @Override
                public void checkClientTrusted(X509Certificate[] chain, String authType) {
                    // opportunistic TLS does not authenticate (RFC 7435)
                }

                @Override
                public void checkServerTrusted(X509Certificate[] chain, String authType) {
                    // opportunistic TLS does not authenticate (RFC 7435)
                }

                @Override
                public X509Certificate[] getAcceptedIssuers() {
                    return new X509Certificate[0];
                }
            } }, null);
            return ctx;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("No TLS in this JVM", e);
        }
    }
}

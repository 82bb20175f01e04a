package io.camelsmtp.smtp.relay.client;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.util.concurrent.ScheduledExecutorService;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

import io.camelsmtp.smtp.common.SmtpReply;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens a session ready for a mail transaction: connects, reads the greeting, says EHLO (HELO if refused), then
 * STARTTLS as the {@link TlsPolicy} says and AUTH when credentials are configured. Anything that makes the host
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

    /** Connects, reads the greeting, says EHLO, then STARTTLS and AUTH as configured. */
    SmtpConnection connect(String host, InetSocketAddress address, boolean tryTls, AttemptDeadline deadline)
            throws HostFailure {
        String where = host + " [" + address.getAddress().getHostAddress() + "]:" + address.getPort();
        if (deadline.passed()) {
            throw new HostFailure(SmtpReply.of(451, "4.4.2", deadline.explain(where)));
        }
        SmtpConnection c;
        try {
            c = SmtpConnection.open(host, address, settings.connectTimeout(), timer);
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
            SmtpReply hello = c.hello(settings.heloName());
            if (hello.code() != 250) {
                throw new HostFailure(HostFailure.asDeferral(hello, where + " refused EHLO/HELO:"));
            }
            if (tryTls) {
                c = startTls(c, host, address, where, deadline);
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
     * reconnects without TLS; with {@link TlsPolicy#required} either skips the host.
     */
    private SmtpConnection startTls(SmtpConnection c, String host, InetSocketAddress address, String where,
            AttemptDeadline deadline) throws IOException, HostFailure {
        boolean required = settings.tls() == TlsPolicy.required;
        if (!c.supports("STARTTLS")) {
            if (required) {
                throw new HostFailure(SmtpReply.of(451, "4.7.4", "TLS is required, but " + where + " does not offer STARTTLS"));
            }
            return c;
        }
        SmtpReply r = c.command("STARTTLS");
        if (r.code() != 220) {
            if (required) {
                throw new HostFailure(HostFailure.asDeferral(r, "TLS is required, but " + where + " refused STARTTLS:"));
            }
            return c;
        }
        try {
            if (required) {
                c.startTls(settings.verifyingTls(), true, () -> null);
            } else if (settings.username() != null && settings.serverTrust() != null) {
                // credentials will follow: find out whether the certificate would pass, without requiring it
                CertificateCheck check = new CertificateCheck(settings.serverTrust());
                c.startTls(check.context(), true, check::problem);
            } else {
                c.startTls(anyCertificate, false, () -> "opportunistic TLS, certificate not checked");
            }
        } catch (IOException e) {
            c.close();
            if (required) {
                throw new HostFailure(SmtpReply.of(451, "4.7.5", "TLS handshake with " + where + " failed: " + e.getMessage()));
            }
            if (e instanceof SmtpConnection.DeadlinePassed) {
                throw e;
            }
            LOG.info("TLS handshake with {} failed ({}); delivering in plaintext", where, e.getMessage());
            return connect(host, address, false, deadline);
        }
        SmtpReply hello = c.hello(settings.heloName());
        if (hello.code() != 250) {
            throw new HostFailure(HostFailure.asDeferral(hello, where + " refused EHLO after STARTTLS:"));
        }
        return c;
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

package io.camelsmtp.smtp.relay.client;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;

import io.camelsmtp.smtp.common.SmtpReply;

/**
 * AUTH PLAIN or LOGIN on a connection that has said EHLO (and STARTTLS, as the policy asks). These mechanisms send
 * the password itself, so they are used only inside TLS whose certificate was verified (trusted, and matching the
 * host name): with {@code tls=required}, or opportunistic TLS whose certificate happened to pass. Whoever can
 * intercept the connection can answer an unverified handshake and collect the password; option
 * {@code authOverUnverifiedTls=true} accepts that risk. Without TLS they are used only when TLS is switched off on
 * purpose ({@code tls=none}). A host that does not offer AUTH while credentials are configured is skipped rather
 * than sent mail unauthenticated.
 */
final class ClientAuthentication {

    private final ClientSettings settings;

    ClientAuthentication(ClientSettings settings) {
        this.settings = settings;
    }

    /** Authenticates with the configured credentials, or throws a {@link HostFailure} that skips the host. */
    void authenticate(SmtpConnection c, String where) throws IOException, HostFailure {
        if (c.tlsProtocol() == null && settings.tls() != TlsPolicy.none) {
            throw new HostFailure(SmtpReply.of(451, "4.7.0", "Not sending credentials to " + where
                    + " without TLS (STARTTLS was not offered or failed); set tls=none to allow it"));
        }
        if (c.tlsProtocol() != null && !c.tlsVerified() && !settings.authOverUnverifiedTls()) {
            throw new HostFailure(SmtpReply.of(451, "4.7.0", "Not sending credentials to " + where + ": its TLS "
                    + "certificate was not verified (" + c.tlsUnverified() + "); trust it with sslContextParameters, "
                    + "or set authOverUnverifiedTls=true to accept the risk"));
        }
        if (!c.supports("AUTH")) {
            throw new HostFailure(SmtpReply.of(451, "4.7.0", where + " does not offer AUTH, but credentials are configured"));
        }
        String mechanisms = " " + c.extension("AUTH").toUpperCase(Locale.ROOT) + " ";
        Base64.Encoder b64 = Base64.getEncoder();
        SmtpReply r;
        if (mechanisms.contains(" PLAIN ")) {
            byte[] token = ("\0" + settings.username() + "\0" + settings.password()).getBytes(StandardCharsets.UTF_8);
            r = c.command("AUTH PLAIN " + b64.encodeToString(token));
        } else if (mechanisms.contains(" LOGIN ")) {
            r = c.command("AUTH LOGIN");
            if (r.code() == 334) {
                r = c.command(b64.encodeToString(settings.username().getBytes(StandardCharsets.UTF_8)));
            }
            if (r.code() == 334) {
                r = c.command(b64.encodeToString(settings.password().getBytes(StandardCharsets.UTF_8)));
            }
        } else {
            throw new HostFailure(SmtpReply.of(451, "4.7.0", where + " offers no AUTH mechanism we support (PLAIN, LOGIN)"));
        }
        if (r.code() != 235) {
            throw new HostFailure(HostFailure.asDeferral(r, "Authentication at " + where + " failed:"));
        }
    }
}

package io.camelsmtp.smtp.server.protocol;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.subethamail.smtp.DropConnectionException;
import org.subethamail.smtp.server.Session;

/**
 * AUTH PLAIN and LOGIN (RFC 4954, 4616). Written here because SubEthaSMTP's AUTH replies carry no enhanced status
 * codes and cannot tell a wrong password (535 5.7.8, after a delay) from a failing directory (454 4.7.0). Each wrong
 * password counts against the client address in {@link AuthFailures}; an address that used up its failures gets
 * {@code 421 4.7.0} here and at connect.
 */
final class AuthCommand extends SessionCommand {

    private static final Logger LOG = LoggerFactory.getLogger(AuthCommand.class);
    private static final String USERNAME_PROMPT = "334 VXNlcm5hbWU6";
    private static final String PASSWORD_PROMPT = "334 UGFzc3dvcmQ6";

    AuthCommand(SmtpProtocol protocol) {
        super(protocol, "AUTH");
    }

    @Override
    void handle(ConnectionState c, Session session, String argument) throws IOException, DropConnectionException {
        if (protocol.settings().authenticator() == null) {
            c.reply(503, "5.5.1", "Error: authentication not enabled");
            return;
        }
        if (!protocol.authOffered(c)) {
            c.reply(538, "5.7.11", "Encryption required for requested authentication mechanism");
            return;
        }
        InetAddress client = c.remoteAddress().getAddress();
        if (protocol.authFailures().blocked(client)) {
            // this session, or another from the address, used up its failures: no more guesses here either
            throw new DropConnectionException(421, SmtpProtocol.AUTH_BLOCKED + "closing connection");
        }
        if (c.authenticatedUser() != null) {
            c.reply(503, "5.5.1", "Error: already authenticated");
            return;
        }
        if (session.isMailTransactionInProgress()) {
            c.reply(503, "5.5.1", "Error: AUTH not permitted during a mail transaction");
            return;
        }
        String[] args = argument.split(" +");
        String mechanism = args[0].toUpperCase(Locale.ROOT);
        if (args.length > 2 || mechanism.isEmpty()) {
            c.reply(501, "5.5.4", "Syntax: AUTH mechanism [initial-response]");
            return;
        }
        String initial = args.length == 2 ? args[1] : null;
        String user;
        String password;
        switch (mechanism) {
            case "PLAIN" -> {
                String response = initial != null ? initial : challenge(session, "334 ");
                if (response == null) {
                    cancelled(c);
                    return;
                }
                byte[] decoded = decode(response);
                String[] parts = decoded == null ? null : new String(decoded, StandardCharsets.UTF_8).split("\0", -1);
                if (parts == null || parts.length != 3) {
                    c.reply(501, "5.5.2", "Cannot decode AUTH PLAIN response");
                    return;
                }
                user = parts[1];
                password = parts[2];
            }
            case "LOGIN" -> {
                String u = initial != null ? initial : challenge(session, USERNAME_PROMPT);
                if (u == null) {
                    cancelled(c);
                    return;
                }
                String p = challenge(session, PASSWORD_PROMPT);
                if (p == null) {
                    cancelled(c);
                    return;
                }
                byte[] du = decode(u);
                byte[] dp = decode(p);
                if (du == null || dp == null) {
                    c.reply(501, "5.5.2", "Cannot decode AUTH LOGIN response");
                    return;
                }
                user = new String(du, StandardCharsets.UTF_8);
                password = new String(dp, StandardCharsets.UTF_8);
            }
            default -> {
                c.reply(504, "5.5.4", "Unrecognized authentication type");
                return;
            }
        }
        boolean ok;
        try {
            ok = protocol.settings().authenticator().authenticate(user, password);
        } catch (Exception e) {
            LOG.warn("Session {}: authenticator failed for user {}: {}", c.sessionId(), LogText.user(user),
                    LogText.value(e));
            c.reply(454, "4.7.0", "Temporary authentication failure");
            return;
        }
        if (!ok) {
            // the user name is the client's: escaped, so that CR LF in it cannot forge a log line
            LOG.info("Session {}: AUTH {} failed for user {} from {}", c.sessionId(), mechanism, LogText.user(user),
                    client.getHostAddress());
            if (protocol.authFailures().failed(client)) {
                LOG.warn("Session {}: {} failed AUTH from {}; its connections are refused for {} s", c.sessionId(),
                        protocol.authFailures().limit(), client.getHostAddress(),
                        protocol.authFailures().remaining(client).toSeconds());
            }
            protocol.meters().auth(false);
            pause();
            c.reply(535, "5.7.8", "Authentication credentials invalid");
            return;
        }
        c.authenticated(user);
        protocol.meters().auth(true);
        c.reply(235, "2.7.0", "Authentication successful");
    }

    /** Sends a 334 challenge and reads the answer; null when the client cancelled with "*" or went away. */
    private static String challenge(Session session, String prompt) throws IOException {
        session.sendResponse(prompt);
        String line = session.getReader().readLine();
        return line == null || line.strip().equals("*") ? null : line.strip();
    }

    private static byte[] decode(String base64) {
        if (base64.equals("=")) {
            return new byte[0];
        }
        try {
            return Base64.getDecoder().decode(base64);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static void cancelled(ConnectionState c) throws IOException {
        c.reply(501, "5.0.0", "Authentication cancelled");
    }

    private void pause() {
        long millis = protocol.settings().authFailureDelay().toMillis();
        if (millis > 0) {
            try {
                Thread.sleep(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}

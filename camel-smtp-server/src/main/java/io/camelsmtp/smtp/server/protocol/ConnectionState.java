package io.camelsmtp.smtp.server.protocol;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.concurrent.locks.ReentrantLock;

import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;

import io.camelsmtp.smtp.common.SmtpReply;
import io.camelsmtp.smtp.server.metrics.ServerMeters;
import org.subethamail.smtp.server.Session;

/**
 * What the engine knows of one connection: who the client is, what it said in HELO/EHLO and AUTH, whether TLS is on,
 * and how many errors it has made. A command runs while holding {@link #commandLock()}, so a drain can tell a session
 * waiting for its next command (safe to close) from one inside a command (let it finish).
 */
public final class ConnectionState {

    enum Phase { COMMAND, RECEIVING_DATA, PROCESSING }

    private final Session session;
    private final long startNanos = System.nanoTime();
    private final ReentrantLock commandLock = new ReentrantLock();
    private final InetSocketAddress localAddress;
    private volatile Phase phase = Phase.COMMAND;
    private volatile long lastActivityNanos = startNanos;
    private String helo;
    private boolean extended;
    private String authenticatedUser;
    private int errors;
    private final ServerMeters meters;
    private boolean tlsCounted;

    ConnectionState(Session session, ServerMeters meters) {
        this.session = session;
        this.meters = meters;
        Socket socket = session.getSocket();
        this.localAddress = (InetSocketAddress) socket.getLocalSocketAddress();
    }

    public String sessionId() {
        return session.getSessionId();
    }

    public InetSocketAddress remoteAddress() {
        return session.getRemoteAddress();
    }

    public InetSocketAddress localAddress() {
        return localAddress;
    }

    /** Argument of the last HELO/EHLO, or null. */
    public String helo() {
        return helo;
    }

    /** True when the client greeted with EHLO. */
    public boolean extended() {
        return extended;
    }

    /** The user name that AUTH accepted, or null. */
    public String authenticatedUser() {
        return authenticatedUser;
    }

    /** TLS protocol in use (e.g. {@code TLSv1.3}), or null on a plaintext session. */
    public String tlsProtocol() {
        SSLSession s = tlsSession();
        return s == null ? null : s.getProtocol();
    }

    /** TLS cipher suite in use, or null on a plaintext session. */
    public String tlsCipher() {
        SSLSession s = tlsSession();
        return s == null ? null : s.getCipherSuite();
    }

    public boolean tls() {
        return session.getSocket() instanceof SSLSocket;
    }

    /**
     * Protocol keyword for the Received header: SMTP, ESMTP, ESMTPS, ESMTPA or ESMTPSA (RFC 3848), and UTF8SMTP,
     * UTF8SMTPS, UTF8SMTPA or UTF8SMTPSA for a transaction that used SMTPUTF8 (RFC 6531 §3.7.3).
     */
    public String receivedProtocol(boolean utf8) {
        if (!extended) {
            return "SMTP";
        }
        return (utf8 ? "UTF8SMTP" : "ESMTP") + (tls() ? "S" : "") + (authenticatedUser != null ? "A" : "");
    }

    private SSLSession tlsSession() {
        return session.getSocket() instanceof SSLSocket s ? s.getSession() : null;
    }

    Session session() {
        return session;
    }

    ReentrantLock commandLock() {
        return commandLock;
    }

    Phase phase() {
        return phase;
    }

    void phase(Phase phase) {
        this.phase = phase;
    }

    long ageNanos() {
        return System.nanoTime() - startNanos;
    }

    long idleNanos() {
        return System.nanoTime() - lastActivityNanos;
    }

    void touch() {
        lastActivityNanos = System.nanoTime();
    }

    void greeted(String helo, boolean extended) {
        this.helo = helo;
        this.extended = extended;
    }

    void authenticated(String user) {
        this.authenticatedUser = user;
    }

    /** Forgets what the client said before STARTTLS (RFC 3207 §4.2). */
    void tlsStarted() {
        this.helo = null;
        this.extended = false;
        this.authenticatedUser = null;
    }

    int errors() {
        return errors;
    }

    /** Counts the session once in {@code smtp.server.tls.sessions}, at its first command over TLS. */
    void countTls() {
        if (!tlsCounted && tls()) {
            tlsCounted = true;
            meters.tlsSession(tlsProtocol());
        }
    }

    /** Sends {@code reply}; a 4xx or 5xx counts against the session's error budget (and in the meters). */
    void reply(SmtpReply reply) throws IOException {
        if (!reply.isPositive()) {
            errors++;
            meters.refused(reply.code(), reply.enhancedStatus());
        }
        session.sendResponse(reply.toString());
    }

    void reply(int code, String enhanced, String text) throws IOException {
        reply(SmtpReply.of(code, enhanced, text));
    }
}

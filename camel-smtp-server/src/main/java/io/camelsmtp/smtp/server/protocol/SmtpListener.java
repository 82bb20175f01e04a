package io.camelsmtp.smtp.server.protocol;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.subethamail.smtp.server.SMTPServer;

/**
 * One listening port and its lifecycle: {@link #start} makes or checks the spool directory, binds a new SubEthaSMTP
 * server built by the {@link SmtpProtocol} (the library refuses to start one twice) and runs the session timer;
 * {@link #stop} closes the port, lets sessions inside a command finish within a grace period, then closes the rest
 * and removes the listener's own spool directory. May be started again after a stop (a suspended route resumes this
 * way).
 */
public final class SmtpListener {

    private static final Logger LOG = LoggerFactory.getLogger(SmtpListener.class);

    private final SmtpProtocol protocol;
    private final String host;
    private final int port;
    private final int backlog;
    private final Duration idleTimeout;
    private final ListenerThreads threads;
    private volatile SMTPServer server;
    private ExecutorService sessions;
    private ScheduledExecutorService timer;

    /**
     * @param host        address to listen on (an IP address or a name, resolved at each start)
     * @param port        port to listen on; 0 picks a free one
     * @param backlog     connections the kernel queues before we accept them
     * @param idleTimeout how long a session may wait between commands; zero for no limit
     */
    public SmtpListener(SmtpProtocol protocol, String host, int port, int backlog, Duration idleTimeout,
            ListenerThreads threads) {
        this.protocol = protocol;
        this.host = host;
        this.port = port;
        this.backlog = backlog;
        this.idleTimeout = idleTimeout;
        this.threads = threads;
    }

    /**
     * Binds the port and starts accepting sessions; does nothing when already listening. Returns the port listened
     * on. A port that cannot be bound gives an IOException saying {@code smtp-server cannot listen on host:port}.
     */
    public synchronized int start() throws IOException {
        if (server != null) {
            return server.getPortAllocated();
        }
        // a spool directory that is not ours fails the start, before the port is bound
        protocol.openSpool();
        ExecutorService pool = threads.newSessionPool();
        SMTPServer s;
        try {
            s = protocol.newServer(InetAddress.getByName(host), port, backlog, idleTimeout, pool);
            s.start();
        } catch (RuntimeException e) {
            threads.shutdownNow(pool);
            protocol.closeSpool();
            // SubEthaSMTP wraps the bind failure in a RuntimeException
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new IOException("smtp-server cannot listen on " + host + ":" + port + ": " + cause.getMessage(), cause);
        } catch (IOException e) {
            threads.shutdownNow(pool);
            protocol.closeSpool();
            throw e;
        }
        server = s;
        sessions = pool;
        timer = threads.newTimer();
        long period = Math.max(100, Math.min(1000, idleTimeout.toMillis() / 4));
        timer.scheduleWithFixedDelay(protocol::enforceTimeouts, period, period, TimeUnit.MILLISECONDS);
        return s.getPortAllocated();
    }

    /**
     * Closes the port at once and tells idle sessions {@code 421 4.3.2}; sessions inside a command (typically DATA
     * whose route is running) get {@code grace} to finish and receive their reply, then the rest are closed. Does
     * nothing when not listening.
     */
    public synchronized void stop(Duration grace) throws InterruptedException {
        SMTPServer s = server;
        if (s == null) {
            return;
        }
        protocol.stopAccepting();
        if (!protocol.awaitSessions(grace)) {
            LOG.warn("smtp-server on port {}: {} session(s) still busy after the grace period; closing them",
                    s.getPortAllocated(), protocol.connectionCount());
            sessions.shutdownNow();
        }
        s.stop();
        threads.shutdownNow(sessions);
        threads.shutdownNow(timer);
        protocol.closeSpool();
        server = null;
        sessions = null;
        timer = null;
    }

    /** The port actually listened on (useful with port 0), or -1 when not listening. */
    public int listeningPort() {
        SMTPServer s = server;
        return s == null ? -1 : s.getPortAllocated();
    }

    /** Where messages above the spool threshold are written, or null when not listening. */
    public Path spoolDirectory() {
        return protocol.spoolDirectory().path();
    }

    /** Open SMTP sessions right now. */
    public int sessionCount() {
        return protocol.connectionCount();
    }
}

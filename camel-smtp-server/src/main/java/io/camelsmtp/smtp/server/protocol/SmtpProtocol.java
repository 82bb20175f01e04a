package io.camelsmtp.smtp.server.protocol;

import java.io.IOException;
import java.lang.reflect.Field;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicInteger;

import io.camelsmtp.smtp.common.SmtpReply;
import io.camelsmtp.smtp.server.metrics.ServerMeters;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.subethamail.smtp.internal.server.Command;
import org.subethamail.smtp.internal.server.CommandHandler;
import org.subethamail.smtp.server.SMTPServer;
import org.subethamail.smtp.server.Session;
import org.subethamail.smtp.server.SessionHandler;

/**
 * One listener's session engine: builds the SubEthaSMTP server with this package's commands, tracks every live
 * connection (limits overall and per client address), ends sessions that outlive {@code maxSessionTime}, and drains
 * on stop. {@link SmtpListener} starts and stops it, with a new {@link SMTPServer} for every start: the library
 * refuses to start one twice.
 */
public final class SmtpProtocol implements SessionHandler {

    private static final Logger LOG = LoggerFactory.getLogger(SmtpProtocol.class);
    /** The reply to an address that used up its failed AUTH; ends in "try again later" or "closing connection". */
    static final String AUTH_BLOCKED = "4.7.0 Too many failed authentications from your address, ";

    private final ProtocolSettings settings;
    private final MailStages stages;
    private final SpoolDirectory spoolDirectory;
    private final int spoolThreshold;
    private final ClientLimits limits;
    private final ServerMeters meters;
    private final Map<Session, ConnectionState> connections = new ConcurrentHashMap<>();
    private final Map<InetAddress, AtomicInteger> perAddress = new ConcurrentHashMap<>();
    private volatile boolean draining;
    private volatile ListenerSocket listener;
    private Duration idleTimeout = Duration.ZERO;

    public SmtpProtocol(ProtocolSettings settings, MailStages stages, SpoolDirectory spoolDirectory, int spoolThreshold,
            ClientLimits limits, ServerMeters meters) {
        this.settings = settings;
        this.meters = meters == null ? ServerMeters.NONE : meters;
        this.stages = stages;
        this.spoolDirectory = spoolDirectory;
        this.spoolThreshold = spoolThreshold;
        this.limits = limits;
    }

    /** A new, unstarted server on {@code address:port} whose sessions run on {@code executor}. */
    SMTPServer newServer(InetAddress address, int port, int backlog, Duration idleTimeout, ExecutorService executor) {
        draining = false;
        this.idleTimeout = idleTimeout;
        // enforceTimeouts() answers an idle session with 421 4.4.2 first; the socket timeout is the backstop
        long socketTimeout = idleTimeout.isZero() ? 0 : idleTimeout.toMillis() + 2000;
        SMTPServer server = SMTPServer.port(port)
                .bindAddress(address)
                .backlog(backlog)
                .hostName(settings.hostName())
                .softwareName("camel-smtp")
                .messageHandlerFactory(context -> new MailTransaction())
                .executorService(executor)
                // our own limit answers 421 4.7.0 first; the library's sits above it
                .maxConnections(limits.maxConnections() + 10)
                .connectionTimeoutMs((int) Math.min(Integer.MAX_VALUE, socketTimeout))
                .maxMessageSize(settings.maxMessageSize())
                .maxRecipients(-1)
                .insertReceivedHeaders(false)
                .sessionHandler(this)
                .serverSocketFactory(() -> listener = new ListenerSocket(settings.implicitTls() ? settings.tls() : null))
                .build();
        installCommands(server.getCommandHandler());
        return server;
    }

    /** Closes the port and tells idle sessions {@code 421 4.3.2}; sessions inside a command may finish it. */
    void stopAccepting() {
        draining = true;
        ListenerSocket l = listener;
        if (l != null) {
            try {
                l.stopAccepting();
            } catch (IOException e) {
                LOG.debug("Closing the listening socket: {}", e.toString());
            }
        }
        for (ConnectionState c : connections.values()) {
            closeIfIdle(c, SmtpReply.of(421, "4.3.2", "Service shutting down, closing connection"));
        }
    }

    /** Waits up to {@code grace} for the sessions still inside a command; true when none is left. */
    boolean awaitSessions(Duration grace) throws InterruptedException {
        long deadline = System.nanoTime() + grace.toNanos();
        while (!connections.isEmpty() && System.nanoTime() < deadline) {
            for (ConnectionState c : connections.values()) {
                closeIfIdle(c, SmtpReply.of(421, "4.3.2", "Service shutting down, closing connection"));
            }
            Thread.sleep(20);
        }
        return connections.isEmpty();
    }

    /**
     * Ends sessions idle between commands for longer than {@code idleTimeout} and sessions older than
     * {@code maxSessionTime}, each with its 421; called periodically by the listener's timer. (Inside DATA the socket's read
     * timeout applies.)
     */
    void enforceTimeouts() {
        long idle = idleTimeout.toNanos();
        long limit = settings.maxSessionTime().toNanos();
        for (ConnectionState c : connections.values()) {
            if (idle > 0 && c.idleNanos() > idle) {
                closeIfIdle(c, SmtpReply.of(421, "4.4.2", "Idle timeout, closing connection"));
            } else if (limit > 0 && c.ageNanos() > limit) {
                if (!closeIfIdle(c, SmtpReply.of(421, "4.4.2", "Session time limit exceeded, closing connection"))
                        && c.phase() == ConnectionState.Phase.RECEIVING_DATA) {
                    LOG.info("Session {} from {} exceeded the session time limit inside DATA; closing it",
                            c.sessionId(), c.remoteAddress());
                    c.session().quit();
                }
            }
        }
    }

    /** Number of open SMTP sessions. */
    int connectionCount() {
        return connections.size();
    }

    private boolean closeIfIdle(ConnectionState c, SmtpReply reply) {
        if (!c.commandLock().tryLock()) {
            return false;
        }
        try {
            release(c.session());
            try {
                c.session().sendResponse(reply.toString());
            } catch (IOException e) {
                LOG.debug("Session {}: {}", c.sessionId(), e.toString());
            }
            c.session().quit();
            return true;
        } finally {
            c.commandLock().unlock();
        }
    }

    @Override
    public SessionAcceptance accept(Session session) {
        SessionAcceptance result = admit(session);
        if (!result.accepted()) {
            // SubEthaSMTP calls onSessionEnd only for sessions it accepted
            onSessionEnd(session);
            meters.refusedWith(result.errorCode(), result.errorMessage());
        } else {
            meters.sessionOpened();
        }
        return result;
    }

    private SessionAcceptance admit(Session session) {
        ConnectionState c = new ConnectionState(session, meters);
        connections.put(session, c);
        InetAddress address = session.getRemoteAddress().getAddress();
        int fromAddress = perAddress.computeIfAbsent(address, a -> new AtomicInteger()).incrementAndGet();
        if (draining) {
            return SessionAcceptance.failure(421, "4.3.2 Service shutting down, try again later");
        }
        if (connections.size() > limits.maxConnections()) {
            return SessionAcceptance.failure(421, "4.7.0 Too many connections, try again later");
        }
        int perIp = limits.maxConnectionsPerIp();
        if (perIp > 0 && fromAddress > perIp && !limits.perIpExempt().contains(address)) {
            return SessionAcceptance.failure(421, "4.7.0 Too many connections from your address, try again later");
        }
        if (limits.authFailures().blocked(address)) {
            return SessionAcceptance.failure(421, AUTH_BLOCKED + "try again later");
        }
        SmtpReply decision = stages.connect(c);
        if (decision != null && !decision.isPositive()) {
            return refusal(session, decision);
        }
        return SessionAcceptance.success();
    }

    /**
     * A refused connect: SubEthaSMTP sends only "code text" as one line, so the lines before the last of a
     * multi-line reply are sent here first.
     */
    private static SessionAcceptance refusal(Session session, SmtpReply reply) {
        String[] lines = reply.toString().split("\r\n");
        try {
            for (int i = 0; i < lines.length - 1; i++) {
                session.sendResponse(lines[i]);
            }
        } catch (IOException e) {
            LOG.debug("Session {}: {}", session.getSessionId(), e.toString());
        }
        String last = lines[lines.length - 1];
        return SessionAcceptance.failure(reply.code(), last.length() > 4 ? last.substring(4) : "");
    }

    @Override
    public void onSessionEnd(Session session) {
        release(session);
    }

    /**
     * Gives the session's slots (overall and per address) back. Called before we close a connection ourselves (QUIT,
     * a 421), so that a client reconnecting at once is not counted twice; SubEthaSMTP's own end-of-session call comes
     * later and is then a no-op.
     */
    void release(Session session) {
        if (connections.remove(session) != null) {
            perAddress.computeIfPresent(session.getRemoteAddress().getAddress(),
                    (a, n) -> n.decrementAndGet() <= 0 ? null : n);
        }
    }

    ProtocolSettings settings() {
        return settings;
    }

    MailStages stages() {
        return stages;
    }

    boolean draining() {
        return draining;
    }

    ConnectionState state(Session session) {
        ConnectionState c = connections.get(session);
        if (c == null) {
            throw new IllegalStateException("No state for session " + session.getSessionId());
        }
        return c;
    }

    boolean authOffered(ConnectionState c) {
        return settings.authenticator() != null && (c.tls() || settings.allowAuthWithoutTls());
    }

    ServerMeters meters() {
        return meters;
    }

    AuthFailures authFailures() {
        return limits.authFailures();
    }

    AuthFailures etrnRequests() {
        return limits.etrnRequests();
    }

    /** Makes or checks the spool directory; the listener calls it before it binds the port. */
    Path openSpool() throws IOException {
        return spoolDirectory.open();
    }

    /** Removes the listener's own spool directory if empty; the listener calls it once it has stopped. */
    void closeSpool() {
        spoolDirectory.close();
    }

    SpoolDirectory spoolDirectory() {
        return spoolDirectory;
    }

    SpoolWriter newSpoolWriter() {
        return new SpoolWriter(spoolDirectory, spoolThreshold);
    }

    ContentReader newContentReader(SpoolWriter spool) {
        return new ContentReader(spool, settings.maxMessageSize(), settings.maxLineLength(), settings.allowBareLineFeeds());
    }

    private void installCommands(CommandHandler handler) {
        List<Command> commands = List.of(new HelloCommand(this, "EHLO"), new HelloCommand(this, "HELO"),
                new HelloCommand(this, "LHLO"),
                new MailCommand(this), new RcptCommand(this), new DataCommand(this), new StartTlsCommand(this),
                new AuthCommand(this), new EtrnCommand(this), new SimpleCommand(this, "RSET"), new SimpleCommand(this, "NOOP"),
                new SimpleCommand(this, "QUIT"), new SimpleCommand(this, "VRFY"), new SimpleCommand(this, "EXPN"),
                new SimpleCommand(this, "HELP"));
        Map<String, Command> map = new FallbackMap(new UnknownCommand(this));
        for (Command c : commands) {
            map.put(c.getName(), c);
        }
        if (settings.chunking()) {
            map.put("BDAT", new BdatCommand(this));
        }
        replaceCommandMap(handler, map);
    }

    /**
     * SubEthaSMTP's {@link CommandHandler} answers unknown verbs itself with a reply that has no enhanced status code
     * and that we could not count; it has no hook for that, so its private command map is replaced by one that
     * returns {@link UnknownCommand} for verbs it does not know. Pinned to SubEthaSMTP 7.1.7 and covered by tests.
     */
    private static void replaceCommandMap(CommandHandler handler, Map<String, Command> map) {
        try {
            Field f = CommandHandler.class.getDeclaredField("commandMap");
            f.setAccessible(true);
            f.set(handler, map);
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IllegalStateException("This SubEthaSMTP version has no CommandHandler.commandMap to extend", e);
        }
    }

    /**
     * The library looks a line up first by its first four letters, then by its first word: a four-letter prefix of a
     * longer verb (STAR for STARTTLS) must miss so that the second look-up runs.
     */
    private static final class FallbackMap extends HashMap<String, Command> {

        private final transient Command unknown;

        FallbackMap(Command unknown) {
            this.unknown = unknown;
        }

        @Override
        public Command get(Object key) {
            Command c = super.get(key);
            if (c != null) {
                return c;
            }
            String k = String.valueOf(key);
            for (String verb : keySet()) {
                if (verb.startsWith(k)) {
                    return null;
                }
            }
            return unknown;
        }
    }
}

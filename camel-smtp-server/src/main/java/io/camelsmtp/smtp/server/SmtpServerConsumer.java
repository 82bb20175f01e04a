package io.camelsmtp.smtp.server;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.camelsmtp.smtp.common.SmtpReply;
import io.camelsmtp.smtp.common.flush.DomainFlush;
import io.camelsmtp.smtp.common.metrics.SmtpMeters;
import io.camelsmtp.smtp.server.metrics.ServerMeters;
import io.camelsmtp.smtp.server.metrics.ServerMeters.RouteResult;
import io.camelsmtp.smtp.server.protocol.ConnectionState;
import io.camelsmtp.smtp.server.protocol.ListenerThreads;
import io.camelsmtp.smtp.server.protocol.LogText;
import io.camelsmtp.smtp.server.protocol.MailStages;
import io.camelsmtp.smtp.server.protocol.MailTransaction;
import io.camelsmtp.smtp.server.protocol.SmtpListener;
import io.camelsmtp.smtp.server.protocol.SpooledMessage;
import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.FailedToStartRouteException;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.Route;
import org.apache.camel.Suspendable;
import org.apache.camel.spi.ExecutorServiceManager;
import org.apache.camel.spi.Synchronization;
import org.apache.camel.support.DefaultConsumer;
import org.apache.camel.support.service.ServiceHelper;
import org.apache.camel.util.URISupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the SMTP listener while its route runs, and is the {@link MailStages} of its sessions: policy routes decide the
 * connect, HELO, MAIL and RCPT stages, and each accepted message becomes one Exchange whose outcome is the reply. How
 * sessions and messages map to Exchanges is {@link SmtpServerBinding}'s; the port and its sessions are
 * {@link SmtpListener}'s.
 */
public class SmtpServerConsumer extends DefaultConsumer implements MailStages, Suspendable {

    private static final Logger LOG = LoggerFactory.getLogger(SmtpServerConsumer.class);

    private final SmtpServerEndpoint endpoint;
    private final SmtpServerConfiguration configuration;
    private final SmtpServerBinding binding;
    private AcceptedDomains acceptedDomains;
    private Policy connectPolicy;
    private Policy heloPolicy;
    private Policy mailPolicy;
    private Policy rcptPolicy;
    private Policy etrnPolicy;
    private DomainFlush etrnQueue;
    private SmtpListener listener;
    private ServerMeters meters = ServerMeters.NONE;
    private SmtpListenerHealthCheck healthCheck;

    public SmtpServerConsumer(SmtpServerEndpoint endpoint, Processor processor) {
        super(endpoint, processor);
        this.endpoint = endpoint;
        this.configuration = endpoint.getConfiguration();
        this.binding = new SmtpServerBinding(configuration.isMapMailHeaders());
    }

    @Override
    public SmtpServerEndpoint getEndpoint() {
        return endpoint;
    }

    /** The port actually listened on (useful with port 0), or -1 when not listening. */
    public int getListeningPort() {
        SmtpListener l = listener;
        return l == null ? -1 : l.listeningPort();
    }

    /** Where messages above spoolThreshold are written while their route runs, or null when not listening. */
    public Path getSpoolDirectory() {
        SmtpListener l = listener;
        return l == null ? null : l.spoolDirectory();
    }

    /** Open SMTP sessions right now. */
    public int getSessionCount() {
        SmtpListener l = listener;
        return l == null ? 0 : l.sessionCount();
    }

    @Override
    protected void doInit() throws Exception {
        super.doInit();
        acceptedDomains = new AcceptedDomains(configuration.getAcceptedDomains());
        // looked up once: without a MeterRegistry in the Camel registry no meter is made and nothing is counted
        meters = ServerMeters.bind(SmtpMeters.registry(getEndpoint().getCamelContext()), listenerName(),
                this::getSessionCount);
        listener = endpoint.newListener(this, new CamelThreads(endpoint.getCamelContext().getExecutorServiceManager()),
                meters);
        if (acceptedDomains.isEmpty() && configuration.getRcptPolicy() == null && !configuration.isRequireAuth()) {
            LOG.warn("{}: neither acceptedDomains nor rcptPolicy is set, so every recipient of an unauthenticated session "
                     + "is refused with 554 5.7.1 (set acceptedDomains=* to accept any domain)",
                    endpoint);
        }
    }

    @Override
    protected void doStart() throws Exception {
        super.doStart();
        connectPolicy = policy("connectPolicy", configuration.getConnectPolicy());
        heloPolicy = policy("heloPolicy", configuration.getHeloPolicy());
        mailPolicy = policy("mailPolicy", configuration.getMailPolicy());
        rcptPolicy = policy("rcptPolicy", configuration.getRcptPolicy());
        etrnQueue = etrnQueue(configuration.getEtrnQueue());
        etrnPolicy = etrnQueue == null ? null : policy("etrnPolicy", configuration.getEtrnPolicy());
        startListening();
        healthCheck = SmtpListenerHealthCheck.register(getEndpoint().getCamelContext(), this, listenerName());
    }

    @Override
    protected void doShutdown() throws Exception {
        meters.close();
        meters = ServerMeters.NONE;
        super.doShutdown();
    }

    /** How meters and health checks name this listener: {@code host:port} as configured. */
    String listenerName() {
        return endpoint.getHost() + ":" + endpoint.getPort();
    }

    @Override
    protected void doStop() throws Exception {
        SmtpListenerHealthCheck.unregister(getEndpoint().getCamelContext(), healthCheck);
        healthCheck = null;
        stopListening();
        for (Policy p : new Policy[] { connectPolicy, heloPolicy, mailPolicy, rcptPolicy, etrnPolicy }) {
            if (p != null) {
                ServiceHelper.stopService(p.producer());
            }
        }
        super.doStop();
    }

    @Override
    protected void doSuspend() throws Exception {
        stopListening();
    }

    @Override
    protected void doResume() throws Exception {
        startListening();
    }

    private Policy policy(String option, String uri) throws Exception {
        if (uri == null || uri.isBlank()) {
            return null;
        }
        Endpoint target = getEndpoint().getCamelContext().getEndpoint(uri);
        Producer p = target.createProducer();
        ServiceHelper.startService(p);
        // named in the log when the policy answers with a reply that is not one
        String name = option + " " + URISupport.sanitizeUri(uri);
        for (Route r : getEndpoint().getCamelContext().getRoutes()) {
            if (r.getEndpoint() == target) {
                name = "policy route '" + r.getRouteId() + "' (" + name + ")";
            }
        }
        return new Policy(p, name);
    }

    /**
     * The queue that ETRN starts, resolved from the etrnQueue option; null when ETRN is off. Fails the start when the
     * option names nothing that can flush a domain, or when no etrnPolicy says who may.
     */
    private DomainFlush etrnQueue(String uri) {
        if (uri == null || uri.isBlank()) {
            return null;
        }
        String name = URISupport.sanitizeUri(uri);
        String policy = configuration.getEtrnPolicy();
        if (policy == null || policy.isBlank()) {
            throw new IllegalArgumentException("smtp-server option etrnQueue=" + name + " needs etrnPolicy: the endpoint "
                                               + "that decides which clients may start the queue (e.g. direct:etrn-policy)");
        }
        Endpoint target;
        try {
            target = getEndpoint().getCamelContext().getEndpoint(uri);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("smtp-server option etrnQueue=" + name + " does not resolve to an endpoint: "
                                               + e.getMessage(), e);
        }
        if (!(target instanceof DomainFlush queue)) {
            throw new IllegalArgumentException("smtp-server option etrnQueue=" + name + " names "
                                               + (target == null ? "no endpoint" : "a " + target.getClass().getSimpleName())
                                               + ", which cannot start delivery for a domain; name a queue, e.g. "
                                               + "smtp-queue:outbound");
        }
        return queue;
    }

    /** How the log names this listener's route. */
    private String routeName() {
        return "route '" + getRouteId() + "'";
    }

    private synchronized void startListening() throws Exception {
        if (listener.listeningPort() >= 0) {
            return;
        }
        int port;
        try {
            port = listener.start();
        } catch (IOException e) {
            // a port that cannot be bound, a spool directory that is not ours: Camel reports a consumer that fails
            // to start without its route; naming it lets the report point at the route's definition
            throw getRouteId() != null ? new FailedToStartRouteException(getRouteId(), e.getMessage(), e) : e;
        }
        LOG.info("smtp-server listening on {}:{} as {}{}; messages over {} octets are spooled to {}", endpoint.getHost(),
                port, endpoint.effectiveHostName(), configuration.isImplicitTls() ? " (implicit TLS)"
                        : configuration.getSslContextParameters() != null ? " (STARTTLS)" : "",
                configuration.getSpoolThreshold(), listener.spoolDirectory());
    }

    private synchronized void stopListening() throws InterruptedException {
        if (listener == null) {   // stopped before it was initialized: another service failed the context's start
            return;
        }
        int port = listener.listeningPort();
        if (port >= 0) {
            listener.stop(Duration.ofMillis(configuration.getShutdownGracePeriod()));
            LOG.info("smtp-server on port {} stopped", port);
        }
    }

    @Override
    public SmtpReply connect(ConnectionState connection) {
        return policy(connectPolicy, "connect", connection, null, null);
    }

    @Override
    public SmtpReply helo(ConnectionState connection) {
        return policy(heloPolicy, "helo", connection, null, null);
    }

    @Override
    public SmtpReply mail(ConnectionState connection, MailTransaction transaction) {
        return policy(mailPolicy, "mail", connection, transaction, null);
    }

    @Override
    public SmtpReply rcpt(ConnectionState connection, MailTransaction transaction, String recipient) {
        // unauthenticated: acceptedDomains decides when set; without it only a rcptPolicy may accept
        boolean checkDomains = !acceptedDomains.isEmpty() || rcptPolicy == null;
        if (connection.authenticatedUser() == null && checkDomains && !acceptedDomains.accepts(recipient)) {
            return SmtpReply.of(554, "5.7.1", "<" + recipient + ">: Relay access denied");
        }
        return policy(rcptPolicy, "rcpt", connection, transaction, recipient);
    }

    @Override
    public SmtpReply message(ConnectionState connection, MailTransaction transaction, SpooledMessage message) {
        return runRoute(connection, transaction, message, false).get(0);
    }

    @Override
    public List<SmtpReply> messagePerRecipient(ConnectionState connection, MailTransaction transaction,
            SpooledMessage message) {
        return runRoute(connection, transaction, message, true);
    }

    /** Runs the route on the message; its reply, or with {@code perRecipient} the LMTP replies (or one for all). */
    private List<SmtpReply> runRoute(ConnectionState connection, MailTransaction transaction, SpooledMessage message,
            boolean perRecipient) {
        Exchange exchange = createExchange(false);
        boolean completed = false;
        long started = System.nanoTime();
        try {
            binding.bindMessage(exchange.getIn(), connection, transaction, message);
            CountDownLatch done = new CountDownLatch(1);
            getAsyncProcessor().process(exchange, doneSync -> done.countDown());
            completed = done.await(configuration.getReplyTimeout(), TimeUnit.MILLISECONDS);
            if (!completed) {
                meters.routeTime(RouteResult.TIMEOUT, System.nanoTime() - started);
                LOG.warn("Message {} from {}: the route did not complete within {} ms; answering 451 4.4.7",
                        transaction.queueId(), connection.remoteAddress(), configuration.getReplyTimeout());
                return List.of(SmtpReply.of(451, "4.4.7", "Delivery time expired, try again later"));
            }
            List<SmtpReply> replies = perRecipient
                    ? binding.recipientReplies(exchange, transaction.queueId(), routeName(), transaction.recipients())
                    : List.of(binding.messageReply(exchange, transaction.queueId(), routeName()));
            // accepted when the message was taken for at least one recipient (LMTP may refuse some)
            boolean accepted = replies.stream().anyMatch(SmtpReply::isPositive);
            meters.routeTime(accepted ? RouteResult.ACCEPTED : RouteResult.REFUSED, System.nanoTime() - started);
            if (accepted) {
                meters.accepted(message.size());
            }
            return replies;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return List.of(SmtpReply.of(451, "4.3.0", "Service shutting down, try again later"));
        } catch (RuntimeException e) {
            LOG.warn("Message {}: {}", transaction.queueId(), LogText.value(e), e);
            return List.of(SmtpReply.of(451, "4.3.0", "Temporary failure, try again later"));
        } finally {
            if (completed) {
                message.discard();
                releaseExchange(exchange, false);
            } else {
                exchange.getExchangeExtension().addOnCompletion(new DiscardOnCompletion(message));
            }
        }
    }

    /**
     * ETRN: the etrnPolicy decides (returning normally allows), then the queue makes the node's waiting mail due now.
     * {@code 250} when it started some, {@code 251} when none was waiting, {@code 458} when the queue cannot run now.
     */
    @Override
    public SmtpReply etrn(ConnectionState connection, String node, boolean subdomains) {
        String shown = (subdomains ? "@" : "") + node;
        if (etrnQueue == null || etrnPolicy == null) {   // the protocol offers ETRN only when both are set
            return SmtpReply.of(458, "4.3.0", "Unable to queue messages for node " + shown);
        }
        Exchange exchange = getEndpoint().createExchange();
        binding.bindEtrn(exchange.getIn(), connection, node, subdomains);
        SmtpReply decision = decide(etrnPolicy, exchange, "etrn");
        if (decision != null && !decision.isPositive()) {
            LOG.info("ETRN {} from {} refused by {}: {}", shown, connection.remoteAddress(), etrnPolicy.name(), decision);
            return decision;
        }
        int started;
        try {
            started = etrnQueue.flushDomain(node, subdomains);
        } catch (RuntimeException e) {
            LOG.warn("ETRN {} from {}: the queue cannot start: {}", shown, connection.remoteAddress(), LogText.value(e));
            return SmtpReply.of(458, "4.3.0", "Unable to queue messages for node " + shown);
        }
        LOG.info("ETRN {} from {}: {} message(s) due now", shown, connection.remoteAddress(), started);
        return started > 0
                ? SmtpReply.of(250, "2.0.0", "Queuing for node " + shown + " started")
                : SmtpReply.of(251, "2.0.0", "OK, no messages waiting for node " + shown);
    }

    private SmtpReply policy(Policy policy, String stage, ConnectionState c, MailTransaction tx, String recipient) {
        if (policy == null) {
            return null;
        }
        Exchange exchange = getEndpoint().createExchange();
        binding.bindStage(exchange.getIn(), stage, c, tx, recipient);
        return decide(policy, exchange, stage);
    }

    /** Runs a policy endpoint on a prepared Exchange; its reply as for every stage (null accepts). */
    private SmtpReply decide(Policy policy, Exchange exchange, String stage) {
        try {
            policy.producer().process(exchange);
        } catch (Exception e) {
            exchange.setException(e);
        }
        return binding.stageReply(exchange, stage, routeName() + ", " + policy.name());
    }

    /** A policy endpoint's producer, and how the log names it. */
    private record Policy(Producer producer, String name) {
    }

    /** The listener's threads, from Camel's ExecutorServiceManager so that Camel's thread settings apply. */
    private final class CamelThreads implements ListenerThreads {

        private final ExecutorServiceManager manager;

        CamelThreads(ExecutorServiceManager manager) {
            this.manager = manager;
        }

        @Override
        public ExecutorService newSessionPool() {
            return manager.newCachedThreadPool(SmtpServerConsumer.this, "SmtpSession");
        }

        @Override
        public ScheduledExecutorService newTimer() {
            return manager.newSingleThreadScheduledExecutor(SmtpServerConsumer.this, "SmtpSessionTimer");
        }

        @Override
        public void shutdownNow(ExecutorService pool) {
            manager.shutdownNow(pool);
        }
    }

    /** Deletes a spooled message once an Exchange that outlived the reply timeout completes. */
    private record DiscardOnCompletion(SpooledMessage message) implements Synchronization {
        @Override
        public void onComplete(Exchange exchange) {
            message.discard();
        }

        @Override
        public void onFailure(Exchange exchange) {
            message.discard();
        }
    }
}

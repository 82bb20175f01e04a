package io.camelsmtp.smtp.server;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLContext;

import io.camelsmtp.smtp.common.EnvelopeBinding;
import io.camelsmtp.smtp.common.SmtpReply;
import io.camelsmtp.smtp.common.SmtpReplyException;
import io.camelsmtp.smtp.server.protocol.ConnectionState;
import io.camelsmtp.smtp.server.protocol.MailStages;
import io.camelsmtp.smtp.server.protocol.MailTransaction;
import io.camelsmtp.smtp.server.protocol.ProtocolSettings;
import io.camelsmtp.smtp.server.protocol.SmtpProtocol;
import io.camelsmtp.smtp.server.protocol.SpooledMessage;
import io.camelsmtp.smtp.server.protocol.TlsSockets;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.InternetHeaders;
import jakarta.mail.internet.MimeUtility;
import org.apache.camel.Exchange;
import org.apache.camel.FailedToStartRouteException;
import org.apache.camel.Message;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.Suspendable;
import org.apache.camel.spi.ExecutorServiceManager;
import org.apache.camel.support.DefaultConsumer;
import org.apache.camel.util.ObjectHelper;
import org.apache.camel.support.jsse.ClientAuthentication;
import org.apache.camel.support.jsse.SSLContextParameters;
import org.apache.camel.support.service.ServiceHelper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.subethamail.smtp.server.SMTPServer;

/**
 * Runs the SMTP listener while its route runs, and is the {@link MailStages} of its sessions: policy routes decide the
 * connect, HELO, MAIL and RCPT stages, and each accepted message becomes one Exchange whose outcome is the reply.
 */
public class SmtpServerConsumer extends DefaultConsumer implements MailStages, Suspendable {

    private static final Logger LOG = LoggerFactory.getLogger(SmtpServerConsumer.class);
    private static final String[] MAPPED_MAIL_HEADERS = { "Subject", "From", "To", "Cc", "Reply-To", "Date",
            "Message-ID", "In-Reply-To", "References" };

    private final SmtpServerEndpoint endpoint;
    private AcceptedDomains acceptedDomains;
    private Producer connectPolicy;
    private Producer heloPolicy;
    private Producer mailPolicy;
    private Producer rcptPolicy;
    private SmtpProtocol protocol;
    private SMTPServer server;
    private ExecutorService sessions;
    private ScheduledExecutorService timer;

    public SmtpServerConsumer(SmtpServerEndpoint endpoint, Processor processor) {
        super(endpoint, processor);
        this.endpoint = endpoint;
    }

    @Override
    public SmtpServerEndpoint getEndpoint() {
        return endpoint;
    }

    /** The port actually listened on (useful with port 0), or -1 when not listening. */
    public int getListeningPort() {
        SMTPServer s = server;
        return s == null ? -1 : s.getPortAllocated();
    }

    /** Open SMTP sessions right now. */
    public int getSessionCount() {
        SmtpProtocol p = protocol;
        return p == null ? 0 : p.connectionCount();
    }

    @Override
    protected void doInit() throws Exception {
        super.doInit();
        acceptedDomains = new AcceptedDomains(endpoint.getAcceptedDomains());
        protocol = new SmtpProtocol(settings(), this, endpoint.effectiveSpoolDirectory(), endpoint.getSpoolThreshold(),
                endpoint.getMaxConnections(), endpoint.getMaxConnectionsPerIp());
        if (acceptedDomains.isEmpty() && endpoint.getRcptPolicy() == null && !endpoint.isRequireAuth()) {
            LOG.warn("{}: neither acceptedDomains nor rcptPolicy is set, so every recipient of an unauthenticated session "
                     + "is refused with 554 5.7.1 (set acceptedDomains=* to accept any domain)",
                    endpoint);
        }
    }

    private ProtocolSettings settings() throws Exception {
        TlsSockets tls = null;
        SSLContextParameters ssl = endpoint.getSslContextParameters();
        if (ssl != null) {
            SSLContext context = ssl.createSSLContext(getEndpoint().getCamelContext());
            String clientAuth = ssl.getServerParameters() == null ? null : ssl.getServerParameters().getClientAuthentication();
            tls = new TlsSockets(context, ClientAuthentication.REQUIRE.name().equals(clientAuth),
                    ClientAuthentication.WANT.name().equals(clientAuth));
        }
        return new ProtocolSettings(endpoint.effectiveHostName(), endpoint.getMaxMessageSize(),
                endpoint.getMaxRecipients(), endpoint.getMaxLineLength(), endpoint.isAllowBareLineFeeds(),
                endpoint.getMaxErrors(), Duration.ofMillis(endpoint.getAuthFailureDelay()),
                Duration.ofMillis(endpoint.getMaxSessionTime()), endpoint.isDsn(), endpoint.isChunking(), tls,
                endpoint.isImplicitTls(), endpoint.isRequireTls(), endpoint.isRequireAuth(),
                endpoint.isAllowAuthWithoutTls(), endpoint.getAuthenticator());
    }

    @Override
    protected void doStart() throws Exception {
        super.doStart();
        connectPolicy = policyProducer(endpoint.getConnectPolicy());
        heloPolicy = policyProducer(endpoint.getHeloPolicy());
        mailPolicy = policyProducer(endpoint.getMailPolicy());
        rcptPolicy = policyProducer(endpoint.getRcptPolicy());
        startListening();
    }

    @Override
    protected void doStop() throws Exception {
        stopListening();
        ServiceHelper.stopService(connectPolicy, heloPolicy, mailPolicy, rcptPolicy);
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

    private Producer policyProducer(String uri) throws Exception {
        if (uri == null || uri.isBlank()) {
            return null;
        }
        Producer p = getEndpoint().getCamelContext().getEndpoint(uri).createProducer();
        ServiceHelper.startService(p);
        return p;
    }

    private synchronized void startListening() throws Exception {
        if (server != null) {
            return;
        }
        ExecutorServiceManager threads = getEndpoint().getCamelContext().getExecutorServiceManager();
        sessions = threads.newCachedThreadPool(this, "SmtpSession");
        SMTPServer s = protocol.newServer(InetAddress.getByName(endpoint.getHost()), endpoint.getPort(),
                endpoint.getBacklog(), Duration.ofMillis(endpoint.getIdleTimeout()), sessions);
        try {
            s.start();
        } catch (RuntimeException e) {
            threads.shutdownNow(sessions);
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            IOException bind = new IOException("smtp-server cannot listen on " + endpoint.getHost() + ":"
                                               + endpoint.getPort() + ": " + cause.getMessage(), cause);
            // Camel reports a consumer that fails to start without its route; naming it lets the report point at
            // the route's definition
            throw getRouteId() != null ? new FailedToStartRouteException(getRouteId(), bind.getMessage(), bind) : bind;
        }
        server = s;
        timer = threads.newSingleThreadScheduledExecutor(this, "SmtpSessionTimer");
        long period = Math.max(100, Math.min(1000, endpoint.getIdleTimeout() / 4));
        timer.scheduleWithFixedDelay(protocol::enforceTimeouts, period, period, TimeUnit.MILLISECONDS);
        LOG.info("smtp-server listening on {}:{} as {}{}", endpoint.getHost(), s.getPortAllocated(),
                endpoint.effectiveHostName(), endpoint.isImplicitTls() ? " (implicit TLS)"
                        : endpoint.getSslContextParameters() != null ? " (STARTTLS)" : "");
    }

    private synchronized void stopListening() throws InterruptedException {
        SMTPServer s = server;
        if (s == null) {
            return;
        }
        ExecutorServiceManager threads = getEndpoint().getCamelContext().getExecutorServiceManager();
        protocol.stopAccepting();
        if (!protocol.awaitSessions(Duration.ofMillis(endpoint.getShutdownGracePeriod()))) {
            LOG.warn("smtp-server on port {}: {} session(s) still busy after the grace period; closing them",
                    s.getPortAllocated(), protocol.connectionCount());
            sessions.shutdownNow();
        }
        s.stop();
        threads.shutdownNow(sessions);
        threads.shutdownNow(timer);
        server = null;
        LOG.info("smtp-server on port {} stopped", s.getPortAllocated());
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
        Exchange exchange = createExchange(false);
        boolean completed = false;
        try {
            Message in = exchange.getIn();
            in.setBody(message.toStreamCache());
            sessionHeaders(in, connection, transaction);
            in.setHeader(SmtpServerConstants.STAGE, "data");
            in.setHeader(SmtpServerConstants.MESSAGE_SIZE, message.size());
            if (endpoint.isMapMailHeaders()) {
                mapMailHeaders(in, message);
            }
            CountDownLatch done = new CountDownLatch(1);
            getAsyncProcessor().process(exchange, doneSync -> done.countDown());
            completed = done.await(endpoint.getReplyTimeout(), TimeUnit.MILLISECONDS);
            if (!completed) {
                LOG.warn("Message {} from {}: the route did not complete within {} ms; answering 451 4.4.7",
                        transaction.queueId(), connection.remoteAddress(), endpoint.getReplyTimeout());
                return SmtpReply.of(451, "4.4.7", "Delivery time expired, try again later");
            }
            SmtpReply refusal = refusal(exchange, "data");
            if (refusal != null) {
                return refusal;
            }
            SmtpReply chosen = chosenReply(exchange);
            if (chosen != null && !chosen.isPositive()) {
                return chosen;
            }
            return chosen != null ? chosen : SmtpReply.of(250, "2.0.0", "Ok: queued as " + transaction.queueId());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return SmtpReply.of(451, "4.3.0", "Service shutting down, try again later");
        } catch (RuntimeException e) {
            LOG.warn("Message {}: {}", transaction.queueId(), e.toString(), e);
            return SmtpReply.of(451, "4.3.0", "Temporary failure, try again later");
        } finally {
            if (completed) {
                message.discard();
                releaseExchange(exchange, false);
            } else {
                exchange.getExchangeExtension().addOnCompletion(new DiscardOnCompletion(message));
            }
        }
    }

    private SmtpReply policy(Producer producer, String stage, ConnectionState c, MailTransaction tx, String recipient) {
        if (producer == null) {
            return null;
        }
        Exchange exchange = getEndpoint().createExchange();
        Message in = exchange.getIn();
        sessionHeaders(in, c, tx);
        in.setHeader(SmtpServerConstants.STAGE, stage);
        if (recipient != null) {
            in.setHeader(SmtpServerConstants.RECIPIENT, recipient);
        }
        try {
            producer.process(exchange);
        } catch (Exception e) {
            exchange.setException(e);
        }
        SmtpReply refusal = refusal(exchange, stage);
        return refusal != null ? refusal : chosenReply(exchange);
    }

    /** The reply for a failed exchange: the SmtpReplyException's (SmtpRejectException is one), else a temporary failure; null when it succeeded. */
    private SmtpReply refusal(Exchange exchange, String stage) {
        Exception e = exchange.getException();
        if (e == null) {
            return null;
        }
        SmtpReplyException reject = ObjectHelper.getException(SmtpReplyException.class, e);
        if (reject != null) {
            return reject.getReply();
        }
        LOG.warn("smtp-server {} stage failed, answering with a temporary failure: {}", stage, e.toString());
        return "connect".equals(stage)
                ? SmtpReply.of(421, "4.3.0", "Temporary failure, try again later")
                : SmtpReply.of(451, "4.3.0", "Temporary failure, try again later");
    }

    /** The CamelSmtpReply header as a reply; bare text becomes a 250 with that text. */
    private static SmtpReply chosenReply(Exchange exchange) {
        Object value = exchange.getMessage().getHeader(SmtpServerConstants.REPLY);
        if (value == null) {
            return null;
        }
        if (value instanceof SmtpReply r) {
            return r;
        }
        String text = value.toString().strip();
        if (text.matches("^[2-5][0-9][0-9]([ -].*)?$")) {
            try {
                return SmtpReply.parse(text);
            } catch (IllegalArgumentException e) {
                LOG.warn("Ignoring header {}: {}", SmtpServerConstants.REPLY, e.getMessage());
                return SmtpReply.of(451, "4.3.0", "Temporary failure, try again later");
            }
        }
        return SmtpReply.of(250, "2.0.0", text);
    }

    private static void sessionHeaders(Message in, ConnectionState c, MailTransaction tx) {
        in.setHeader(SmtpServerConstants.SESSION_ID, c.sessionId());
        in.setHeader(SmtpServerConstants.REMOTE_ADDRESS, c.remoteAddress().getAddress().getHostAddress());
        in.setHeader(SmtpServerConstants.LOCAL_ADDRESS, c.localAddress().getAddress().getHostAddress());
        in.setHeader(SmtpServerConstants.LOCAL_PORT, c.localAddress().getPort());
        in.setHeader(SmtpServerConstants.HELO, c.helo());
        in.setHeader(SmtpServerConstants.AUTHENTICATED_USER, c.authenticatedUser());
        in.setHeader(SmtpServerConstants.TLS_PROTOCOL, c.tlsProtocol());
        in.setHeader(SmtpServerConstants.TLS_CIPHER, c.tlsCipher());
        if (tx == null) {
            return;
        }
        EnvelopeBinding.write(tx.envelope(), in);
        in.setHeader(SmtpServerConstants.DECLARED_SIZE, tx.declaredSize() < 0 ? null : tx.declaredSize());
    }

    private static void mapMailHeaders(Message in, SpooledMessage message) {
        try (InputStream stream = message.openStream()) {
            InternetHeaders headers = new InternetHeaders(stream);
            for (String name : MAPPED_MAIL_HEADERS) {
                String value = headers.getHeader(name, ", ");
                if (value != null) {
                    in.setHeader(name, MimeUtility.decodeText(MimeUtility.unfold(value)));
                }
            }
        } catch (IOException | MessagingException e) {
            LOG.debug("Cannot map the mail headers: {}", e.toString());
        }
    }

    /** Deletes a spooled message once an Exchange that outlived the reply timeout completes. */
    private record DiscardOnCompletion(SpooledMessage message) implements org.apache.camel.spi.Synchronization {
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

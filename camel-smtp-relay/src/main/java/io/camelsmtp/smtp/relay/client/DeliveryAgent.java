package io.camelsmtp.smtp.relay.client;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;

import io.camelsmtp.smtp.common.Envelope;
import io.camelsmtp.smtp.common.MailContent;
import io.camelsmtp.smtp.common.RecipientResult;
import io.camelsmtp.smtp.common.SmtpReply;
import io.camelsmtp.smtp.relay.dns.MxHost;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers one message to the recipients of one destination (a domain's mail exchangers, or a smart host), following
 * RFC 5321 §5.1: hosts in preference order, each of their addresses in turn; a host that cannot be reached, greets
 * with an error, or fails TLS or AUTH is skipped; recipients a host defers (4xx) are tried at the next host; 2xx and
 * 5xx are final. One transaction carries all recipients, pipelined when the server offers PIPELINING.
 * <p>
 * This class chooses hosts and connections (kept ones first, within {@link ConnectionPool}'s per-address limit);
 * {@link SessionSetup} opens a session (greeting, EHLO, STARTTLS, AUTH) and {@link MailTransaction} runs the
 * transaction on it.
 */
public final class DeliveryAgent implements Closeable {

    private static final Logger LOG = LoggerFactory.getLogger(DeliveryAgent.class);

    private final ClientSettings settings;
    private final ConnectionPool pool;
    private final SessionSetup sessions;

    /**
     * @param timer runs write time-outs (and nothing long); a task is scheduled and cancelled per write, so the pool
     *              should drop cancelled tasks (Camel's scheduled pools set removeOnCancelPolicy)
     */
    public DeliveryAgent(ClientSettings settings, ScheduledExecutorService timer) {
        this.settings = settings;
        this.pool = new ConnectionPool(settings.maxConnectionsPerHost(), settings.idleConnectionTime());
        this.sessions = new SessionSetup(settings, timer);
    }

    /** Closes kept connections that have been idle too long; call periodically. */
    public void evictIdle() {
        pool.evict();
    }

    @Override
    public void close() {
        pool.close();
    }

    /** Per-recipient results, in the order of the envelope's recipients. */
    public List<RecipientResult> deliver(Envelope envelope, MailContent content, List<MxHost> hosts)
            throws InterruptedException {
        List<Envelope.Recipient> recipients = envelope.recipients();
        Map<String, RecipientResult> decided = new LinkedHashMap<>();
        List<Envelope.Recipient> pending = recipients;
        int triedHosts = 0;
        hosts:
        for (MxHost host : hosts) {
            if (triedHosts++ >= settings.maxMxHosts()) {
                break;
            }
            for (InetAddress ip : host.addresses()) {
                try {
                    List<RecipientResult> results = attempt(host, ip, envelope.withRecipients(pending), content);
                    List<Envelope.Recipient> deferred = new ArrayList<>();
                    for (int i = 0; i < results.size(); i++) {
                        decided.put(pending.get(i).address(), results.get(i));
                        if (results.get(i).getStatus() == RecipientResult.Status.DEFERRED) {
                            deferred.add(pending.get(i));
                        }
                    }
                    pending = deferred;
                    if (pending.isEmpty()) {
                        break hosts;
                    }
                    continue hosts;
                } catch (HostFailure f) {
                    LOG.debug("{} [{}]: {}", host.name(), ip.getHostAddress(), f.reply);
                    for (Envelope.Recipient r : pending) {
                        decided.put(r.address(), new RecipientResult(r.address(), RecipientResult.Status.DEFERRED,
                                f.reply, host.name(), ip.getHostAddress(), null, Instant.now()));
                    }
                }
            }
        }
        List<RecipientResult> out = new ArrayList<>(recipients.size());
        for (Envelope.Recipient r : recipients) {
            RecipientResult result = decided.get(r.address());
            out.add(result != null ? result : new RecipientResult(r.address(), RecipientResult.Status.DEFERRED,
                    SmtpReply.of(451, "4.4.4", "No mail exchanger could be tried"), null, null, null, Instant.now()));
        }
        return out;
    }

    private List<RecipientResult> attempt(MxHost host, InetAddress ip, Envelope envelope, MailContent content)
            throws HostFailure, InterruptedException {
        InetSocketAddress address = new InetSocketAddress(ip, settings.port());
        if (!pool.acquire(address, settings.connectTimeout())) {
            throw new HostFailure(SmtpReply.of(451, "4.4.5", "Too many connections to " + describe(host, ip)));
        }
        SmtpConnection c = null;
        MailTransaction tx = null;
        try {
            c = settings.connectionReuse() ? reuse(address) : null;
            if (c == null) {
                c = sessions.connect(host.name(), address, settings.tls() != TlsPolicy.none);
            }
            tx = new MailTransaction(settings, c, host.name(), envelope, content);
            return tx.run();
        } finally {
            if (c != null) {
                if (tx != null && tx.isReusable() && settings.connectionReuse()) {
                    pool.keep(c);
                } else {
                    c.quit();
                }
            }
            pool.release(address);
        }
    }

    /** A kept connection to {@code address} that still answers RSET with 250, or null. */
    private SmtpConnection reuse(InetSocketAddress address) {
        SmtpConnection c;
        while ((c = pool.take(address)) != null) {
            try {
                c.timeout(settings.commandTimeout());
                if (c.command("RSET").code() == 250) {
                    return c;
                }
            } catch (IOException e) {
                LOG.debug("Kept connection to {} is gone: {}", address, e.toString());
            }
            c.close();
        }
        return null;
    }

    private static String describe(MxHost host, InetAddress ip) {
        return host.name() + " [" + ip.getHostAddress() + "]";
    }
}

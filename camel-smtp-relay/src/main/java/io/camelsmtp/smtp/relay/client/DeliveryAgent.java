package io.camelsmtp.smtp.relay.client;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.BooleanSupplier;

import io.camelsmtp.smtp.common.DeliveryCancellation;
import io.camelsmtp.smtp.common.Envelope;
import io.camelsmtp.smtp.common.MailContent;
import io.camelsmtp.smtp.common.RecipientResult;
import io.camelsmtp.smtp.common.SmtpReply;
import io.camelsmtp.smtp.relay.dns.MxHost;
import io.camelsmtp.smtp.relay.metrics.RelayMeters;
import io.camelsmtp.smtp.relay.dns.ResolutionException;
import io.camelsmtp.smtp.relay.tls.DestinationTls;
import io.camelsmtp.smtp.relay.tls.HostTls;
import io.camelsmtp.smtp.relay.tls.TlsOutcome;
import io.camelsmtp.smtp.relay.tls.TlsOutcomeListener;
import io.camelsmtp.smtp.relay.tls.TlsResultType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers one message to the recipients of one destination (a domain's mail exchangers, or a smart host), following
 * RFC 5321 §5.1: hosts in preference order, each of their addresses in turn; a host that cannot be reached, greets
 * with an error, or fails TLS or AUTH is skipped; recipients a host defers (4xx) are tried at the next host; 2xx and
 * 5xx are final. One transaction carries all recipients, pipelined when the server offers PIPELINING.
 * <p>
 * One destination cannot hold a delivery long: a host's addresses are looked up only when it is its turn, at most
 * {@code maxMxHosts} hosts, {@code maxMxAddresses} addresses and {@code maxMxSessions} sessions are tried (Postfix's
 * {@code smtp_mx_address_limit} and {@code smtp_mx_session_limit}), and each attempt on a host ends by
 * {@code maxAttemptTime}. Whatever an attempt throws defers its recipients rather than escaping; a delivery withdrawn
 * by whoever started it ({@link DeliveryCancellation}) stops before the next connection.
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
    private final SitePacers pacers = new SitePacers();
    private volatile TlsOutcomeListener tlsOutcomes = TlsOutcomeListener.NONE;
    private volatile RelayMeters meters = RelayMeters.NONE;

    /**
     * @param timer runs write time-outs and attempt deadlines (and nothing long); a task is scheduled and cancelled
     *              per write, so the pool should drop cancelled tasks (Camel's scheduled pools set
     *              removeOnCancelPolicy)
     */
    public DeliveryAgent(ClientSettings settings, ScheduledExecutorService timer) {
        this.settings = settings;
        this.pool = new ConnectionPool(settings.maxConnectionsPerHost(), settings.idleConnectionTime());
        this.sessions = new SessionSetup(settings, timer);
    }

    /** Who hears the TLS outcome of each new session (for TLS reporting); none by default. */
    public void setTlsOutcomeListener(TlsOutcomeListener listener) {
        this.tlsOutcomes = listener == null ? TlsOutcomeListener.NONE : listener;
    }

    /** Where connections, TLS outcomes, replies and attempt times are counted; nowhere by default. */
    public void setMeters(RelayMeters meters) {
        this.meters = meters == null ? RelayMeters.NONE : meters;
    }

    /** The endpoint's {@code tls} option as a requirement for every host of {@code domain}. */
    public DestinationTls configuredTls(String domain) {
        return configuredTls(domain, SiteShaping.NONE);
    }

    /** The TLS policy of {@code shaping}'s rule, else the endpoint's {@code tls} option, for every host of {@code domain}. */
    public DestinationTls configuredTls(String domain, SiteShaping shaping) {
        return DestinationTls.of(domain, configuredTls(shaping.tls(settings.tls())));
    }

    private static HostTls configuredTls(TlsPolicy policy) {
        return switch (policy) {
            case none -> HostTls.NONE;
            case opportunistic -> HostTls.OPPORTUNISTIC;
            case required -> HostTls.CONFIG_REQUIRED;
        };
    }

    /** Closes kept connections that have been idle too long; call periodically. */
    public void evictIdle() {
        pool.evict();
    }

    @Override
    public void close() {
        pool.close();
    }

    /** {@link #deliver(Envelope, MailContent, List, DestinationTls, BooleanSupplier)} under the {@code tls} option. */
    public List<RecipientResult> deliver(Envelope envelope, MailContent content, List<MxHost> hosts,
            BooleanSupplier withdrawn) throws InterruptedException {
        List<Envelope.Recipient> rs = envelope.recipients();
        String first = rs.isEmpty() ? "" : rs.get(0).address();
        return deliver(envelope, content, hosts, configuredTls(first.substring(first.lastIndexOf('@') + 1)), withdrawn);
    }

    /**
     * Per-recipient results, in the order of the envelope's recipients. Each host's TLS is what {@code tls} says for
     * it: a {@link HostTls.Mode#REFUSED} host is skipped without a connection, a {@link HostTls.Mode#VERIFIED} one whose
     * TLS fails is skipped too (never retried in plaintext); either defers with a 4.7.x reply naming the policy. For a
     * REQUIRETLS message both count as hosts that cannot carry it (unless the refusal is {@link HostTls#temporary()}),
     * so that when no host can, the recipients fail with 5.7.10 or 5.7.30 (RFC 8689 §4.2.1).
     * {@code withdrawn} is asked before each connection and before DATA; once true, the recipients not yet decided
     * are reported with {@link DeliveryCancellation#REPLY}.
     */
    public List<RecipientResult> deliver(Envelope envelope, MailContent content, List<MxHost> hosts, DestinationTls tls,
            BooleanSupplier withdrawn) throws InterruptedException {
        return deliver(envelope, content, hosts, tls, withdrawn, SiteShaping.NONE);
    }

    /**
     * {@link #deliver(Envelope, MailContent, List, DestinationTls, BooleanSupplier)} under the queue's shaping rule:
     * a connection carries at most its {@code maxMessagesPerConnection} transactions, a new one waits for the site's
     * {@code connectionRate} (when no permit can come before the attempt's deadline, every recipient is deferred with
     * 4.4.5 and no connection is made), and the rule's {@code tls} stands in for the endpoint's option.
     */
    public List<RecipientResult> deliver(Envelope envelope, MailContent content, List<MxHost> hosts, DestinationTls tls,
            BooleanSupplier withdrawn, SiteShaping shaping) throws InterruptedException {
        List<Envelope.Recipient> recipients = envelope.recipients();
        HostTls configured = configuredTls(shaping.tls(settings.tls()));
        tls = MessageTls.of(tls, envelope, content, configured);
        boolean requireTls = envelope.requireTlsOption();
        SmtpReply requireTlsRefusal = null; // the last host's reason for not carrying a REQUIRETLS message
        boolean qualified = false; // some session could carry it
        boolean otherFailure = false; // some host failed otherwise, and might still qualify later
        Map<String, RecipientResult> decided = new LinkedHashMap<>();
        List<Envelope.Recipient> pending = recipients;
        int triedHosts = 0;
        int triedAddresses = 0;
        int sessionCount = 0;
        ResolutionException unresolved = null;
        boolean stopped = false;
        hosts:
        for (MxHost host : hosts) {
            if (triedHosts++ >= settings.maxMxHosts() || reached(settings.maxMxAddresses(), triedAddresses)
                    || reached(settings.maxMxSessions(), sessionCount) || (stopped = withdrawn.getAsBoolean())) {
                break;
            }
            HostTls hostTls;
            try {
                hostTls = tls.forHost(host.name().toLowerCase(Locale.ROOT));
            } catch (RuntimeException e) { // a policy that cannot answer does not allow the host
                LOG.warn("TLS policy of {} failed for {}; skipping the host", tls.domain(), host.name(), e);
                hostTls = HostTls.refusedForNow("config", TlsResultType.VALIDATION_FAILURE, "TLS policy failed: " + e,
                        List.of());
            }
            if (hostTls.mode() == HostTls.Mode.REFUSED) {
                report(tls, host.name(), null, hostTls, false, false, hostTls.failure(), hostTls.description());
                if (!hostTls.testing()) {
                    String why = "Mail exchanger " + host.name() + " may not be used: " + hostTls.description();
                    if (requireTls && !hostTls.temporary()) {
                        // RFC 8689 §4.2.1: a host the destination's policy excludes cannot carry it, now or later
                        requireTlsRefusal = SmtpReply.of(550, "5.7.10", "REQUIRETLS: " + why);
                    } else {
                        otherFailure = true; // the policy could not be had: the host may qualify later
                    }
                    deferAll(pending, decided, SmtpReply.of(451, "4.7.5", why), host, null);
                    continue;
                }
                hostTls = configured; // MTA-STS testing: deliver as if there were no policy
            }
            List<InetAddress> addresses;
            try {
                addresses = host.addresses();
            } catch (ResolutionException e) {
                LOG.debug("{}: {}", host.name(), e.reply());
                // a failure for now outweighs one for good: some host may have an address later
                unresolved = unresolved == null || e.isTransient() && !unresolved.isTransient() ? e : unresolved;
                otherFailure = true;
                continue;
            }
            for (InetAddress ip : addresses) {
                if (reached(settings.maxMxAddresses(), triedAddresses) || reached(settings.maxMxSessions(), sessionCount)
                        || (stopped = withdrawn.getAsBoolean())) {
                    break hosts;
                }
                triedAddresses++;
                try {
                    List<RecipientResult> results = attempt(host, ip, hostTls, tls, envelope.withRecipients(pending),
                            content, withdrawn, shaping);
                    sessionCount++;
                    qualified = true;
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
                    if (f.siteWide) { // the site's connection rate: any other host of the site would wait the same
                        deferAll(pending, decided, f.reply, host, null);
                        break hosts;
                    }
                    if (f.tlsFailure != null) {
                        report(tls, host.name(), ip, hostTls, false, false, f.tlsFailure, f.reply.text());
                    }
                    if (requireTls && (f.requireTls || f.tlsFailure != null)) {
                        // RFC 8689 §4.2.1: this host cannot carry it; the next MX may. Permanent only when none can.
                        sessionCount += f.requireTls ? 1 : 0;
                        requireTlsRefusal = f.requireTls ? f.reply : SmtpReply.of(550, "5.7.10",
                                "REQUIRETLS: no verified TLS with " + describe(host, ip) + ": " + f.reply.text());
                        deferAll(pending, decided, SmtpReply.of(451, "4." + requireTlsRefusal.enhancedStatus().substring(2),
                                requireTlsRefusal.text()), host, ip);
                        continue hosts;
                    }
                    otherFailure = true;
                    deferAll(pending, decided, f.reply, host, ip);
                } catch (InterruptedException e) {
                    throw e;
                } catch (Throwable t) { // nothing one peer does may take the delivery, or the caller, with it
                    otherFailure = true;
                    LOG.warn("Delivery to {} [{}] failed unexpectedly; deferring", host.name(), ip.getHostAddress(), t);
                    deferAll(pending, decided, SmtpReply.of(451, "4.3.0", "Local error in the attempt on "
                            + describe(host, ip) + ": " + t), host, ip);
                }
            }
        }
        // withdrawn before DATA inside a transaction, with no host left to notice it at the top of the loop
        stopped |= decided.values().stream().anyMatch(r -> DeliveryCancellation.REPLY.equals(r.getReply()));
        if (requireTlsRefusal != null && !qualified && !otherFailure && !stopped) {
            // every host tried refused REQUIRETLS or verified TLS, none was out of reach: fail for good (RFC 8689 §4.2.1)
            for (Map.Entry<String, RecipientResult> e : decided.entrySet()) {
                RecipientResult r = e.getValue();
                if (r.getStatus() == RecipientResult.Status.DEFERRED) {
                    e.setValue(RecipientResult.of(r.getRecipient(), requireTlsRefusal, r.getHost(), r.getAddress(), null));
                }
            }
        }
        List<RecipientResult> out = new ArrayList<>(recipients.size());
        for (Envelope.Recipient r : recipients) {
            RecipientResult result = decided.get(r.address());
            if (stopped && (result == null || result.getStatus() == RecipientResult.Status.DEFERRED)) {
                // withdrawn: what was deferred so far is now deferred for that reason (keeping where, if known)
                result = result != null && DeliveryCancellation.REPLY.equals(result.getReply()) ? result
                        : RecipientResult.of(r.address(), DeliveryCancellation.REPLY, null, null, null);
            } else if (result == null && unresolved != null) {
                result = RecipientResult.of(r.address(), unresolved.reply(), null, null, null);
            } else if (result == null) {
                result = new RecipientResult(r.address(), RecipientResult.Status.DEFERRED,
                        SmtpReply.of(451, "4.4.4", "No mail exchanger could be tried"), null, null, null, Instant.now());
            }
            out.add(result);
        }
        return out;
    }

    private static boolean reached(int limit, int count) {
        return limit > 0 && count >= limit;
    }

    private void deferAll(List<Envelope.Recipient> pending, Map<String, RecipientResult> decided, SmtpReply reply,
            MxHost host, InetAddress ip) {
        for (Envelope.Recipient r : pending) {
            decided.put(r.address(), new RecipientResult(r.address(), RecipientResult.Status.DEFERRED, reply,
                    host.name(), ip == null ? null : addressOf(ip), null, Instant.now()));
        }
    }

    /** Tells the listener; what it throws stays here. */
    private void report(DestinationTls tls, String host, InetAddress ip, HostTls hostTls, boolean negotiated,
            boolean verified, TlsResultType failure, String detail) {
        meters.tls(hostTls.policy(), negotiated, verified, failure == null ? null : failure.rfcName());
        try {
            tlsOutcomes.outcome(new TlsOutcome(tls.domain(), host, ip == null ? null : ip.getHostAddress(),
                    hostTls.policy(), hostTls.testing(), hostTls.policyStrings(), negotiated, verified, failure, detail));
        } catch (RuntimeException e) {
            LOG.warn("TLS outcome listener failed", e);
        }
    }

    private List<RecipientResult> attempt(MxHost host, InetAddress ip, HostTls hostTls, DestinationTls tls,
            Envelope envelope, MailContent content, BooleanSupplier withdrawn, SiteShaping shaping)
            throws HostFailure, InterruptedException {
        SocketAddress address = settings.unixSocket() != null ? UnixDomainSocketAddress.of(settings.unixSocket())
                : new InetSocketAddress(ip, shaping.port() > 0 ? shaping.port() : settings.port());
        if (!pool.acquire(address, settings.connectTimeout())) {
            throw new HostFailure(SmtpReply.of(451, "4.4.5", "Too many connections to " + describe(host, ip)));
        }
        ConnectionPool.Key key = new ConnectionPool.Key(address, host.name(), hostTls, settings.username());
        AttemptDeadline deadline = AttemptDeadline.start(settings.maxAttemptTime());
        SmtpConnection c = null;
        MailTransaction tx = null;
        boolean completed = false;
        boolean declined = false;
        long started = System.nanoTime();
        try {
            c = settings.connectionReuse() ? reuse(key, deadline, shaping) : null;
            if (c != null) {
                meters.connection(true);
            } else {
                paced(shaping, deadline, withdrawn);
                c = sessions.connect(host.name(), address, hostTls, deadline);
                meters.connection(false);
                boolean verified = c.tlsVerified() && (hostTls.mode() == HostTls.Mode.VERIFIED || hostTls.testing());
                report(tls, host.name(), ip, hostTls, c.tlsProtocol() != null, verified && c.reportedFailure() == null,
                        c.reportedFailure(), c.reportedDetail());
            }
            SmtpReply requireTls = RequireTlsCheck.refusal(envelope, c, host.name());
            if (requireTls != null) {
                declined = true; // nothing sent: the session stays clean for other mail
                throw new HostFailure(requireTls, null, true);
            }
            tx = new MailTransaction(settings, c, host.name(), envelope, content, withdrawn);
            List<RecipientResult> results = tx.run();
            c.countTransaction();
            completed = true;
            return results;
        } finally {
            if (c != null) {
                if (!completed && !declined) {
                    c.close(); // in an unknown state, perhaps in the middle of DATA: nothing more to say
                } else if ((declined || tx.isReusable()) && settings.connectionReuse()
                           && !shaping.spent(c.transactions())) {
                    c.clearDeadline();
                    pool.keep(key, c);
                } else {
                    c.quit();
                }
            }
            pool.release(address);
            meters.attempt(completed, System.nanoTime() - started);
        }
    }

    /**
     * Waits for a permit of the site's connection rate, if the rule has one: until the attempt's deadline (else the
     * command time-out) at most. No permit in time, or a withdrawal, is a site-wide failure: nothing is connected.
     */
    private void paced(SiteShaping shaping, AttemptDeadline deadline, BooleanSupplier withdrawn)
            throws HostFailure, InterruptedException {
        if (shaping.connectionRate() == null) {
            return;
        }
        long until = System.nanoTime() + (deadline.isSet() ? deadline.left() : settings.commandTimeout()).toNanos();
        switch (pacers.await(shaping.site(), shaping.connectionRate(), until, withdrawn)) {
            case GRANTED -> {
            }
            case WITHDRAWN -> throw HostFailure.siteWide(DeliveryCancellation.REPLY);
            case TOO_LATE -> throw HostFailure.siteWide(SmtpReply.of(451, "4.4.5", "Connection rate limit of site "
                    + shaping.siteForReply() + " reached, try again later"));
        }
    }

    /**
     * A kept connection for {@code key} that still answers RSET with 250, or null; one that has carried the rule's
     * {@code maxMessagesPerConnection} already (the rule was lowered since) is closed instead.
     */
    private SmtpConnection reuse(ConnectionPool.Key key, AttemptDeadline deadline, SiteShaping shaping) {
        SmtpConnection c;
        while ((c = pool.take(key)) != null) {
            if (shaping.spent(c.transactions())) {
                c.quit();
                continue;
            }
            try {
                deadline.arm(c, SmtpConnection.where(c.host(), key.address()));
                c.timeout(settings.commandTimeout());
                if (c.command("RSET").code() == 250) {
                    return c;
                }
            } catch (IOException e) {
                LOG.debug("Kept connection to {} is gone: {}", key.address(), e.toString());
            }
            c.close();
        }
        return null;
    }

    private String describe(MxHost host, InetAddress ip) {
        return settings.unixSocket() != null ? "unix:" + settings.unixSocket() : host.name() + " [" + ip.getHostAddress() + "]";
    }

    /** The IP address tried, or the Unix-domain socket's path (for reports). */
    private String addressOf(InetAddress ip) {
        return settings.unixSocket() != null ? settings.unixSocket() : ip.getHostAddress();
    }
}

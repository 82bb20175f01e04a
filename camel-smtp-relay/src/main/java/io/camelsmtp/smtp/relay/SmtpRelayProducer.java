package io.camelsmtp.smtp.relay;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.GeneralSecurityException;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

import io.camelsmtp.smtp.common.DeliveryCancellation;
import io.camelsmtp.smtp.common.DeliveryReport;
import io.camelsmtp.smtp.common.DnsServers;
import io.camelsmtp.smtp.common.Envelope;
import io.camelsmtp.smtp.common.EnvelopeBinding;
import io.camelsmtp.smtp.common.MessageFactory;
import io.camelsmtp.smtp.common.RecipientResult;
import io.camelsmtp.smtp.common.SmtpReply;
import io.camelsmtp.smtp.common.metrics.SmtpMeters;
import io.camelsmtp.smtp.common.shaping.ShapingRule;
import io.camelsmtp.smtp.relay.client.ClientSettings;
import io.camelsmtp.smtp.relay.client.DeliveryAgent;
import io.camelsmtp.smtp.relay.client.SiteShaping;
import io.camelsmtp.smtp.relay.client.SourceAddresses;
import io.camelsmtp.smtp.relay.client.TlsPolicy;
import io.camelsmtp.smtp.relay.dane.DaneDestinations;
import io.camelsmtp.smtp.relay.dane.DaneLookup;
import io.camelsmtp.smtp.relay.dane.DaneSetup;
import io.camelsmtp.smtp.relay.dns.MxHost;
import io.camelsmtp.smtp.relay.dns.MxResolver;
import io.camelsmtp.smtp.relay.dns.MxSites;
import io.camelsmtp.smtp.relay.metrics.RelayMeters;
import io.camelsmtp.smtp.relay.dns.ResolutionException;
import io.camelsmtp.smtp.relay.mtasts.MtaSts;
import io.camelsmtp.smtp.relay.mtasts.PolicyCache;
import io.camelsmtp.smtp.relay.mtasts.PolicyFetcher;
import io.camelsmtp.smtp.relay.tls.DestinationTls;
import io.camelsmtp.smtp.relay.tls.TlsOutcomeListener;
import io.camelsmtp.smtp.relay.tlsrpt.TlsOutcomeFeed;
import io.camelsmtp.smtp.relay.tlsrpt.TlsReporting;
import org.apache.camel.Exchange;
import org.apache.camel.support.DefaultProducer;
import org.apache.camel.support.jsse.SSLContextParameters;
import org.apache.camel.support.jsse.TrustManagersParameters;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends each Exchange: recipients grouped by destination (domain, or the smart host), one transaction per
 * destination, and a {@link DeliveryReport} in header {@code CamelSmtpDeliveryReport}. Completes normally when every
 * recipient was delivered, else throws {@link SmtpDeliveryException} (transient while some are only deferred).
 */
public class SmtpRelayProducer extends DefaultProducer {

    /**
     * Exchange property with the recipients already delivered or failed for good. Camel's error handler redelivers
     * the original message (headers included) but keeps exchange properties, so this is what makes a redelivery
     * skip them.
     */
    static final String DECIDED_PROPERTY = "CamelSmtpRelayDecided";

    private static final Logger LOG = LoggerFactory.getLogger(SmtpRelayProducer.class);

    private final SmtpRelayEndpoint endpoint;
    private MxResolver resolver;
    private DeliveryAgent agent;
    private ScheduledExecutorService timer;
    private ExecutorService dns;
    private MtaSts mtaSts;
    private DaneDestinations dane;
    private RelayMeters meters = RelayMeters.NONE;
    private RelayDnsHealthCheck dnsHealth;

    public SmtpRelayProducer(SmtpRelayEndpoint endpoint) {
        super(endpoint);
        this.endpoint = endpoint;
    }

    @Override
    protected void doStart() throws Exception {
        super.doStart();
        SmtpRelayConfiguration config = endpoint.getConfiguration();
        checkDaneRequired(config);
        if (endpoint.isMx() || config.getDnsServers() != null) {
            dns = getEndpoint().getCamelContext().getExecutorServiceManager().newCachedThreadPool(this, "SmtpRelayDns");
            resolver = new MxResolver(DnsServers.parse(config.getDnsServers()), Duration.ofMillis(config.getDnsTimeout()),
                    config.isAllowPrivateAddresses(), dns);
            dnsHealth = RelayDnsHealthCheck.register(getEndpoint().getCamelContext(), config.getDnsServers(),
                    Duration.ofMillis(config.getDnsTimeout()));
        }
        if (endpoint.isMx()) { // for smtp-queue's traffic shaping: sites by the relay's own MX answers
            MxSites.bindIfAbsent(getEndpoint().getCamelContext(), config.getDnsServers(),
                    Duration.ofMillis(config.getDnsTimeout()));
        }
        // looked up once: without a MeterRegistry in the Camel registry no meter is made and nothing is counted
        meters = RelayMeters.of(SmtpMeters.registry(getEndpoint().getCamelContext()));
        SSLContext verifying = config.getSslContextParameters() != null
                ? config.getSslContextParameters().createSSLContext(getEndpoint().getCamelContext())
                : SSLContext.getDefault();
        int port = endpoint.isMx() ? config.getPort() : endpoint.smartHostPort();
        timer = getEndpoint().getCamelContext().getExecutorServiceManager()
                .newScheduledThreadPool(this, "SmtpRelayTimer", 2);
        // a Unix-domain socket is local: no STARTTLS there (nor a certificate to check)
        TlsPolicy tls = endpoint.lmtpSocket() != null ? TlsPolicy.none : config.getTls();
        agent = new DeliveryAgent(new ClientSettings(endpoint.effectiveHeloName(), port, tls, verifying,
                serverTrust(config.getSslContextParameters()), config.getUsername(), config.getPassword(),
                config.isAuthOverUnverifiedTls(), Duration.ofMillis(config.getConnectTimeout()),
                Duration.ofMillis(config.getCommandTimeout()), Duration.ofMillis(config.getDataTimeout()),
                Duration.ofMillis(config.getMaxAttemptTime()), config.getMaxMxHosts(), config.getMaxMxAddresses(),
                config.getMaxMxSessions(), config.isConnectionReuse(), Duration.ofMillis(config.getIdleConnectionTime()),
                config.getMaxConnectionsPerHost(), endpoint.isLmtp(), endpoint.lmtpSocket(), config.isChunking(),
                SourceAddresses.parse(config.getLocalAddress())), timer);
        TlsOutcomeListener outcomes = outcomes(config);
        agent.setTlsOutcomeListener(outcomes);
        agent.setMeters(meters);
        if (config.isConnectionReuse()) {
            timer.scheduleWithFixedDelay(agent::evictIdle, 1, 1, TimeUnit.SECONDS);
        }
        if (endpoint.isMx() && (config.isMtaSts() || config.isMtaStsRequired())) {
            mtaSts = mtaSts(config, verifying, outcomes);
        }
        DaneLookup daneLookup = endpoint.isMx() ? DaneSetup.fromOptions(config.getDane(), config.getDaneTrustAnchors(),
                config.getDaneTrustedResolvers(), config.getDnsServers(), Duration.ofMillis(config.getDnsTimeout()), dns)
                : null;
        dane = daneLookup != null ? new DaneDestinations(daneLookup, Clock.systemUTC(), config.isDaneRequired()) : null;
    }

    /** {@code daneRequired} without DANE could never deliver anything: refuse to start, saying why. */
    private void checkDaneRequired(SmtpRelayConfiguration config) {
        if (!config.isDaneRequired()) {
            return;
        }
        if (!endpoint.isMx()) {
            throw new IllegalArgumentException("daneRequired applies to MX delivery (smtp-relay:mx) only; a smart host "
                    + "has no DANE policy");
        }
        boolean validated = notBlank(config.getDaneTrustAnchors()) || notBlank(config.getDaneTrustedResolvers());
        if (Boolean.FALSE.equals(config.getDane()) || !validated) {
            throw new IllegalArgumentException("daneRequired needs DANE on: set daneTrustAnchors or daneTrustedResolvers"
                    + (Boolean.FALSE.equals(config.getDane()) ? " and remove dane=false" : "")
                    + "; without DNSSEC-validated TLSA records no host could ever be used");
        }
    }

    private static boolean notBlank(String s) {
        return s != null && !s.isBlank();
    }

    /**
     * Who hears the TLS outcomes: the component's TLS reporter (while it runs; MX deliveries only) and the
     * {@code tlsOutcomeListener} option, each on its own, so one failing does not starve the other.
     */
    private TlsOutcomeListener outcomes(SmtpRelayConfiguration config) {
        TlsOutcomeListener user = config.getTlsOutcomeListener();
        if (!endpoint.isMx() || !(endpoint.getComponent() instanceof SmtpRelayComponent component)) {
            return user;
        }
        TlsOutcomeListener reports = new TlsOutcomeFeed(() -> {
            TlsReporting r = component.getTlsReporting();
            return r != null ? r.collector() : null;
        }, config.getTls() != TlsPolicy.none);
        if (user == null) {
            return reports;
        }
        return o -> {
            try {
                reports.outcome(o);
            } catch (RuntimeException e) {
                LOG.warn("TLS reporting failed to count an outcome", e);
            }
            user.outcome(o);
        };
    }

    private MtaSts mtaSts(SmtpRelayConfiguration config, SSLContext trust, TlsOutcomeListener outcomes) throws IOException {
        MxResolver dnsLookup = resolver;
        PolicyFetcher fetcher = new PolicyFetcher(dnsLookup::serviceAddresses, trust, config.getMtaStsPolicyPort(),
                Duration.ofMillis(config.getMtaStsFetchTimeout()), timer);
        String dir = config.getMtaStsCacheDirectory();
        PolicyCache cache = new PolicyCache(dir == null || dir.isBlank() ? null : Path.of(dir));
        TlsOutcomeListener listener = outcomes != null ? outcomes : TlsOutcomeListener.NONE;
        return new MtaSts(dnsLookup::txt, fetcher, cache, config.isMtaStsRequired(),
                Duration.ofMillis(config.getDnsTimeout()).multipliedBy(3).plusSeconds(1), () -> listener, Clock.systemUTC(),
                dns);
    }

    /** The trust of {@code sslContextParameters} (else the JVM's), to check opportunistic sessions before AUTH. */
    private X509TrustManager serverTrust(SSLContextParameters parameters) throws GeneralSecurityException, IOException {
        TrustManager[] managers;
        TrustManagersParameters trust = parameters != null ? parameters.getTrustManagers() : null;
        if (trust != null) {
            trust.setCamelContext(getEndpoint().getCamelContext());
            if (trust.getKeyStore() != null && trust.getKeyStore().getCamelContext() == null) {
                trust.getKeyStore().setCamelContext(getEndpoint().getCamelContext());
            }
            managers = trust.createTrustManagers();
        } else {
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init((KeyStore) null);
            managers = factory.getTrustManagers();
        }
        for (TrustManager m : managers) {
            if (m instanceof X509TrustManager x) {
                return x;
            }
        }
        return null;
    }

    @Override
    protected void doStop() throws Exception {
        RelayDnsHealthCheck.unregister(getEndpoint().getCamelContext(), dnsHealth);
        dnsHealth = null;
        mtaSts = null;
        dane = null;
        if (agent != null) {
            agent.close();
            agent = null;
        }
        if (timer != null) {
            getEndpoint().getCamelContext().getExecutorServiceManager().shutdownNow(timer);
            timer = null;
        }
        if (dns != null) {
            getEndpoint().getCamelContext().getExecutorServiceManager().shutdownNow(dns);
            dns = null;
        }
        super.doStop();
    }

    @Override
    public void process(Exchange exchange) throws Exception {
        MessageFactory.Prepared prepared = MessageFactory.create(exchange);
        Envelope envelope = prepared.envelope();
        Map<String, RecipientResult> results = new HashMap<>(decidedBefore(exchange));
        Envelope sendable = prepared.deliverable().without(results.keySet());
        for (String bad : prepared.invalidRecipients()) {
            results.put(bad, new RecipientResult(bad, RecipientResult.Status.FAILED,
                    SmtpReply.of(553, "5.1.3", "Bad recipient address syntax"), null, null, null, Instant.now()));
        }
        BooleanSupplier withdrawn = () -> DeliveryCancellation.isCancelled(exchange);
        // the queue's limits for the site (an LMTP hop is the last one: no site to spare it)
        ShapingRule rule = endpoint.isLmtp() ? null
                : exchange.getProperty(ShapingRule.PROPERTY) instanceof ShapingRule r ? r : null;
        for (Map.Entry<String, List<Envelope.Recipient>> group : groups(sendable).entrySet()) {
            List<Envelope.Recipient> recipients = group.getValue();
            List<RecipientResult> outcome;
            try {
                if (withdrawn.getAsBoolean()) {
                    outcome = decideAll(recipients, DeliveryCancellation.REPLY);
                } else {
                    outcome = deliver(group.getKey(), sendable.withRecipients(recipients), prepared, rule, withdrawn);
                }
            } catch (ResolutionException e) {
                outcome = decideAll(recipients, e.reply());
            } catch (RuntimeException e) {
                // a resolver bug or an answer it cannot take must not fail the other destinations
                LOG.warn("Looking up where {} goes failed unexpectedly; deferring", group.getKey(), e);
                outcome = decideAll(recipients, SmtpReply.of(451, "4.4.3", "Look-up of " + group.getKey() + " failed: " + e));
            }
            for (RecipientResult r : outcome) {
                results.put(r.getRecipient(), r);
                meters.reply(group.getKey().isEmpty() ? endpoint.smartHost() : group.getKey(),
                        r.getReply() == null ? 0 : r.getReply().code());
            }
        }
        List<RecipientResult> ordered = new ArrayList<>();
        for (String r : envelope.addresses()) {
            RecipientResult result = results.get(r);
            if (result != null && !ordered.contains(result)) {
                ordered.add(result);
            }
        }
        DeliveryReport report = new DeliveryReport(ordered);
        exchange.getMessage().setHeader(SmtpRelayConstants.DELIVERY_REPORT, report);
        if (report.isAllDelivered()) {
            exchange.removeProperty(DECIDED_PROPERTY);
            return;
        }
        Map<String, RecipientResult> decided = new HashMap<>();
        List<Envelope.Recipient> pending = new ArrayList<>();
        for (RecipientResult r : ordered) {
            if (r.getStatus() != RecipientResult.Status.DEFERRED) {
                decided.put(r.getRecipient(), r);
            }
        }
        for (Envelope.Recipient r : envelope.recipients()) {
            RecipientResult result = report.get(r.address());
            if (result != null && result.getStatus() == RecipientResult.Status.DEFERRED) {
                pending.add(r);
            }
        }
        exchange.setProperty(DECIDED_PROPERTY, decided);
        // after a partial delivery the envelope shrinks to the deferred recipients, so a redelivery sends to those alone
        EnvelopeBinding.write(envelope.withRecipients(pending), exchange.getMessage());
        throw new SmtpDeliveryException(report);
    }

    /**
     * One destination's delivery. With a rule that moved the site to a smart host, to that host alone, under the
     * endpoint's (or the rule's) TLS and AUTH settings, and DANE for the host's own TLSA records (daneRequired holds);
     * the recipient domain's MTA-STS policy names its own mail exchangers, not a host the operator chose. Otherwise to the MX hosts (or the endpoint's smart host), the
     * rule's {@code tls} in place of the endpoint's option, MTA-STS and DANE on top as always.
     */
    private List<RecipientResult> deliver(String domain, Envelope envelope, MessageFactory.Prepared prepared,
            ShapingRule rule, BooleanSupplier withdrawn) throws ResolutionException, InterruptedException {
        if (rule != null && rule.smartHost() != null) {
            RuleSmartHost target = RuleSmartHost.parse(rule.smartHost(), rule.site());
            SiteShaping shaping = new SiteShaping(rule, target.port());
            MxHost host = target.resolve(resolver, endpoint.getConfiguration().isAllowPrivateAddresses());
            DestinationTls tls = agent.configuredTls(domain.isEmpty() ? target.host() : domain, shaping);
            if (dane != null) { // TLSA records are the host's own, so DANE still applies (on port 25, where they are)
                if (target.port() == RuleSmartHost.DEFAULT_PORT && !target.isLiteral()) {
                    tls = dane.decide(target.host(), List.of(target.host()), tls);
                } else if (endpoint.getConfiguration().isDaneRequired()) {
                    throw new ResolutionException(SmtpReply.of(451, "4.7.5", "daneRequired: smart host "
                            + target.host() + ":" + target.port() + " of the shaping rule has no DANE policy (TLSA"
                            + " records are looked up for host names on port 25 only)"));
                }
            }
            return agent.deliver(envelope, prepared.content(), List.of(host), tls, withdrawn, shaping);
        }
        SiteShaping shaping = rule == null ? SiteShaping.NONE : new SiteShaping(rule, 0);
        // the policy's TXT record is looked up while the MX records are
        MtaSts.Pending sts = mtaSts != null && !domain.isEmpty() ? mtaSts.begin(domain) : null;
        try {
            List<MxHost> hosts = hosts(domain);
            DestinationTls base = agent.configuredTls(domain, shaping);
            DestinationTls tls = sts != null ? mtaSts.decide(sts, base) : base;
            sts = null;
            if (dane != null && !domain.isEmpty()) { // DANE's verdict per host, over MTA-STS's
                tls = dane.decide(domain, names(hosts), tls);
            }
            return agent.deliver(envelope, prepared.content(), hosts, tls, withdrawn, shaping);
        } finally {
            if (sts != null) {
                sts.cancel();
            }
        }
    }

    private static List<RecipientResult> decideAll(List<Envelope.Recipient> recipients, SmtpReply reply) {
        List<RecipientResult> out = new ArrayList<>(recipients.size());
        for (Envelope.Recipient r : recipients) {
            out.add(RecipientResult.of(r.address(), reply, null, null, null));
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, RecipientResult> decidedBefore(Exchange exchange) {
        Map<String, RecipientResult> decided = exchange.getProperty(DECIDED_PROPERTY, Map.class);
        return decided == null ? Map.of() : decided;
    }

    private Map<String, List<Envelope.Recipient>> groups(Envelope envelope) {
        Map<String, List<Envelope.Recipient>> groups = new LinkedHashMap<>();
        for (Envelope.Recipient r : envelope.recipients()) {
            int at = r.address().lastIndexOf('@');
            String key = endpoint.isMx() && at >= 0 ? r.address().substring(at + 1).toLowerCase(Locale.ROOT) : "";
            groups.computeIfAbsent(key, k -> new ArrayList<>()).add(r);
        }
        return groups;
    }

    /** The names of the hosts the delivery may try ({@code maxMxHosts}), for policies looked up before it starts. */
    private List<String> names(List<MxHost> hosts) {
        int limit = endpoint.getConfiguration().getMaxMxHosts();
        List<String> names = new ArrayList<>();
        for (MxHost h : hosts) {
            if (limit > 0 && names.size() >= limit) {
                break;
            }
            names.add(h.name());
        }
        return names;
    }

    private List<MxHost> hosts(String domain) throws ResolutionException {
        if (endpoint.isMx()) {
            if (domain.isEmpty()) {
                throw new ResolutionException(SmtpReply.of(553, "5.1.3",
                        "Recipient address has no domain to look up; deliver the bare postmaster locally"));
            }
            return resolver.resolve(domain);
        }
        if (endpoint.lmtpSocket() != null) { // the address is not used: the agent connects to the socket
            return List.of(MxHost.of(endpoint.lmtpSocket(), 0, List.of(InetAddress.getLoopbackAddress())));
        }
        String host = endpoint.smartHost();
        try {
            if (host.matches("[0-9.]+|.*:.*")) {
                return List.of(MxHost.of(host, 0, List.of(InetAddress.getByName(host))));
            }
            if (resolver != null) {
                return List.of(MxHost.of(host, 0, resolver.hostAddresses(host)));
            }
            return List.of(MxHost.of(host, 0, Arrays.asList(InetAddress.getAllByName(host))));
        } catch (UnknownHostException e) {
            throw new ResolutionException(SmtpReply.of(451, "4.4.3", "Smart host " + host + " cannot be resolved"));
        }
    }
}

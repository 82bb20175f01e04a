package io.camelsmtp.smtp.auth;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;

import io.camelsmtp.smtp.auth.dns.TxtResolver;
import io.camelsmtp.smtp.auth.dnsbl.DnsblChecker;
import io.camelsmtp.smtp.auth.dnsbl.DnsblResult;
import io.camelsmtp.smtp.auth.dnsbl.DnsblZone;
import io.camelsmtp.smtp.common.Networks;
import io.camelsmtp.smtp.common.SmtpReply;
import io.camelsmtp.smtp.common.SmtpReplyException;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code smtp-auth:dnsbl}: the client address ({@code CamelSmtpRemoteAddress}, as {@code smtp-server} sets it on
 * every policy route) against the DNS block lists of the {@code zones} option. Sets the
 * {@code CamelSmtpAuthDnsbl*} headers and, with {@code refuseWhenListed} (the default), fails the exchange with
 * {@code 554 5.7.1} naming the list and its reason, which {@code smtp-server} sends as it is. DNS failures never
 * refuse.
 */
final class DnsblOperation extends SmtpAuthProducer.Operation {

    private static final Logger LOG = LoggerFactory.getLogger(DnsblOperation.class);
    /** The header {@code smtp-server} puts the client's IP address in (this module does not depend on the server). */
    static final String REMOTE_ADDRESS = "CamelSmtpRemoteAddress";

    private final SmtpAuthEndpoint endpoint;
    private final SmtpAuthConfiguration config;
    private ExecutorService dns;
    private DnsblChecker checker;
    private Networks allowList;
    private volatile boolean warnedNoAddress;

    DnsblOperation(SmtpAuthEndpoint endpoint) {
        this.endpoint = endpoint;
        this.config = endpoint.getConfiguration();
    }

    @Override
    protected void doStart() throws Exception {
        List<DnsblZone> zones = DnsblZone.parse(config.getZones()); // a bad zone stops the start, naming it
        allowList = Networks.parse(config.getAllowList());
        if (config.getDnsblTimeout() <= 0) {
            throw new IllegalArgumentException("dnsblTimeout must be positive");
        }
        dns = endpoint.getCamelContext().getExecutorServiceManager().newCachedThreadPool(this, "SmtpAuthDnsbl");
        Duration overall = Duration.ofMillis(config.getDnsblTimeout());
        // a query never waits longer than the whole check may
        Duration perQuery = Duration.ofMillis(Math.min(config.getDnsTimeout(), config.getDnsblTimeout()));
        checker = new DnsblChecker(new TxtResolver(TxtResolver.servers(config.getDnsServers()), perQuery, dns), zones,
                overall);
    }

    @Override
    protected void doStop() {
        if (dns != null) {
            endpoint.getCamelContext().getExecutorServiceManager().shutdownNow(dns);
            dns = null;
        }
    }

    @Override
    void process(Exchange exchange) throws Exception {
        Message in = exchange.getMessage();
        String text = in.getHeader(REMOTE_ADDRESS, String.class);
        InetAddress client = literal(text);
        if (client == null) {
            if (!warnedNoAddress) {
                warnedNoAddress = true;
                LOG.warn("{}: no client address in {} (\"{}\"): not checked. Use it on an smtp-server policy route, or "
                         + "set the header (logged once)", endpoint.getEndpointUri(), REMOTE_ADDRESS,
                        text == null ? "" : text.replaceAll("[^\\x20-\\x7e]", "?"));
            }
            set(in, "none", List.of(), List.of(), null, List.of());
            return;
        }
        if (allowList.contains(client)) {
            set(in, "allowed", List.of(), List.of(), null, List.of());
            return;
        }
        DnsblResult r = checker.check(client);
        set(in, r.result(), r.listed(), r.codes(), r.reason(), r.failed());
        if (r.isListed() && config.isRefuseWhenListed()) {
            String why = "Service unavailable; client [" + client.getHostAddress() + "] blocked using "
                         + r.listed().get(0) + (r.reason() != null ? "; " + r.reason() : "");
            throw new SmtpReplyException(SmtpReply.of(554, "5.7.1", why));
        }
    }

    private static void set(Message in, String result, List<String> listed, List<String> codes, String reason,
            List<String> failed) {
        in.setHeader(SmtpAuthConstants.DNSBL_RESULT, result);
        in.setHeader(SmtpAuthConstants.DNSBL_LISTED, listed);
        in.setHeader(SmtpAuthConstants.DNSBL_CODES, codes);
        in.setHeader(SmtpAuthConstants.DNSBL_REASON, reason);
        in.setHeader(SmtpAuthConstants.DNSBL_FAILED, failed);
    }

    /** An IP address literal, never a DNS look-up; null for anything else. An IPv6 scope is dropped. */
    static InetAddress literal(String text) {
        if (text == null) {
            return null;
        }
        String s = text.strip();
        int percent = s.indexOf('%');
        if (percent >= 0) {
            s = s.substring(0, percent);
        }
        if (s.startsWith("[") && s.endsWith("]")) {
            s = s.substring(1, s.length() - 1);
        }
        boolean v4 = s.matches("(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");
        if (!v4 && (s.indexOf(':') < 0 || !s.matches("[0-9A-Fa-f:.]{2,45}"))) {
            return null;
        }
        try {
            return InetAddress.getByName(s);
        } catch (UnknownHostException e) {
            return null;
        }
    }
}

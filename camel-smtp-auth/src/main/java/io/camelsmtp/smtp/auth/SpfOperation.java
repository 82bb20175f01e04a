package io.camelsmtp.smtp.auth;

import java.net.InetAddress;
import java.time.Duration;
import java.util.concurrent.ExecutorService;

import io.camelsmtp.smtp.auth.dns.TxtResolver;
import io.camelsmtp.smtp.auth.spf.SpfEvaluator;
import io.camelsmtp.smtp.auth.spf.SpfResult;
import io.camelsmtp.smtp.common.SmtpEnvelopeHeaders;
import io.camelsmtp.smtp.common.SmtpReply;
import io.camelsmtp.smtp.common.SmtpReplyException;
import org.apache.camel.Exchange;
import org.apache.camel.Message;

/**
 * {@code smtp-auth:spf}: RFC 7208 for the client address, HELO name and MAIL FROM of the Exchange (smtp-server's
 * headers, so it fits a {@code mailPolicy} route as well as the main one); sets {@code CamelSmtpAuthSpf} and
 * {@code CamelSmtpAuthSpfDetail}, remembers the verdict for {@code verify}, and refuses on request: fail with
 * {@code 550 5.7.23}, permerror with {@code 550 5.7.24}, temperror with {@code 451 4.7.24} (RFC 7372). Nothing in DNS
 * or in the client's input makes it throw anything else.
 */
final class SpfOperation extends SmtpAuthProducer.Operation {

    /** smtp-server's header names (SmtpServerConstants), named here so as not to depend on the server. */
    static final String REMOTE_ADDRESS = "CamelSmtpRemoteAddress";
    static final String HELO = "CamelSmtpHelo";
    static final String SESSION_ID = "CamelSmtpSessionId";

    private final SmtpAuthEndpoint endpoint;
    private final SmtpAuthConfiguration config;
    private ExecutorService dns;
    private SpfEvaluator evaluator;

    SpfOperation(SmtpAuthEndpoint endpoint) {
        this.endpoint = endpoint;
        this.config = endpoint.getConfiguration();
    }

    @Override
    protected void doStart() throws Exception {
        dns = endpoint.getCamelContext().getExecutorServiceManager().newCachedThreadPool(this, "SmtpAuthSpfDns");
        evaluator = evaluator(config, dns);
    }

    static SpfEvaluator evaluator(SmtpAuthConfiguration config, ExecutorService dns) {
        return evaluator(config, new TxtResolver(TxtResolver.servers(config.getDnsServers()),
                Duration.ofMillis(config.getDnsTimeout()), dns));
    }

    /** On a resolver the caller already has: verify shares its own (one session, one cache) with SPF. */
    static SpfEvaluator evaluator(SmtpAuthConfiguration config, TxtResolver resolver) {
        return new SpfEvaluator(resolver, config.getSpfTimeout(), receivingDomain(config));
    }

    private static String receivingDomain(SmtpAuthConfiguration config) {
        if (config.getAuthservId() != null) {
            return config.getAuthservId();
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (java.net.UnknownHostException e) {
            return "unknown";
        }
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
        if (in.getHeader(REMOTE_ADDRESS) == null) {
            throw new IllegalArgumentException("smtp-auth:spf needs the client address in the header " + REMOTE_ADDRESS
                    + " (set by smtp-server)");
        }
        SpfResult r = check(in, evaluator);
        ((SmtpAuthComponent) endpoint.getComponent()).spfVerdicts().put(key(in), r);
        if (r.is("fail") && config.isRefuseOnFail()) {
            throw new SmtpReplyException(SmtpReply.of(550, "5.7.23", "SPF: " + reason(r)));
        }
        if (r.is("permerror") && config.isRefuseOnPermError()) {
            throw new SmtpReplyException(SmtpReply.of(550, "5.7.24", "SPF: the record of " + r.domain()
                    + " cannot be interpreted"));
        }
        if (r.is("temperror") && config.isRefuseOnTempError()) {
            throw new SmtpReplyException(SmtpReply.of(451, "4.7.24", "SPF: temporary DNS failure for " + r.domain()
                    + ", try again later"));
        }
    }

    /** Evaluates and sets the headers. */
    static SpfResult check(Message in, SpfEvaluator evaluator) {
        SpfResult r = evaluator.check(in.getHeader(REMOTE_ADDRESS, String.class), in.getHeader(HELO, String.class),
                in.getHeader(SmtpEnvelopeHeaders.ENVELOPE_FROM, String.class));
        in.setHeader(SmtpAuthConstants.SPF, r.result());
        in.setHeader(SmtpAuthConstants.SPF_DETAIL, r);
        return r;
    }

    static String key(Message in) {
        return SpfVerdicts.key(in.getHeader(SESSION_ID, String.class), in.getHeader(REMOTE_ADDRESS, String.class),
                in.getHeader(HELO, String.class), in.getHeader(SmtpEnvelopeHeaders.ENVELOPE_FROM, String.class));
    }

    /** The domain's explanation, made safe for a reply line (it is the sender domain's text). */
    private static String reason(SpfResult r) {
        String text = r.explanation() != null ? r.explanation() : r.clientIp() + " is not a permitted sender for " + r.domain();
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < text.length() && sb.length() < 200; i++) {
            char c = text.charAt(i);
            sb.append(c >= 32 && c < 127 ? c : '?');
        }
        return sb.toString();
    }
}

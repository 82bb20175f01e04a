package io.camelsmtp.smtp.auth;

import java.io.BufferedInputStream;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;

import io.camelsmtp.smtp.auth.dkim.DkimException;
import io.camelsmtp.smtp.auth.dkim.DkimResult;
import io.camelsmtp.smtp.auth.dkim.DkimVerifier;
import io.camelsmtp.smtp.auth.dkim.HeaderSection;
import io.camelsmtp.smtp.auth.dns.TxtResolver;
import io.camelsmtp.smtp.auth.spf.SpfEvaluator;
import io.camelsmtp.smtp.auth.spf.SpfResult;
import org.apache.camel.Exchange;
import org.apache.camel.StreamCache;

/**
 * {@code smtp-auth:verify} (this version: DKIM and SPF): checks every DKIM-Signature, sets {@code CamelSmtpAuthDkim} and
 * {@code CamelSmtpAuthDkimResult}, and puts one RFC 8601 Authentication-Results field with our authserv-id in front
 * of the message, removing incoming ones that claim our id. A message whose header section cannot be read is left
 * as it is, with the result {@code permerror}.
 */
final class DkimVerifyOperation extends SmtpAuthProducer.Operation {

    private final SmtpAuthEndpoint endpoint;
    private final SmtpAuthConfiguration config;
    private ExecutorService dns;
    private DkimVerifier verifier;
    private SpfEvaluator spf;
    private String authservId;

    DkimVerifyOperation(SmtpAuthEndpoint endpoint) {
        this.endpoint = endpoint;
        this.config = endpoint.getConfiguration();
    }

    @Override
    protected void doStart() throws Exception {
        dns = endpoint.getCamelContext().getExecutorServiceManager().newCachedThreadPool(this, "SmtpAuthDns");
        verifier = new DkimVerifier(new TxtResolver(TxtResolver.servers(config.getDnsServers()),
                Duration.ofMillis(config.getDnsTimeout()), dns), Clock.systemUTC());
        spf = config.isVerifySpf() ? SpfOperation.evaluator(config, dns) : null;
        if (config.getAuthservId() != null) {
            authservId = config.getAuthservId();
            if (!authservId.matches("[A-Za-z0-9._-]+")) {
                throw new IllegalArgumentException("authservId must be a host name, not '" + authservId + "'");
            }
        } else {
            String host;
            try {
                host = InetAddress.getLocalHost().getHostName();
            } catch (java.net.UnknownHostException e) {
                host = "localhost";
            }
            authservId = host.matches("[A-Za-z0-9._-]+") ? host : "localhost";
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
        StreamCache body = SmtpAuthProducer.body(exchange);
        InputStream in = new BufferedInputStream((InputStream) body, 16 * 1024);
        HeaderSection section;
        try {
            section = HeaderSection.read(in);
        } catch (DkimException e) {
            body.reset();
            exchange.getMessage().setHeader(SmtpAuthConstants.DKIM, List.of());
            exchange.getMessage().setHeader(SmtpAuthConstants.DKIM_RESULT, "permerror");
            return;
        }
        DkimVerifier.Outcome outcome = verifier.verify(section, in);
        exchange.getMessage().setHeader(SmtpAuthConstants.DKIM, outcome.results());
        exchange.getMessage().setHeader(SmtpAuthConstants.DKIM_RESULT, summary(outcome.results()));
        SpfResult spfResult = spf == null ? null
                : SpfVerifyPart.result(exchange.getMessage(), spf, ((SmtpAuthComponent) endpoint.getComponent()).spfVerdicts());

        StringBuilder prefix = new StringBuilder();
        if (spfResult != null && config.isReceivedSpf()) {
            prefix.append("Received-SPF: ").append(spfResult.receivedSpf()).append("\r\n");
        }
        prefix.append(authenticationResults(outcome, spfResult));
        boolean removed = false;
        StringBuilder kept = new StringBuilder();
        for (HeaderSection.Field f : section.fields()) {
            if (f.name().equalsIgnoreCase("Authentication-Results") && claimsOurId(f)) {
                removed = true;
            } else {
                kept.append(f.raw());
            }
        }
        long skip = 0;
        if (removed) {
            prefix.append(kept).append("\r\n");
            skip = section.size();
        }
        exchange.getMessage().setBody(new PrefixedBody(prefix.toString().getBytes(StandardCharsets.ISO_8859_1), body, skip));
    }

    private boolean claimsOurId(HeaderSection.Field f) {
        String v = f.unfolded().replaceAll("\\([^()]*\\)", " ").strip(); // a comment before the id
        int semi = v.indexOf(';');
        String id = (semi < 0 ? v : v.substring(0, semi)).strip().split("[ \t]")[0];
        return id.equalsIgnoreCase(authservId);
    }

    /** pass when one signature passed; else the first of fail, temperror, permerror, policy, neutral; none. */
    static String summary(List<DkimResult> results) {
        for (DkimResult.Status s : new DkimResult.Status[] { DkimResult.Status.PASS, DkimResult.Status.FAIL,
                DkimResult.Status.TEMPERROR, DkimResult.Status.PERMERROR, DkimResult.Status.POLICY, DkimResult.Status.NEUTRAL }) {
            if (results.stream().anyMatch(r -> r.status() == s)) {
                return s.text();
            }
        }
        return "none";
    }

    private String authenticationResults(DkimVerifier.Outcome outcome, SpfResult spfResult) {
        StringBuilder sb = new StringBuilder("Authentication-Results: ").append(authservId);
        String spfPart = spfResult == null ? "" : ";\r\n\t" + spfResult.authenticationResult();
        if (outcome.results().isEmpty()) {
            return sb.append("; dkim=none").append(spfPart).append("\r\n").toString();
        }
        for (DkimResult r : outcome.results()) {
            sb.append(";\r\n\tdkim=").append(r.result());
            if (r.reason() != null) {
                sb.append(" reason=\"").append(quoted(r.reason())).append('"');
            }
            if (r.domain() != null) {
                sb.append(" header.d=").append(r.domain());
            }
            if (r.selector() != null) {
                sb.append(" header.s=").append(r.selector());
            }
            if (r.algorithm() != null && r.algorithm().matches("[A-Za-z0-9-]{1,30}")) {
                sb.append(" header.a=").append(r.algorithm().toLowerCase(Locale.ROOT));
            }
            if (r.headerB() != null && r.headerB().matches("[A-Za-z0-9+/=]+")) {
                sb.append(" header.b=").append(r.headerB());
            }
        }
        return sb.append(spfPart).append("\r\n").toString();
    }

    /** A reason as an RFC 2045 quoted-string: printable ASCII, backslash and quote escaped, at most 200 characters. */
    private static String quoted(String s) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length() && sb.length() < 200; i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                sb.append('\\').append(c);
            } else if (c >= 32 && c < 127) {
                sb.append(c);
            } else {
                sb.append('?');
            }
        }
        return sb.toString();
    }
}

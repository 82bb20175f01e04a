package io.camelsmtp.smtp.auth;

import java.io.BufferedInputStream;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import java.util.concurrent.ExecutorService;

import io.camelsmtp.smtp.auth.dkim.DkimException;
import io.camelsmtp.smtp.auth.dkim.DkimResult;
import io.camelsmtp.smtp.auth.dkim.DkimVerifier;
import io.camelsmtp.smtp.auth.dkim.HeaderSection;
import io.camelsmtp.smtp.auth.dmarc.DmarcResult;
import io.camelsmtp.smtp.auth.dns.TxtResolver;
import io.camelsmtp.smtp.common.SmtpReply;
import io.camelsmtp.smtp.common.SmtpReplyException;
import io.camelsmtp.smtp.auth.spf.SpfEvaluator;
import io.camelsmtp.smtp.auth.spf.SpfResult;
import org.apache.camel.Exchange;
import org.apache.camel.StreamCache;

/**
 * {@code smtp-auth:verify}: checks every DKIM-Signature (sets {@code CamelSmtpAuthDkim} and
 * {@code CamelSmtpAuthDkimResult}), SPF unless it was evaluated already ({@link SpfVerifyPart}), then DMARC
 * ({@link DmarcCheck}), and puts one RFC 8601 Authentication-Results field with our authserv-id in front of the
 * message, removing incoming ones that claim our id. A message whose header section cannot be read is refused
 * ({@code 550 5.6.0}): nothing the signatures or DNS hold makes this step fail, only a message that is not RFC 5322.
 */
final class DkimVerifyOperation extends SmtpAuthProducer.Operation {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]{1,63}(\\.[A-Za-z0-9_-]{1,63}){0,20}");
    private static final Pattern ALGORITHM = Pattern.compile("[A-Za-z0-9-]{1,30}");
    private static final Pattern BASE64 = Pattern.compile("[A-Za-z0-9+/=]+");

    private final SmtpAuthEndpoint endpoint;
    private final SmtpAuthConfiguration config;
    private ExecutorService dns;
    private DkimVerifier verifier;
    private DmarcCheck dmarc;
    private SpfEvaluator spf;
    private String authservId;

    DkimVerifyOperation(SmtpAuthEndpoint endpoint) {
        this.endpoint = endpoint;
        this.config = endpoint.getConfiguration();
    }

    @Override
    protected void doStart() throws Exception {
        dns = endpoint.getCamelContext().getExecutorServiceManager().newCachedThreadPool(this, "SmtpAuthDns");
        TxtResolver txt = new TxtResolver(TxtResolver.servers(config.getDnsServers()), Duration.ofMillis(config.getDnsTimeout()), dns);
        verifier = new DkimVerifier(txt, Clock.systemUTC());
        dmarc = new DmarcCheck(txt, config.isRefuseDmarcReject());
        spf = config.isVerifySpf() ? SpfOperation.evaluator(config, txt) : null;
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
            // Not an RFC 5322 header section (a line without a colon, over 1 MiB or 5000 fields): its fields cannot
            // be told apart, so neither can an Authentication-Results field that claims our id; passing it on
            // would carry a forged verdict under ours. Refused, as the signer refuses what it cannot sign.
            throw new SmtpReplyException(SmtpReply.of(550, "5.6.0",
                    "Message header section cannot be read: " + e.getMessage()));
        }
        DkimVerifier.Outcome outcome = verifier.verify(section, in);
        exchange.getMessage().setHeader(SmtpAuthConstants.DKIM, outcome.results());
        exchange.getMessage().setHeader(SmtpAuthConstants.DKIM_RESULT, summary(outcome.results()));
        SpfResult spfResult = spf == null ? null
                : SpfVerifyPart.result(exchange.getMessage(), spf, ((SmtpAuthComponent) endpoint.getComponent()).spfVerdicts());
        DmarcResult dmarcResult = dmarc.check(exchange, section, outcome.results(), spfResult);
        dmarc.refuseIfRejected(dmarcResult);

        StringBuilder prefix = new StringBuilder();
        if (spfResult != null && config.isReceivedSpf()) {
            prefix.append("Received-SPF: ").append(spfResult.receivedSpf()).append("\r\n");
        }
        List<String> more = new java.util.ArrayList<>();
        if (spfResult != null) {
            more.add(spfResult.authenticationResult());
        }
        more.add(DmarcCheck.clause(dmarcResult));
        prefix.append(authenticationResults(outcome, more));
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
        byte[] front = prefix.toString().getBytes(StandardCharsets.ISO_8859_1);
        exchange.getMessage().setBody(new PrefixedBody(front, body, skip));
    }

    private boolean claimsOurId(HeaderSection.Field f) {
        String v = f.unfolded().replaceAll("\\([^()]*\\)", " ").strip(); // a comment before the id
        int semi = v.indexOf(';');
        String id = (semi < 0 ? v : v.substring(0, semi)).strip().split("[ \t]")[0];
        return id.equalsIgnoreCase(authservId);
    }

    /** pass when one signature passed; else the first of fail, temperror, permerror, policy, neutral; none. */
    static String summary(List<DkimResult> results) {
        for (DkimResult.Status s : List.of(DkimResult.Status.PASS, DkimResult.Status.FAIL, DkimResult.Status.TEMPERROR,
                DkimResult.Status.PERMERROR, DkimResult.Status.POLICY, DkimResult.Status.NEUTRAL)) {
            if (results.stream().anyMatch(r -> r.status() == s)) {
                return s.text();
            }
        }
        return "none";
    }

    /** {@code more}: the resinfo of the other methods (DMARC), each on its own line after DKIM's. */
    private String authenticationResults(DkimVerifier.Outcome outcome, List<String> more) {
        StringBuilder sb = new StringBuilder("Authentication-Results: ").append(authservId);
        if (outcome.results().isEmpty()) {
            sb.append("; dkim=none");
        }
        for (DkimResult r : outcome.results()) {
            sb.append(";\r\n\tdkim=").append(r.result());
            if (r.reason() != null) {
                sb.append(" reason=\"").append(quoted(r.reason())).append('"');
            }
            // values from a signature that failed to parse are the sender's text: only names go into the field
            if (r.domain() != null && NAME.matcher(r.domain()).matches()) {
                sb.append(" header.d=").append(r.domain());
            }
            if (r.selector() != null && NAME.matcher(r.selector()).matches()) {
                sb.append(" header.s=").append(r.selector());
            }
            if (r.algorithm() != null && ALGORITHM.matcher(r.algorithm()).matches()) {
                sb.append(" header.a=").append(r.algorithm().toLowerCase(Locale.ROOT));
            }
            if (r.headerB() != null && BASE64.matcher(r.headerB()).matches()) {
                sb.append(" header.b=").append(r.headerB());
            }
        }
        for (String m : more) {
            sb.append(";\r\n\t").append(m);
        }
        return sb.append("\r\n").toString();
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

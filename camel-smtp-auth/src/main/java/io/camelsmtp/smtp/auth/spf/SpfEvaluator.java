package io.camelsmtp.smtp.auth.spf;

import java.util.Locale;

import io.camelsmtp.smtp.auth.dns.TxtResolver;
import org.apache.james.jspf.core.DNSLookupContinuation;
import org.apache.james.jspf.core.SPF1Utils;
import org.apache.james.jspf.core.SPFChecker;
import org.apache.james.jspf.core.SPFCheckerExceptionCatcher;
import org.apache.james.jspf.core.SPFSession;
import org.apache.james.jspf.core.exceptions.SPFResultException;
import org.apache.james.jspf.executor.FutureSPFResult;
import org.apache.james.jspf.impl.SPF;

/**
 * RFC 7208 {@code check_host()} for an SMTP client: jSPF's evaluator (mechanisms, macros, the 10-mechanism limit,
 * exp=) on our DNS ({@link SpfDns}) and our executor ({@link BoundedSpfExecutor}: the void-look-up limit, MX and PTR
 * limits, a deadline). Thread-safe; never throws for anything in DNS or in the client's input.
 */
public final class SpfEvaluator {

    /** Our explanation for a fail when the domain gives none (jSPF's default points to the closed openspf.org). */
    static final String DEFAULT_EXPLANATION = "%{i} is not a permitted sender for %{d}";

    private final SPF spf;
    private final BoundedSpfExecutor executor;
    private final String receivingDomain;

    /**
     * @param dns             the look-ups
     * @param budgetMillis    how long one evaluation may take in all; beyond, temperror
     * @param receivingDomain the {@code %{r}} macro (RFC 7208 §7.3): our host name
     */
    public SpfEvaluator(TxtResolver dns, long budgetMillis, String receivingDomain) {
        this(dns, budgetMillis, receivingDomain, DEFAULT_EXPLANATION);
    }

    SpfEvaluator(TxtResolver dns, long budgetMillis, String receivingDomain, String defaultExplanation) {
        SpfDns service = new SpfDns(dns);
        this.executor = new BoundedSpfExecutor(service, budgetMillis);
        this.spf = new SPF(service, executor);
        this.spf.setDefaultExplanation(defaultExplanation);
        this.receivingDomain = receivingDomain;
    }

    /**
     * Checks {@code mailFrom} (or, for the null sender {@code ""}, {@code postmaster@helo}: RFC 7208 §2.4) for the
     * client at {@code clientIp}.
     */
    public SpfResult check(String clientIp, String helo, String mailFrom) {
        String h = helo == null ? "" : helo.strip();
        String from = mailFrom == null ? "" : mailFrom.strip();
        if (from.startsWith("<") && from.endsWith(">")) {
            from = from.substring(1, from.length() - 1);
        }
        boolean nullSender = from.isEmpty();
        String identity = nullSender ? "helo" : "mailfrom";
        String sender = nullSender ? "postmaster@" + h : from;
        String domain = sender.substring(sender.lastIndexOf('@') + 1);
        String ip = clientIp == null ? "" : clientIp.strip();
        if (ip.startsWith("[") && ip.endsWith("]")) {
            ip = ip.substring(1, ip.length() - 1);
        }
        if (domain.isEmpty() || !plausibleDomain(domain)) {
            return new SpfResult("none", identity, sender, domain, ip, h, null); // RFC 7208 §4.3: not a domain
        }
        String result;
        String explanation = null;
        try {
            SPFSession session = new Session(from, h, ip);
            if (receivingDomain != null) {
                session.setReceivingDomain(receivingDomain);
            }
            if (session.getCurrentResultExpanded() == null) { // else the address did not parse: permerror is set
                session.pushChecker(new ResultChecker());
                session.pushChecker(spf);
            }
            FutureSPFResult future = new FutureSPFResult();
            executor.execute(session, future);
            result = future.getResult();
            explanation = future.getExplanation();
        } catch (RuntimeException e) {
            result = "permerror"; // a record jSPF cannot take apart; never an exception out of the step
        }
        result = result == null || result.isEmpty() ? "neutral" : result.toLowerCase(Locale.ROOT);
        return new SpfResult(result, identity, sender, domain, ip, h,
                "fail".equals(result) && explanation != null && !explanation.isEmpty() ? explanation : null);
    }

    /**
     * RFC 7208 §4.3: a name that is not a fully qualified domain name (a literal, no dot, an empty or over-long label)
     * gives none, without a look-up.
     */
    static boolean plausibleDomain(String d) {
        if (d.length() > 253 || d.startsWith("[") || !d.contains(".")) {
            return false;
        }
        for (String label : d.split("\\.", -1)) {
            if (label.length() > 63) {
                return false;
            }
        }
        String[] labels = d.endsWith(".") ? d.substring(0, d.length() - 1).split("\\.", -1) : d.split("\\.", -1);
        for (String label : labels) {
            if (label.isEmpty()) {
                return false;
            }
        }
        return true;
    }

    /** jSPF's session with the {@code %{c}} macro as RFC 7208 §7.3 wants it for IPv6: RFC 5952's short form. */
    private static final class Session extends SPFSession {

        Session(String mailFrom, String helo, String ip) {
            super(mailFrom, helo, ip);
        }

        @Override
        public String getReadableIP() {
            String ip = super.getReadableIP();
            return ip != null && ip.indexOf(':') >= 0 ? compressed(ip) : ip;
        }
    }

    /** An IPv6 address in RFC 5952 form: lower case, no leading zeros, the longest run of 2+ zero groups as "::". */
    static String compressed(String ip) {
        String[] groups = ip.toLowerCase(Locale.ROOT).split(":", -1);
        if (groups.length != 8) {
            return ip.toLowerCase(Locale.ROOT);
        }
        int bestStart = -1;
        int bestLength = 1;
        for (int i = 0; i < 8; i++) {
            groups[i] = groups[i].replaceFirst("^0+(?=.)", "");
            int j = i;
            while (j < 8 && groups[j].matches("0+")) {
                j++;
            }
            if (j - i > bestLength) {
                bestStart = i;
                bestLength = j - i;
            }
        }
        if (bestStart < 0) {
            return String.join(":", groups);
        }
        String head = String.join(":", java.util.Arrays.copyOfRange(groups, 0, bestStart));
        String tail = String.join(":", java.util.Arrays.copyOfRange(groups, bestStart + bestLength, 8));
        return head + "::" + tail;
    }

    /** jSPF's final checker (private there): the result word, and the result of a failure nothing else caught. */
    private static final class ResultChecker implements SPFChecker, SPFCheckerExceptionCatcher {

        @Override
        public DNSLookupContinuation checkSPF(SPFSession session) {
            if (session.getCurrentResultExpanded() == null) {
                String r = session.getCurrentResult() != null ? session.getCurrentResult() : "";
                session.setCurrentResultExpanded(SPF1Utils.resultToName(r));
            }
            return null;
        }

        @Override
        public void onException(Throwable exception, SPFSession session) {
            session.setCurrentResultExpanded(exception instanceof SPFResultException r ? r.getResult() : "permerror");
        }
    }
}

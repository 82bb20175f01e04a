package io.camelsmtp.smtp.auth;

import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;

import io.camelsmtp.smtp.auth.dkim.DkimResult;
import io.camelsmtp.smtp.auth.dkim.HeaderSection;
import io.camelsmtp.smtp.auth.dkim.KeyRecordSource;
import io.camelsmtp.smtp.auth.dmarc.DmarcEvaluator;
import io.camelsmtp.smtp.auth.dmarc.DmarcPolicy;
import io.camelsmtp.smtp.auth.dmarc.DmarcResult;
import io.camelsmtp.smtp.auth.dmarc.FromDomains;
import io.camelsmtp.smtp.auth.spf.SpfResult;
import io.camelsmtp.smtp.common.SmtpEnvelopeHeaders;
import io.camelsmtp.smtp.common.SmtpReply;
import io.camelsmtp.smtp.common.SmtpReplyException;
import org.apache.camel.Exchange;

/**
 * The DMARC part of {@code smtp-auth:verify}, run after DKIM: From domains from the header section, the SPF result
 * from {@code CamelSmtpAuthSpf} (set by {@code smtp-auth:spf}, or by the route) with the MAIL FROM domain, the
 * verdict into headers and the Authentication-Results clause; with {@code refuseDmarcReject}, a failure whose
 * applied policy is reject fails the exchange with {@code 550 5.7.1}.
 */
final class DmarcCheck {

    /** The header smtp-auth:spf sets; read here so that DMARC needs nothing else of it. */
    static final String SPF_HEADER = "CamelSmtpAuthSpf";
    private static final List<String> SPF_RESULTS = List.of("pass", "fail", "softfail", "neutral", "none", "temperror",
            "permerror");

    private final DmarcEvaluator evaluator;
    private final boolean refuseReject;

    DmarcCheck(KeyRecordSource dns, boolean refuseReject) {
        this.evaluator = new DmarcEvaluator(dns, () -> ThreadLocalRandom.current().nextInt(100));
        this.refuseReject = refuseReject;
    }

    /** Evaluates, sets the headers and returns the result; the caller writes {@link #clause} into its field. */
    DmarcResult check(Exchange exchange, HeaderSection section, List<DkimResult> dkim, SpfResult evaluated) {
        List<String> from = FromDomains.parse(section.all("From").stream().map(HeaderSection.Field::value).toList());
        String spf;
        String spfDomain;
        if (evaluated != null) {
            // the SPF verdict verify evaluated or took over, with the domain it checked (HELO's for the null sender)
            spf = spfResult(evaluated.result());
            spfDomain = spf == null ? null : evaluated.domain();
        } else {
            // verifySpf=false: a result the route set, for the MAIL FROM domain
            spf = spfResult(exchange.getMessage().getHeader(SPF_HEADER));
            spfDomain = spf == null ? null : mailFromDomain(exchange.getMessage().getHeader(SmtpEnvelopeHeaders.ENVELOPE_FROM,
                    String.class));
        }
        DmarcResult r = evaluator.evaluate(from, spfDomain == null ? null : spf, spfDomain, dkim);
        exchange.getMessage().setHeader(SmtpAuthConstants.DMARC, r.result());
        exchange.getMessage().setHeader(SmtpAuthConstants.DMARC_POLICY, r.applied().text());
        exchange.getMessage().setHeader(SmtpAuthConstants.DMARC_DETAILS, r);
        return r;
    }

    /** Throws the 550 reply when the option is on and the applied policy is reject. */
    void refuseIfRejected(DmarcResult r) throws SmtpReplyException {
        if (refuseReject && r.applied() == DmarcPolicy.REJECT) {
            throw new SmtpReplyException(SmtpReply.of(550, "5.7.1", "Rejected by the DMARC policy of " + r.domain()));
        }
    }

    /** The Authentication-Results resinfo, e.g. {@code dmarc=fail (p=reject dis=reject) header.from=bar.test}. */
    static String clause(DmarcResult r) {
        StringBuilder sb = new StringBuilder("dmarc=").append(r.result());
        if (r.record() != null) {
            sb.append(" (p=").append(r.record().policy().text());
            if (r.record().subdomainPolicy() != null) {
                sb.append(" sp=").append(r.record().subdomainPolicy().text());
            }
            sb.append(" dis=").append(r.applied().text()).append(')');
        }
        if (r.domain() != null) {
            sb.append(" header.from=").append(r.domain());
        }
        return sb.toString();
    }

    /** The first word of the header's value when it is an SPF result (a String, or anything whose text starts so). */
    private static String spfResult(Object value) {
        if (value == null) {
            return null;
        }
        String word = String.valueOf(value).strip().split("[\\s;(]", 2)[0].toLowerCase(Locale.ROOT);
        return SPF_RESULTS.contains(word) ? word : null;
    }

    private static String mailFromDomain(String mailFrom) {
        if (mailFrom == null) {
            return null;
        }
        int at = mailFrom.lastIndexOf('@');
        return at < 0 ? null : mailFrom.substring(at + 1);
    }
}

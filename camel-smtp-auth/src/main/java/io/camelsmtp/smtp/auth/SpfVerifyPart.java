package io.camelsmtp.smtp.auth;

import java.util.Set;

import io.camelsmtp.smtp.auth.spf.SpfEvaluator;
import io.camelsmtp.smtp.auth.spf.SpfResult;
import io.camelsmtp.smtp.common.SmtpEnvelopeHeaders;
import org.apache.camel.Message;

/**
 * The SPF part of {@code smtp-auth:verify}: the verdict already reached for this transaction if there is one (the
 * {@code CamelSmtpAuthSpf} header of an spf step in the same route, or the verdict an spf step in the
 * {@code mailPolicy} route remembered), else an evaluation now; none when the Exchange has no client address (it did
 * not come from smtp-server).
 */
final class SpfVerifyPart {

    private static final Set<String> RESULTS = Set.of("pass", "fail", "softfail", "neutral", "none", "temperror",
            "permerror");

    private SpfVerifyPart() {
    }

    static SpfResult result(Message in, SpfEvaluator spf, SpfVerdicts verdicts) {
        Object word = in.getHeader(SmtpAuthConstants.SPF);
        if (word != null && RESULTS.contains(word.toString())) {
            SpfResult detail = in.getHeader(SmtpAuthConstants.SPF_DETAIL, SpfResult.class);
            if (detail != null && detail.result().equals(word)) {
                return detail;
            }
            // a route set the word itself: report it as it stands
            String from = in.getHeader(SmtpEnvelopeHeaders.ENVELOPE_FROM, "", String.class);
            String helo = in.getHeader(SpfOperation.HELO, "", String.class);
            boolean nullSender = from.isEmpty();
            String sender = nullSender ? "postmaster@" + helo : from;
            return new SpfResult(word.toString(), nullSender ? "helo" : "mailfrom", sender,
                    sender.substring(sender.lastIndexOf('@') + 1), in.getHeader(SpfOperation.REMOTE_ADDRESS, "", String.class),
                    helo, null);
        }
        SpfResult remembered = verdicts.get(SpfOperation.key(in));
        if (remembered != null) {
            in.setHeader(SmtpAuthConstants.SPF, remembered.result());
            in.setHeader(SmtpAuthConstants.SPF_DETAIL, remembered);
            return remembered;
        }
        if (in.getHeader(SpfOperation.REMOTE_ADDRESS) == null) {
            return null;
        }
        return SpfOperation.check(in, spf);
    }
}

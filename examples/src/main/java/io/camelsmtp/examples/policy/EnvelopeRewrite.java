package io.camelsmtp.examples.policy;

import java.util.ArrayList;
import java.util.List;

/**
 * Qualifies the envelope: smtp-server accepts the bare {@code RCPT TO:<postmaster>} (RFC 5321 §4.5.1) and the queue
 * keeps it as it is, but a local mailbox, a delivery event or a notification is clearer with a full address. Like
 * Postfix's {@code append_at_myorigin}, an address without a domain gets one: the first of the local domains.
 * Used from YAML as a method expression:
 * {@code method: { beanType: io.camelsmtp.examples.policy.EnvelopeRewrite,
 * method: "qualify(${header.CamelSmtpEnvelopeTo}, '{{mx.localDomains}}')" }}.
 */
public final class EnvelopeRewrite {

    private EnvelopeRewrite() {
    }

    /** The recipients, each without a domain given {@code @} and the first domain of the comma-separated list. */
    public static List<String> qualify(List<String> recipients, String domains) {
        String origin = domains.split(",")[0].strip();
        List<String> out = new ArrayList<>(recipients.size());
        for (String r : recipients) {
            out.add(r.indexOf('@') < 0 && !origin.isEmpty() ? r + "@" + origin : r);
        }
        return out;
    }
}

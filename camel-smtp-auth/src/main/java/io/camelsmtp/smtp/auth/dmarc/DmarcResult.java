package io.camelsmtp.smtp.auth.dmarc;

import java.util.List;
import java.util.Locale;

/**
 * The DMARC verdict of one message.
 *
 * @param status pass, fail, none (no policy published), temperror (DNS failure), permerror (no From domain to
 *        evaluate, or a published record that does not parse)
 * @param requested the policy the domain asks for ({@code p=}, or {@code sp=} for a subdomain); none without one
 * @param applied what to do with the message: the requested policy when it failed and {@code pct} sampled it, one
 *        step less strict when sampling left it out, none when it passed or has no policy
 * @param domain the RFC5322.From domain evaluated (for several, the one whose verdict counts); null without one
 * @param organizationalDomain its organisational domain
 * @param record the policy record used, null when none
 * @param reasons why, in words: where the record came from, which identifier aligned or not, the sampling
 */
public record DmarcResult(Status status, DmarcPolicy requested, DmarcPolicy applied, String domain,
        String organizationalDomain, DmarcRecord record, List<String> reasons) {

    /** RFC 8601 §2.7.7 / RFC 7489 §11.2 dmarc results. */
    public enum Status {
        PASS,
        FAIL,
        NONE,
        TEMPERROR,
        PERMERROR;

        public String text() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public DmarcResult {
        reasons = List.copyOf(reasons);
    }

    /** The result as a route reads it: {@code pass}, {@code fail}... */
    public String result() {
        return status.text();
    }

    @Override
    public String toString() {
        return status.text() + " header.from=" + domain + " p=" + requested.text() + " applied=" + applied.text() + " "
               + reasons;
    }
}

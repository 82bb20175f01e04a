package io.camelsmtp.smtp.auth.dmarc;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.IntSupplier;

import io.camelsmtp.smtp.auth.dkim.DkimResult;
import io.camelsmtp.smtp.auth.dkim.KeyRecordSource;
import io.camelsmtp.smtp.auth.dmarc.DmarcResult.Status;

/**
 * Evaluates DMARC for a message (RFC 7489 §6.6): policy discovery as §6.6.3 (the record at {@code _dmarc.<From
 * domain>}, else at {@code _dmarc.<organisational domain>} whose {@code sp=} then applies; not DMARCbis' tree walk),
 * identifier alignment (§3.1: DKIM {@code d=} of a passing signature, the SPF-authenticated MAIL FROM domain; relaxed
 * compares organisational domains, strict the names), {@code pct} sampling (§6.6.4) with an injected random source.
 * <p>
 * Several From domains (several addresses or From fields, §6.6.1): each is evaluated; a failure wins over the
 * others, and among failures the strictest applied policy. No From domain, or a From that is not an address:
 * {@code permerror} with no policy (a route may refuse it on its own).
 */
public final class DmarcEvaluator {

    /** Distinct From domains evaluated at most; a message with more is {@code permerror}. */
    public static final int MAX_FROM_DOMAINS = 5;

    private final KeyRecordSource dns;
    private final IntSupplier percentile;

    /**
     * @param dns TXT look-ups ({@code io.camelsmtp.smtp.auth.dns.TxtResolver})
     * @param percentile a number in 0..99 per failing message; the policy applies when it is below {@code pct}
     */
    public DmarcEvaluator(KeyRecordSource dns, IntSupplier percentile) {
        this.dns = dns;
        this.percentile = percentile;
    }

    /**
     * @param fromDomains the From domains ({@link FromDomains#parse}); null or empty when the message has none
     * @param spfResult the SPF result in RFC 7208's words ({@code pass}, {@code fail}...), null when not evaluated
     * @param spfDomain the domain SPF evaluated (the MAIL FROM domain), null when none
     * @param dkim the DKIM results of the message
     */
    public DmarcResult evaluate(List<String> fromDomains, String spfResult, String spfDomain, List<DkimResult> dkim) {
        if (fromDomains == null || fromDomains.isEmpty()) {
            return new DmarcResult(Status.PERMERROR, DmarcPolicy.NONE, DmarcPolicy.NONE, null, null, null,
                    List.of(fromDomains == null ? "a From field holds no address with a domain" : "no From address"));
        }
        if (fromDomains.size() > MAX_FROM_DOMAINS) {
            return new DmarcResult(Status.PERMERROR, DmarcPolicy.NONE, DmarcPolicy.NONE, null, null, null,
                    List.of("more than " + MAX_FROM_DOMAINS + " From domains"));
        }
        DmarcResult worst = null;
        for (String domain : fromDomains) {
            DmarcResult r = evaluateOne(domain, spfResult, spfDomain, dkim);
            if (worst == null || rank(r) > rank(worst)) {
                worst = r;
            }
        }
        return worst;
    }

    /** fail (by applied, then requested policy) over temperror over permerror over pass over none. */
    private static int rank(DmarcResult r) {
        return switch (r.status()) {
            case FAIL -> 100 + 10 * r.applied().ordinal() + r.requested().ordinal();
            case TEMPERROR -> 4;
            case PERMERROR -> 3;
            case PASS -> 2;
            case NONE -> 1;
        };
    }

    private DmarcResult evaluateOne(String domain, String spfResult, String spfDomain, List<DkimResult> dkim) {
        String org = OrganizationalDomain.of(domain);
        List<String> reasons = new ArrayList<>();
        List<String> records;
        boolean fromOrg = false;
        try {
            records = dmarcRecords(domain);
            if (records.isEmpty() && !org.equals(domain)) {
                records = dmarcRecords(org);
                fromOrg = true;
            }
        } catch (KeyRecordSource.TemporaryFailure e) {
            return new DmarcResult(Status.TEMPERROR, DmarcPolicy.NONE, DmarcPolicy.NONE, domain, org, null,
                    List.of("DNS: " + e.getMessage()));
        }
        String at = "_dmarc." + (fromOrg ? org : domain);
        if (records.isEmpty()) {
            return new DmarcResult(Status.NONE, DmarcPolicy.NONE, DmarcPolicy.NONE, domain, org, null,
                    List.of("no DMARC record at _dmarc." + domain + (org.equals(domain) ? "" : " nor _dmarc." + org)));
        }
        if (records.size() > 1) {
            return new DmarcResult(Status.NONE, DmarcPolicy.NONE, DmarcPolicy.NONE, domain, org, null,
                    List.of(records.size() + " DMARC records at " + at + " (RFC 7489 §6.6.3: no policy)"));
        }
        DmarcRecord record = DmarcRecord.parse(records.get(0)).orElse(null);
        if (record == null) {
            return new DmarcResult(Status.PERMERROR, DmarcPolicy.NONE, DmarcPolicy.NONE, domain, org, null,
                    List.of("the DMARC record at " + at + " does not parse: no policy"));
        }
        DmarcPolicy requested = record.policyFor(fromOrg);
        reasons.add("policy " + requested.text() + " from " + at + (fromOrg && record.subdomainPolicy() != null ? " (sp=)" : ""));

        boolean aligned = false;
        for (DkimResult r : dkim == null ? List.<DkimResult>of() : dkim) {
            String d = OrganizationalDomain.normalize(r.domain());
            if (r.passed() && d != null && aligned(d, domain, org, record.strictDkim())) {
                reasons.add("dkim pass d=" + d + " aligned (" + mode(record.strictDkim()) + ")");
                aligned = true;
                break;
            }
        }
        if (!aligned) {
            reasons.add("no passing DKIM signature aligned (" + mode(record.strictDkim()) + ")");
        }
        String spf = spfResult == null ? "none" : spfResult.toLowerCase(Locale.ROOT);
        String sd = OrganizationalDomain.normalize(spfDomain);
        boolean spfAligned = spf.equals("pass") && sd != null && aligned(sd, domain, org, record.strictSpf());
        reasons.add("spf " + spf + (sd == null ? "" : " for " + sd) + (spfAligned ? " aligned" : " not aligned")
                    + " (" + mode(record.strictSpf()) + ")");
        if (aligned || spfAligned) {
            return new DmarcResult(Status.PASS, requested, DmarcPolicy.NONE, domain, org, record, reasons);
        }
        DmarcPolicy applied = requested;
        if (record.percent() < 100) {
            int sample = percentile.getAsInt();
            if (sample >= record.percent()) {
                applied = requested.lower();
                reasons.add("pct=" + record.percent() + " left this message out: " + applied.text());
            } else {
                reasons.add("pct=" + record.percent() + " sampled this message");
            }
        }
        return new DmarcResult(Status.FAIL, requested, applied, domain, org, record, reasons);
    }

    private static boolean aligned(String identifier, String domain, String org, boolean strict) {
        return strict ? identifier.equals(domain) : OrganizationalDomain.of(identifier).equals(org);
    }

    private static String mode(boolean strict) {
        return strict ? "strict" : "relaxed";
    }

    /** The TXT records at _dmarc.domain that are DMARC records (§6.6.3 step 2 discards the others). */
    private List<String> dmarcRecords(String domain) throws KeyRecordSource.TemporaryFailure {
        List<String> out = new ArrayList<>();
        for (String txt : dns.txt("_dmarc." + domain)) {
            if (DmarcRecord.isDmarc(txt)) {
                out.add(txt);
            }
        }
        return out;
    }
}

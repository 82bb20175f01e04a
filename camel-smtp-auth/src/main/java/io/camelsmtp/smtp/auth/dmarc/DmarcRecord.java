package io.camelsmtp.smtp.auth.dmarc;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

import io.camelsmtp.smtp.auth.dkim.DkimException;
import io.camelsmtp.smtp.auth.dkim.TagList;

/**
 * A DMARC policy record (RFC 7489 §6.3, the DKIM tag-list syntax §6.4). Parsed strictly, failing closed:
 * <ul>
 * <li>{@code v=DMARC1} must be the first tag, its value exactly {@code DMARC1};</li>
 * <li>a tag-list that does not parse (a tag without '=', a tag twice, a stray character), or an invalid value of
 * {@code pct}, {@code adkim} or {@code aspf}, makes the whole record invalid: no policy;</li>
 * <li>an absent or invalid {@code p=}, or an invalid {@code sp=}: RFC 7489 §6.6.3 step 6, the record counts as
 * {@code p=none} when it has a valid {@code rua=}, else it is invalid;</li>
 * <li>{@code np=} (DMARCbis) is parsed and kept, not applied; the valid URIs of {@code rua}/{@code ruf} are kept
 * (at most {@link #MAX_URIS} each; malformed ones dropped, §6.3 "syntax errors in the remainder of the record SHOULD
 * be discarded"), {@code fo}, {@code rf}, {@code ri} kept as written; unknown tags are ignored.</li>
 * </ul>
 * Tag names and keyword values are case-insensitive (ABNF literals).
 *
 * @param subdomainPolicy {@code sp=}, null when absent (then {@code p=} applies to subdomains)
 * @param nonExistentPolicy {@code np=} of DMARCbis, null when absent or invalid
 * @param tags every tag as written, names lower-cased
 */
public record DmarcRecord(DmarcPolicy policy, DmarcPolicy subdomainPolicy, DmarcPolicy nonExistentPolicy, int percent,
        boolean strictDkim, boolean strictSpf, List<String> aggregateReports, List<String> failureReports,
        Map<String, String> tags) {

    public static final int MAX_URIS = 10;

    private static final Pattern VERSION_FIRST = Pattern.compile("[ \t\r\n]*[vV][ \t\r\n]*=[ \t\r\n]*DMARC1[ \t\r\n]*(;.*)?",
            Pattern.DOTALL);
    private static final Pattern URI = Pattern.compile("[A-Za-z][A-Za-z0-9+.-]*:[^\\s,!]+(![0-9]+[kmgtKMGT]?)?");

    /**
     * Whether a TXT record is a DMARC record at all (RFC 7489 §6.6.3 step 2: records that do not start with
     * {@code v=DMARC1} are discarded before counting).
     */
    public static boolean isDmarc(String txt) {
        return txt != null && VERSION_FIRST.matcher(txt).matches();
    }

    /** The record, or empty when it is not a valid DMARC record (then it gives no policy). */
    public static Optional<DmarcRecord> parse(String txt) {
        if (!isDmarc(txt)) {
            return Optional.empty();
        }
        Map<String, String> tags = new LinkedHashMap<>();
        try {
            for (Map.Entry<String, String> e : TagList.parse(txt).asMap().entrySet()) {
                if (tags.put(e.getKey().toLowerCase(Locale.ROOT), e.getValue()) != null) {
                    return Optional.empty(); // "p" and "P": a tag twice
                }
            }
        } catch (DkimException e) {
            return Optional.empty();
        }
        if (!"DMARC1".equals(tags.get("v")) || !tags.keySet().iterator().next().equals("v")) {
            return Optional.empty();
        }
        List<String> rua = uris(tags.get("rua"));
        List<String> ruf = uris(tags.get("ruf"));
        DmarcPolicy p = DmarcPolicy.of(tags.get("p"));
        DmarcPolicy sp = DmarcPolicy.of(tags.get("sp"));
        if (p == null || (tags.containsKey("sp") && sp == null)) {
            if (rua.isEmpty()) {
                return Optional.empty();
            }
            // §6.6.3 step 6: act as if "v=DMARC1; p=none" was retrieved
            return Optional.of(new DmarcRecord(DmarcPolicy.NONE, null, null, 100, false, false, rua, ruf,
                    Collections.unmodifiableMap(tags)));
        }
        int pct = 100;
        if (tags.containsKey("pct")) {
            String v = tags.get("pct");
            if (!v.matches("[0-9]{1,3}") || Integer.parseInt(v) > 100) {
                return Optional.empty();
            }
            pct = Integer.parseInt(v);
        }
        Boolean adkim = alignment(tags, "adkim");
        Boolean aspf = alignment(tags, "aspf");
        if (adkim == null || aspf == null) {
            return Optional.empty();
        }
        return Optional.of(new DmarcRecord(p, sp, DmarcPolicy.of(tags.get("np")), pct, adkim, aspf, rua, ruf,
                Collections.unmodifiableMap(tags)));
    }

    /** true for s, false for r or absent, null for anything else. */
    private static Boolean alignment(Map<String, String> tags, String tag) {
        String v = tags.get(tag);
        if (v == null || v.equalsIgnoreCase("r")) {
            return Boolean.FALSE;
        }
        return v.equalsIgnoreCase("s") ? Boolean.TRUE : null;
    }

    /** The syntactically valid DMARC URIs of rua/ruf (§6.4 dmarc-uri, with an optional !size); others are dropped. */
    private static List<String> uris(String value) {
        if (value == null) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (String part : value.split(",", -1)) {
            String u = part.strip();
            if (URI.matcher(u).matches() && out.size() < MAX_URIS) {
                out.add(u);
            }
        }
        return List.copyOf(out);
    }

    /** The policy for the From domain: {@code p=} when the record is the domain's own, else {@code sp=} or {@code p=}. */
    public DmarcPolicy policyFor(boolean subdomain) {
        return subdomain && subdomainPolicy != null ? subdomainPolicy : policy;
    }
}

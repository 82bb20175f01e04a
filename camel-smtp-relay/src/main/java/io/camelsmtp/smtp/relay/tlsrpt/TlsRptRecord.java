package io.camelsmtp.smtp.relay.tlsrpt;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A domain's TLS reporting policy (RFC 8460 §3): the {@code _smtp._tls.<domain>} TXT record
 * {@code v=TLSRPTv1; rua=mailto:tlsrpt@example.com,https://reports.example.com/v1}. The parser fails closed: a record
 * that does not follow the grammar, that has no usable {@code rua}, or that is one of several TLSRPT records (§3: then
 * the domain does not take reports) gives no destinations at all. Within a valid record, a URI of another scheme than
 * {@code mailto:} and {@code https:}, a URI longer than {@link #MAX_URI_LENGTH}, and URIs past the first
 * {@link #MAX_DESTINATIONS} are skipped, so a hostile record cannot make us send a report to many places.
 *
 * @param destinations where reports go, at most {@link #MAX_DESTINATIONS}, in the record's order
 */
public record TlsRptRecord(List<URI> destinations) {

    /** URIs a report is sent to, at most; further ones are ignored. */
    public static final int MAX_DESTINATIONS = 5;
    /** Longest URI taken. */
    public static final int MAX_URI_LENGTH = 512;
    /** Longest record parsed (its character strings joined); a longer one is junk. */
    public static final int MAX_RECORD_LENGTH = 4096;
    /** Records looked at per domain; more TXT records than this at {@code _smtp._tls} are junk. */
    public static final int MAX_TXT_RECORDS = 32;

    private static final String VERSION = "v=TLSRPTv1";
    private static final Pattern EXT_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,31}");
    private static final Pattern EXT_VALUE = Pattern.compile("[\\x21-\\x3a\\x3c\\x3e-\\x7e]+");
    private static final Pattern LOCAL = Pattern.compile("[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]{1,64}");
    private static final Pattern HOST = Pattern.compile(
            "(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+");

    public TlsRptRecord {
        destinations = List.copyOf(destinations);
    }

    /**
     * The policy from all TXT records at {@code _smtp._tls.<domain>}, each given as the concatenation of its character
     * strings: records that do not start with {@code v=TLSRPTv1;} are dropped (§3); if exactly one is left and it
     * parses, its policy, else null.
     */
    public static TlsRptRecord select(List<String> txtRecords) {
        if (txtRecords == null || txtRecords.size() > MAX_TXT_RECORDS) {
            return null;
        }
        String only = null;
        for (String txt : txtRecords) {
            if (txt != null && startsWithVersion(txt)) {
                if (only != null) {
                    return null; // two TLSRPT records: the domain takes no reports
                }
                only = txt;
            }
        }
        return only == null ? null : parse(only);
    }

    private static boolean startsWithVersion(String txt) {
        if (!txt.startsWith(VERSION)) {
            return false;
        }
        int i = VERSION.length();
        while (i < txt.length() && (txt.charAt(i) == ' ' || txt.charAt(i) == '\t')) {
            i++;
        }
        return i < txt.length() && txt.charAt(i) == ';';
    }

    /** One record, or null if it is junk or names no usable destination. */
    public static TlsRptRecord parse(String txt) {
        if (txt == null || txt.length() > MAX_RECORD_LENGTH || !startsWithVersion(txt)) {
            return null;
        }
        String[] fields = txt.substring(VERSION.length()).split(";", -1);
        List<URI> destinations = null;
        // fields[0] is what stood between the version and the first ';': only white space
        if (!isWsp(fields[0])) {
            return null;
        }
        for (int i = 1; i < fields.length; i++) {
            String field = stripWsp(fields[i]);
            if (field.isEmpty()) {
                if (i == fields.length - 1) {
                    break; // a trailing ';' is allowed
                }
                return null;
            }
            int eq = field.indexOf('=');
            if (eq <= 0) {
                return null;
            }
            String name = field.substring(0, eq);
            String value = field.substring(eq + 1);
            if (name.equals("rua")) {
                if (destinations != null) {
                    return null; // rua twice
                }
                destinations = rua(value);
                if (destinations == null) {
                    return null;
                }
            } else if (!EXT_NAME.matcher(name).matches() || !EXT_VALUE.matcher(value).matches()) {
                return null; // an extension must still be name=value (§3: unknown fields are ignored)
            }
        }
        if (destinations == null || destinations.isEmpty()) {
            return null;
        }
        return new TlsRptRecord(destinations);
    }

    /** The usable URIs of {@code rua=} (§3: mailto and https); null when the value is not a URI list at all. */
    private static List<URI> rua(String value) {
        List<URI> out = new ArrayList<>();
        for (String part : value.split(",", -1)) {
            String uri = stripWsp(part);
            if (uri.isEmpty()) {
                return null;
            }
            if (out.size() >= MAX_DESTINATIONS || uri.length() > MAX_URI_LENGTH) {
                continue;
            }
            URI parsed = destination(uri);
            if (parsed != null) {
                out.add(parsed);
            }
        }
        return out;
    }

    /** A {@code mailto:} with one plain address and no header fields, or an {@code https:} URL with a host name. */
    static URI destination(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c <= 0x20 || c >= 0x7f) {
                return null;
            }
        }
        URI uri;
        try {
            uri = new URI(text);
        } catch (URISyntaxException e) {
            return null;
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (scheme.equals("mailto")) {
            return mailbox(uri.getSchemeSpecificPart()) != null && uri.getRawQuery() == null
                   && uri.getRawFragment() == null && !text.contains("?") ? uri : null;
        }
        if (scheme.equals("https")) {
            String host = uri.getHost();
            return host != null && HOST.matcher(host).matches() && uri.getRawUserInfo() == null
                   && uri.getRawFragment() == null ? uri : null;
        }
        return null;
    }

    /** The address of a {@code mailto:} URI (percent-decoded), or null if it is not one plain address. */
    public static String mailbox(String schemeSpecific) {
        if (schemeSpecific == null || schemeSpecific.isEmpty()) {
            return null;
        }
        int at = schemeSpecific.lastIndexOf('@');
        if (at <= 0 || at == schemeSpecific.length() - 1) {
            return null;
        }
        String local = schemeSpecific.substring(0, at);
        String domain = schemeSpecific.substring(at + 1);
        if (!LOCAL.matcher(local).matches() || local.startsWith(".") || local.endsWith(".") || local.contains("..")
            || !HOST.matcher(domain).matches()) {
            return null;
        }
        return local + "@" + domain.toLowerCase(Locale.ROOT);
    }

    private static boolean isWsp(String s) {
        return stripWsp(s).isEmpty();
    }

    /** Strips the WSP of the grammar (space and tab), not every white space {@link String#strip} knows. */
    private static String stripWsp(String s) {
        int b = 0;
        int e = s.length();
        while (b < e && (s.charAt(b) == ' ' || s.charAt(b) == '\t')) {
            b++;
        }
        while (e > b && (s.charAt(e - 1) == ' ' || s.charAt(e - 1) == '\t')) {
            e--;
        }
        return s.substring(b, e);
    }
}

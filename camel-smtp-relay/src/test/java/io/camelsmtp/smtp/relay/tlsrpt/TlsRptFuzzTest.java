package io.camelsmtp.smtp.relay.tlsrpt;

import java.net.URI;
import java.util.List;
import java.util.Locale;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fuzz test of the {@code _smtp._tls} record parser (Jazzer): whatever a domain publishes, parsing never throws, and
 * what it yields is at most {@link TlsRptRecord#MAX_DESTINATIONS} destinations, each {@code mailto:} with one plain
 * mailbox or {@code https:} with a host, none longer than {@link TlsRptRecord#MAX_URI_LENGTH}. Regression inputs in
 * {@code src/test/resources/io/camelsmtp/smtp/relay/tlsrpt/TlsRptFuzzTestInputs/}; to fuzz, see docs/security.md.
 */
class TlsRptFuzzTest {

    @FuzzTest(maxDuration = "60s")
    void record(FuzzedDataProvider data) {
        List<String> records = List.of(data.consumeString(600), "v=TLSRPTv1; " + data.consumeRemainingAsString());
        for (String txt : records) {
            check(TlsRptRecord.parse(txt));
        }
        check(TlsRptRecord.select(records));
    }

    private static void check(TlsRptRecord r) {
        if (r == null) {
            return;
        }
        assertTrue(!r.destinations().isEmpty() && r.destinations().size() <= TlsRptRecord.MAX_DESTINATIONS);
        for (URI u : r.destinations()) {
            String scheme = u.getScheme().toLowerCase(Locale.ROOT);
            assertTrue(u.toString().length() <= TlsRptRecord.MAX_URI_LENGTH, u::toString);
            if (scheme.equals("mailto")) {
                String box = TlsRptRecord.mailbox(u.getSchemeSpecificPart());
                assertTrue(box != null && box.chars().allMatch(c -> c > 0x20 && c < 0x7f), u::toString);
            } else {
                assertTrue(scheme.equals("https") && u.getHost() != null && u.getUserInfo() == null, u::toString);
            }
        }
    }
}

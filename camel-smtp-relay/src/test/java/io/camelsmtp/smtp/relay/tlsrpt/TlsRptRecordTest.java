package io.camelsmtp.smtp.relay.tlsrpt;

import java.net.URI;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The {@code _smtp._tls} record (RFC 8460 §3): what is a policy, and all that is none. */
class TlsRptRecordTest {

    private static List<String> uris(String txt) {
        TlsRptRecord r = TlsRptRecord.parse(txt);
        assertNotNull(r, txt);
        return r.destinations().stream().map(URI::toString).toList();
    }

    @Test
    void theRfcExamplesParse() {
        assertEquals(List.of("mailto:tlsrpt@mail.example.com"), uris("v=TLSRPTv1; rua=mailto:tlsrpt@mail.example.com"));
        assertEquals(List.of("https://reporting.example.com/v1/tlsrpt"),
                uris("v=TLSRPTv1; rua=https://reporting.example.com/v1/tlsrpt"));
        assertEquals(List.of("mailto:a@example.com", "https://r.example.com/x"),
                uris("v=TLSRPTv1;rua=mailto:a@example.com , https://r.example.com/x;"));
    }

    @Test
    void unknownFieldsAreIgnoredButMustBeNameValue() {
        assertEquals(List.of("mailto:a@example.com"), uris("v=TLSRPTv1; ext_1=foo; rua=mailto:a@example.com"));
        assertNull(TlsRptRecord.parse("v=TLSRPTv1; rua=mailto:a@example.com; junk"));
        assertNull(TlsRptRecord.parse("v=TLSRPTv1; rua=mailto:a@example.com; x=a b"));
        assertNull(TlsRptRecord.parse("v=TLSRPTv1; rua=mailto:a@example.com;; x=1"));
    }

    @Test
    void junkIsNone() {
        for (String junk : List.of("", "v=TLSRPTv1", "v=TLSRPTv1;", "v=TLSRPTv2; rua=mailto:a@example.com",
                "V=TLSRPTv1; rua=mailto:a@example.com", "rua=mailto:a@example.com; v=TLSRPTv1",
                "v=TLSRPTv1x; rua=mailto:a@example.com", "v=TLSRPTv1; rua=", "v=TLSRPTv1; rua=,",
                "v=TLSRPTv1; rua=mailto:a@example.com,,https://b.example.com",
                "v=TLSRPTv1; rua=mailto:a@example.com; rua=mailto:b@example.com", "v=spf1 -all",
                "v=TLSRPTv1; rua=mailto:a@example.com\u0000", "v=TLSRPTv1; rua=mailto:\u00e4@example.com")) {
            assertNull(TlsRptRecord.parse(junk), junk);
        }
    }

    @Test
    void onlyMailtoAndHttpsWithPlainTargets() {
        assertNull(TlsRptRecord.parse("v=TLSRPTv1; rua=http://r.example.com/x"), "http is not https");
        assertNull(TlsRptRecord.parse("v=TLSRPTv1; rua=ftp://r.example.com/x"));
        assertNull(TlsRptRecord.parse("v=TLSRPTv1; rua=file:///etc/passwd"));
        assertNull(TlsRptRecord.parse("v=TLSRPTv1; rua=mailto:a@example.com?subject=x"), "no header fields");
        assertNull(TlsRptRecord.parse("v=TLSRPTv1; rua=mailto:a%0d%0aBcc:x@example.com"), "no injected lines");
        assertNull(TlsRptRecord.parse("v=TLSRPTv1; rua=https://user:pw@r.example.com/x"), "no credentials");
        assertNull(TlsRptRecord.parse("v=TLSRPTv1; rua=https:///x"), "a host");
        assertEquals(List.of("https://r.example.com/x"),
                uris("v=TLSRPTv1; rua=gopher://r.example.com,https://r.example.com/x"), "the usable ones are kept");
    }

    @Test
    void urisAreLimitedInNumberAndLength() {
        StringBuilder many = new StringBuilder("v=TLSRPTv1; rua=");
        for (int i = 0; i < 40; i++) {
            many.append(i == 0 ? "" : ",").append("mailto:r").append(i).append("@example.com");
        }
        assertEquals(TlsRptRecord.MAX_DESTINATIONS, uris(many.toString()).size());
        String longUri = "https://r.example.com/" + "a".repeat(TlsRptRecord.MAX_URI_LENGTH);
        assertNull(TlsRptRecord.parse("v=TLSRPTv1; rua=" + longUri), "the only URI is too long");
        assertEquals(List.of("mailto:a@example.com"), uris("v=TLSRPTv1; rua=" + longUri + ",mailto:a@example.com"));
        assertNull(TlsRptRecord.parse("v=TLSRPTv1; rua=mailto:a@example.com; x=" + "y".repeat(5000)), "record too long");
    }

    @Test
    void twoTlsrptRecordsMeanNoReports() {
        String one = "v=TLSRPTv1; rua=mailto:a@example.com";
        assertNotNull(TlsRptRecord.select(List.of("v=spf1 -all", one, "google-site-verification=x")));
        assertNull(TlsRptRecord.select(List.of(one, "v=TLSRPTv1; rua=mailto:b@example.com")));
        assertNull(TlsRptRecord.select(List.of(one, "v=TLSRPTv1;junk")), "even when the second is junk");
        assertNull(TlsRptRecord.select(List.of("v=spf1 -all")));
        assertNull(TlsRptRecord.select(List.of()));
    }
}

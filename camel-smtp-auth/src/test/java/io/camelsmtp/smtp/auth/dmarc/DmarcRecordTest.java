package io.camelsmtp.smtp.auth.dmarc;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** RFC 7489 §6.3/§6.4 records, the appendix B examples first, then what must give no policy. */
class DmarcRecordTest {

    @Test
    void theAppendixBRecordsParseWithTheirDefaults() {
        DmarcRecord b21 = DmarcRecord.parse("v=DMARC1; p=none; rua=mailto:dmarc-feedback@example.com").orElseThrow();
        assertEquals(DmarcPolicy.NONE, b21.policy());
        assertNull(b21.subdomainPolicy());
        assertEquals(100, b21.percent());
        assertFalse(b21.strictDkim());
        assertFalse(b21.strictSpf());
        assertEquals(List.of("mailto:dmarc-feedback@example.com"), b21.aggregateReports());

        DmarcRecord b24 = DmarcRecord.parse("v=DMARC1; p=quarantine;\r\n\trua=mailto:dmarc-feedback@example.com,"
                                            + "mailto:tld-test@thirdparty.example.net!10m; ruf=mailto:auth-reports@thirdparty.example.net; "
                                            + "pct=25").orElseThrow();
        assertEquals(DmarcPolicy.QUARANTINE, b24.policy());
        assertEquals(25, b24.percent());
        assertEquals(List.of("mailto:dmarc-feedback@example.com", "mailto:tld-test@thirdparty.example.net!10m"),
                b24.aggregateReports());
        assertEquals(List.of("mailto:auth-reports@thirdparty.example.net"), b24.failureReports());
    }

    @Test
    void allTagsAreReadCaseInsensitiveNamesAndKeywordsButAnExactVersion() {
        DmarcRecord r = DmarcRecord.parse("v=DMARC1;P=Reject;sp=QUARANTINE;np=reject;adkim=s;ASPF=S;pct=0;fo=1:d;rf=afrf;"
                                          + "ri=3600;future=whatever").orElseThrow();
        assertEquals(DmarcPolicy.REJECT, r.policy());
        assertEquals(DmarcPolicy.QUARANTINE, r.subdomainPolicy());
        assertEquals(DmarcPolicy.REJECT, r.nonExistentPolicy());
        assertTrue(r.strictDkim() && r.strictSpf());
        assertEquals(0, r.percent());
        assertEquals("1:d", r.tags().get("fo"));
        assertEquals("whatever", r.tags().get("future"), "unknown tags are kept and ignored");
        assertEquals(DmarcPolicy.QUARANTINE, r.policyFor(true));
        assertEquals(DmarcPolicy.REJECT, r.policyFor(false));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "", "v=DMARC2; p=reject", "v=dmarc1; p=reject", "p=reject; v=DMARC1", "v=DMARC1", "v=DMARC1; p=block",
        "v=DMARC1; p=reject; sp=maybe", "v=DMARC1; p=reject; p=none", "v=DMARC1; p=reject; P=none",
        "v=DMARC1; p=reject; pct=101", "v=DMARC1; p=reject; pct=-1", "v=DMARC1; p=reject; pct=50%",
        "v=DMARC1; p=reject; adkim=x", "v=DMARC1; p=reject; aspf=relaxed", "v=DMARC1; p=reject; =x",
        "v=DMARC1; p=reject; 1x=y", "v=DMARC1; p=reject; x", "v=DMARC1; p=\u00e9", "v=DMARC1;; p=reject",
        "v=spf1 -all", "v=DMARC1 p=reject" })
    void aRecordThatDoesNotParseIsNoPolicy(String txt) {
        assertTrue(DmarcRecord.parse(txt).isEmpty(), txt);
    }

    @Test
    void anInvalidPolicyWithAValidRuaCountsAsMonitoringOnly() {
        // RFC 7489 §6.6.3 step 6
        DmarcRecord r = DmarcRecord.parse("v=DMARC1; p=bogus; rua=mailto:agg@example.com").orElseThrow();
        assertEquals(DmarcPolicy.NONE, r.policy());
        DmarcRecord missing = DmarcRecord.parse("v=DMARC1; rua=mailto:agg@example.com; sp=reject").orElseThrow();
        assertEquals(DmarcPolicy.NONE, missing.policy());
        assertNull(missing.subdomainPolicy(), "the record is treated as v=DMARC1; p=none");
        assertTrue(DmarcRecord.parse("v=DMARC1; p=bogus; rua=not a uri").isEmpty());
    }

    @Test
    void malformedReportUrisAreDroppedNotTheRecordAndTheyAreBounded() {
        DmarcRecord r = DmarcRecord.parse("v=DMARC1; p=reject; rua=mailto:a@example.com, nonsense ,mailto:b@example.com")
                .orElseThrow();
        assertEquals(List.of("mailto:a@example.com", "mailto:b@example.com"), r.aggregateReports());
        String many = "mailto:x@example.com,".repeat(40);
        assertEquals(DmarcRecord.MAX_URIS, DmarcRecord.parse("v=DMARC1; p=none; rua=" + many).orElseThrow()
                .aggregateReports().size());
    }

    @Test
    void onlyRecordsStartingWithTheVersionAreDmarcRecords() {
        assertTrue(DmarcRecord.isDmarc("v=DMARC1; p=none"));
        assertTrue(DmarcRecord.isDmarc("v = DMARC1;p=none"));
        assertTrue(DmarcRecord.isDmarc("v=DMARC1"));
        assertFalse(DmarcRecord.isDmarc("v=DMARC10; p=none"));
        assertFalse(DmarcRecord.isDmarc("p=none; v=DMARC1"));
        assertFalse(DmarcRecord.isDmarc(null));
    }
}

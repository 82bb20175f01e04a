package io.camelsmtp.smtp.auth.dmarc;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.camelsmtp.smtp.auth.dkim.DkimResult;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fuzz tests for what DMARC reads from outside (Jazzer): policy records from DNS, From fields from the message, and
 * the whole evaluation over both. In a normal build they run in regression mode over the committed inputs in
 * {@code src/test/resources/io/camelsmtp/smtp/auth/dmarc/DmarcParsersFuzzTestInputs/<method>/}; to fuzz, see
 * docs/security.md ("Fuzzing").
 */
class DmarcParsersFuzzTest {

    /** A record: no policy, or one whose every field is in range and that starts with v=DMARC1. */
    @FuzzTest(maxDuration = "30s")
    void record(FuzzedDataProvider data) {
        String txt = data.consumeRemainingAsString();
        DmarcRecord.parse(txt).ifPresent(r -> {
            assertTrue(DmarcRecord.isDmarc(txt), txt);
            assertNotNull(r.policy());
            assertTrue(r.percent() >= 0 && r.percent() <= 100, txt);
            assertTrue(r.aggregateReports().size() <= DmarcRecord.MAX_URIS && r.failureReports().size() <= DmarcRecord.MAX_URIS);
            r.aggregateReports().forEach(u -> assertTrue(u.indexOf(':') > 0 && u.chars().noneMatch(Character::isWhitespace), u));
            r.tags().keySet().forEach(k -> assertTrue(k.matches("[a-z][a-z0-9_]*"), k));
            assertEquals("DMARC1", r.tags().get("v"));
        });
    }

    /** From values: null, or distinct DNS names in the form the evaluator compares, at most one per address. */
    @FuzzTest(maxDuration = "30s")
    void fromDomains(FuzzedDataProvider data) {
        int n = data.consumeInt(0, 3);
        List<String> values = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            values.add(data.consumeString(400));
        }
        values.add(data.consumeRemainingAsString());
        List<String> domains = FromDomains.parse(values);
        if (domains == null) {
            return;
        }
        assertTrue(domains.size() <= FromDomains.MAX_ADDRESSES);
        assertEquals(domains.size(), new HashSet<>(domains).size());
        domains.forEach(d -> assertTrue(d.matches("[a-z0-9_-]{1,63}(\\.[a-z0-9_-]{1,63})*") && d.length() <= 253, d));
        domains.forEach(d -> assertTrue(d.endsWith(OrganizationalDomain.of(d)), d));
    }

    /**
     * A whole evaluation over a fuzzed record at the From domain or its organisational domain, fuzzed From values and
     * DKIM domains: never an exception; a policy is applied only to a failure and never stricter than requested.
     */
    @FuzzTest(maxDuration = "30s")
    void evaluate(FuzzedDataProvider data) {
        String from = data.consumeString(200);
        boolean atOrg = data.consumeBoolean();
        String dkimDomain = data.consumeString(100);
        String spfDomain = data.consumeString(100);
        int sample = data.consumeInt(0, 99);
        String record = data.consumeRemainingAsString();
        List<String> domains = FromDomains.parse(List.of(from));
        Map<String, List<String>> zone = new java.util.HashMap<>();
        if (domains != null) {
            for (String d : domains) {
                zone.put("_dmarc." + (atOrg ? OrganizationalDomain.of(d) : d), List.of(record));
            }
        }
        DmarcEvaluator evaluator = new DmarcEvaluator(name -> zone.getOrDefault(name, List.of()), () -> sample);
        DmarcResult r = evaluator.evaluate(domains, "pass", spfDomain,
                List.of(new DkimResult(dkimDomain, "s", "rsa-sha256", null, DkimResult.Status.PASS, null, null)));
        assertNotNull(r.status());
        assertTrue(r.applied() == DmarcPolicy.NONE || r.status() == DmarcResult.Status.FAIL, r.toString());
        assertTrue(r.applied().ordinal() <= r.requested().ordinal(), r.toString());
        assertTrue(r.status() != DmarcResult.Status.TEMPERROR, "no DNS failure here: " + r);
    }
}

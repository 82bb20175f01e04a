package io.camelsmtp.smtp.auth.dmarc;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import io.camelsmtp.smtp.auth.dkim.DkimResult;
import io.camelsmtp.smtp.auth.dkim.KeyRecordSource;
import io.camelsmtp.smtp.auth.dmarc.DmarcResult.Status;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * RFC 7489's cases: alignment (§3.1.1, §3.1.2 examples), policy discovery (§6.6.3), {@code sp=}, {@code pct=}
 * sampling (§6.6.4) with a fixed random source, several From domains (§6.6.1), DNS failures.
 */
class DmarcEvaluatorTest {

    private final Map<String, List<String>> zone = new HashMap<>();
    private final List<String> asked = new java.util.ArrayList<>();
    private final AtomicInteger sample = new AtomicInteger(0);
    private final DmarcEvaluator evaluator = new DmarcEvaluator(this::txt, sample::get);

    private List<String> txt(String name) throws KeyRecordSource.TemporaryFailure {
        asked.add(name);
        if (name.startsWith("_dmarc.broken.")) {
            throw new KeyRecordSource.TemporaryFailure("SERVFAIL " + name);
        }
        return zone.getOrDefault(name, List.of());
    }

    private static DkimResult dkim(String d, DkimResult.Status s) {
        return new DkimResult(d, "s1", "rsa-sha256", null, s, null, null);
    }

    private DmarcResult eval(String from, String spf, String spfDomain, DkimResult... dkim) {
        return evaluator.evaluate(List.of(from), spf, spfDomain, List.of(dkim));
    }

    @Test
    void dkimAlignmentRelaxedAndStrictAsSection311() {
        zone.put("_dmarc.example.com", List.of("v=DMARC1; p=reject"));
        DmarcResult relaxed = eval("example.com", null, null, dkim("news.example.com", DkimResult.Status.PASS));
        assertEquals(Status.PASS, relaxed.status(), relaxed.toString());
        assertEquals(DmarcPolicy.NONE, relaxed.applied());

        zone.put("_dmarc.example.com", List.of("v=DMARC1; p=reject; adkim=s"));
        DmarcResult strict = eval("example.com", null, null, dkim("news.example.com", DkimResult.Status.PASS));
        assertEquals(Status.FAIL, strict.status(), strict.toString());
        assertEquals(DmarcPolicy.REJECT, strict.applied());
        assertEquals(Status.PASS, eval("example.com", null, null, dkim("Example.COM", DkimResult.Status.PASS)).status());
    }

    @Test
    void spfAlignmentRelaxedAndStrictAsSection312() {
        zone.put("_dmarc.example.com", List.of("v=DMARC1; p=quarantine"));
        assertEquals(Status.PASS, eval("example.com", "pass", "child.example.com").status());
        zone.put("_dmarc.example.com", List.of("v=DMARC1; p=quarantine; aspf=s"));
        DmarcResult strict = eval("example.com", "pass", "child.example.com");
        assertEquals(Status.FAIL, strict.status());
        assertEquals(DmarcPolicy.QUARANTINE, strict.applied());
        assertEquals(Status.PASS, eval("example.com", "pass", "example.com").status());
    }

    @Test
    void onlyPassingResultsCountAndAnUnalignedPassIsAFailure() {
        zone.put("_dmarc.example.com", List.of("v=DMARC1; p=reject"));
        for (String spf : List.of("fail", "softfail", "neutral", "none", "temperror", "permerror")) {
            assertEquals(Status.FAIL, eval("example.com", spf, "example.com").status(), spf);
        }
        for (DkimResult.Status s : List.of(DkimResult.Status.FAIL, DkimResult.Status.POLICY, DkimResult.Status.NEUTRAL,
                DkimResult.Status.TEMPERROR, DkimResult.Status.PERMERROR)) {
            assertEquals(Status.FAIL, eval("example.com", null, null, dkim("example.com", s)).status(), s.text());
        }
        DmarcResult spoof = eval("example.com", "pass", "evil.example", dkim("evil.example", DkimResult.Status.PASS));
        assertEquals(Status.FAIL, spoof.status());
        assertEquals(DmarcPolicy.REJECT, spoof.requested());
        assertEquals(DmarcPolicy.REJECT, spoof.applied());
        assertEquals("example.com", spoof.organizationalDomain());
        assertTrue(spoof.reasons().toString().contains("spf pass for evil.example not aligned"), spoof.reasons().toString());
        // the public suffix alone does not align two registrants
        zone.put("_dmarc.example.co.uk", List.of("v=DMARC1; p=reject"));
        assertEquals(Status.FAIL, eval("example.co.uk", "pass", "other.co.uk").status());
    }

    @Test
    void aSubdomainWithoutItsOwnRecordGetsTheOrganisationalDomainsSp() {
        zone.put("_dmarc.example.com", List.of("v=DMARC1; p=reject; sp=quarantine"));
        DmarcResult sub = eval("mail.example.com", null, null);
        assertEquals(List.of("_dmarc.mail.example.com", "_dmarc.example.com"), asked);
        assertEquals(DmarcPolicy.QUARANTINE, sub.requested());
        assertEquals(DmarcPolicy.QUARANTINE, sub.applied());
        assertEquals(DmarcPolicy.REJECT, eval("example.com", null, null).applied(), "sp= is not for the domain itself");

        zone.put("_dmarc.example.com", List.of("v=DMARC1; p=reject"));
        assertEquals(DmarcPolicy.REJECT, eval("a.b.example.com", null, null).applied(), "without sp=, p= applies");

        zone.put("_dmarc.mail.example.com", List.of("v=DMARC1; p=none; sp=reject"));
        assertEquals(DmarcPolicy.NONE, eval("mail.example.com", null, null).applied(), "its own record's p= wins");
    }

    @Test
    void pctSamplesWithTheInjectedRandomAndTheRestGetsTheNextLowerPolicy() {
        zone.put("_dmarc.example.com", List.of("v=DMARC1; p=reject; pct=25"));
        sample.set(24);
        assertEquals(DmarcPolicy.REJECT, eval("example.com", null, null).applied());
        sample.set(25);
        DmarcResult out = eval("example.com", null, null);
        assertEquals(Status.FAIL, out.status());
        assertEquals(DmarcPolicy.REJECT, out.requested());
        assertEquals(DmarcPolicy.QUARANTINE, out.applied(), "reject -> quarantine (RFC 7489 §6.6.4)");
        zone.put("_dmarc.example.com", List.of("v=DMARC1; p=quarantine; pct=0"));
        sample.set(0);
        assertEquals(DmarcPolicy.NONE, eval("example.com", null, null).applied(), "quarantine -> none");
        zone.put("_dmarc.example.com", List.of("v=DMARC1; p=reject; pct=100"));
        sample.set(99);
        assertEquals(DmarcPolicy.REJECT, eval("example.com", null, null).applied());
    }

    @Test
    void noRecordSeveralRecordsABrokenRecordAndADnsFailure() {
        DmarcResult none = eval("example.com", null, null);
        assertEquals(Status.NONE, none.status());
        assertNull(none.record());

        zone.put("_dmarc.example.com", List.of("v=DMARC1; p=reject", "v=DMARC1; p=none"));
        assertEquals(Status.NONE, eval("example.com", null, null).status(), "several records: no policy");

        zone.put("_dmarc.example.com", List.of("v=spf1 -all", "v=DMARC1; p=reject", "some other text"));
        assertEquals(DmarcPolicy.REJECT, eval("example.com", null, null).applied(), "non-DMARC TXT records are discarded");

        zone.put("_dmarc.example.com", List.of("v=DMARC1; p=reject; pct=x"));
        DmarcResult broken = eval("example.com", null, null);
        assertEquals(Status.PERMERROR, broken.status());
        assertEquals(DmarcPolicy.NONE, broken.applied());

        zone.put("_dmarc.sub.example.com", List.of("v=DMARC1; p=bogus"));
        zone.put("_dmarc.example.com", List.of("v=DMARC1; p=reject"));
        assertEquals(Status.PERMERROR, eval("sub.example.com", null, null).status(),
                "a DMARC record at the From domain that does not parse stops discovery there");

        DmarcResult temp = eval("broken.example", null, null);
        assertEquals(Status.TEMPERROR, temp.status());
        assertEquals(DmarcPolicy.NONE, temp.applied());
    }

    @Test
    void severalFromDomainsAreEachEvaluatedAndTheStrictestFailureWins() {
        zone.put("_dmarc.example.com", List.of("v=DMARC1; p=quarantine"));
        zone.put("_dmarc.example.org", List.of("v=DMARC1; p=reject"));
        DmarcResult r = evaluator.evaluate(List.of("example.com", "example.org", "example.net"), "pass", "example.com",
                List.of());
        assertEquals(Status.FAIL, r.status());
        assertEquals("example.org", r.domain());
        assertEquals(DmarcPolicy.REJECT, r.applied());

        DmarcResult pass = evaluator.evaluate(List.of("example.com", "example.net"), "pass", "example.com", List.of());
        assertEquals(Status.PASS, pass.status(), "a domain without policy does not make the message fail");

        assertEquals(Status.PERMERROR, evaluator.evaluate(List.of(), null, null, List.of()).status());
        assertEquals(Status.PERMERROR, evaluator.evaluate(null, null, null, List.of()).status());
        assertEquals(Status.PERMERROR, evaluator.evaluate(List.of("a.example", "b.example", "c.example", "d.example",
                "e.example", "f.example"), null, null, List.of()).status());
    }
}

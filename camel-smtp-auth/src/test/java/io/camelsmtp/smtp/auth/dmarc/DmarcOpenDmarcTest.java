package io.camelsmtp.smtp.auth.dmarc;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.camelsmtp.smtp.auth.dkim.DkimResult;
import io.camelsmtp.smtp.auth.dns.TxtResolver;
import io.camelsmtp.smtp.auth.support.TxtDns;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Our DMARC verdicts against OpenDMARC's (the {@code opendmarc} milter, 1.4.2 here) on the same messages and records.
 * OpenDMARC runs in its own mount and network namespaces (judges/opendmarc_judge.py: dnsmasq on its loopback serves
 * the records, a small milter client sends each message with an Authentication-Results field of a trusted id giving
 * the SPF and DKIM results); our evaluator gets the same results and asks a DNS responder holding the same records.
 * Compared: the dmarc= result and what happens to the message (OpenDMARC with RejectFailures and
 * HoldQuarantinedMessages: 550 reply = reject, quarantine action = quarantine, else none).
 */
class DmarcOpenDmarcTest {

    @TempDir
    Path dir;

    /** One message: From value, MAIL FROM, SPF result for its domain (null: none given), DKIM "d=result" pairs. */
    record Case(String id, String from, String mailFrom, String spf, List<String> dkim) {
    }

    static final Map<String, String> RECORDS = new LinkedHashMap<>();
    static {
        RECORDS.put("_dmarc.none.test", "v=DMARC1; p=none; rua=mailto:agg@none.test");
        RECORDS.put("_dmarc.quar.test", "v=DMARC1; p=quarantine");
        RECORDS.put("_dmarc.rej.test", "v=DMARC1; p=reject; rua=mailto:a@rej.test,mailto:b@rep.test!10m");
        RECORDS.put("_dmarc.strict.test", "v=DMARC1; p=reject; adkim=s; aspf=s");
        RECORDS.put("_dmarc.parent.co.uk", "v=DMARC1; p=none; sp=reject");
        RECORDS.put("_dmarc.parent.test", "v=DMARC1; p=none; sp=reject");
        RECORDS.put("_dmarc.parent2.co.uk", "v=DMARC1; p=reject; sp=quarantine");
        RECORDS.put("_dmarc.own.parent.co.uk", "v=DMARC1; p=quarantine");
        RECORDS.put("_dmarc.pct0q.test", "v=DMARC1; p=quarantine; pct=0");
        RECORDS.put("_dmarc.pct0r.test", "v=DMARC1; p=reject; pct=0");
        RECORDS.put("_dmarc.pct100.test", "v=DMARC1; p=reject; pct=100");
        RECORDS.put("_dmarc.example.co.uk", "v=DMARC1; p=reject");
        RECORDS.put("_dmarc.lenient.test", "v=DMARC1; p=rej");
    }

    static final List<Case> CASES = List.of(
            new Case("spf-aligned", "alice@rej.test", "alice@rej.test", "pass", List.of()),
            new Case("spf-relaxed", "alice@rej.test", "bounce@mail.rej.test", "pass", List.of()),
            new Case("spf-unaligned", "alice@rej.test", "x@evil.test", "pass", List.of()),
            new Case("spf-fail", "alice@rej.test", "alice@rej.test", "fail", List.of()),
            new Case("dkim-aligned", "alice@rej.test", "x@evil.test", null, List.of("rej.test=pass")),
            new Case("dkim-relaxed", "Alice <alice@rej.test>", "x@evil.test", null, List.of("sub.rej.test=pass")),
            new Case("dkim-unaligned", "alice@rej.test", "x@evil.test", "softfail", List.of("evil.test=pass")),
            new Case("dkim-fail", "alice@rej.test", "x@evil.test", null, List.of("rej.test=fail")),
            new Case("dkim-second-passes", "alice@rej.test", "x@evil.test", null, List.of("rej.test=fail", "rej.test=pass")),
            new Case("strict-dkim-sub", "a@strict.test", "a@sub.strict.test", "pass", List.of("sub.strict.test=pass")),
            new Case("strict-exact", "a@strict.test", "a@evil.test", null, List.of("strict.test=pass")),
            new Case("strict-spf-exact", "a@strict.test", "a@strict.test", "pass", List.of()),
            new Case("quarantine", "a@quar.test", "a@evil.test", "pass", List.of()),
            new Case("quarantine-pass", "a@quar.test", "a@quar.test", "pass", List.of()),
            new Case("p-none", "a@none.test", "a@evil.test", "pass", List.of()),
            new Case("sp-reject", "a@sub.parent.co.uk", "a@evil.test", "pass", List.of()),
            new Case("sp-deep", "a@x.y.parent.co.uk", "a@evil.test", null, List.of()),
            new Case("sp-org-itself", "a@parent.co.uk", "a@evil.test", null, List.of()),
            new Case("sp-quarantine", "a@sub.parent2.co.uk", "a@evil.test", null, List.of()),
            new Case("sp-pass-relaxed", "a@sub.parent.co.uk", "a@parent.co.uk", "pass", List.of()),
            new Case("own-record", "a@own.parent.co.uk", "a@evil.test", null, List.of()),
            new Case("pct0-quarantine", "a@pct0q.test", "a@evil.test", null, List.of()),
            new Case("pct100", "a@pct100.test", "a@evil.test", null, List.of()),
            new Case("no-record", "a@norecord.test", "a@evil.test", null, List.of()),
            new Case("no-record-sub", "a@sub.norecord.test", "a@evil.test", null, List.of()),
            new Case("psl-relaxed", "a@mail.example.co.uk", "a@evil.test", null, List.of("other.example.co.uk=pass")),
            new Case("psl-suffix-only", "a@example.co.uk", "a@other.co.uk", "pass", List.of("other.co.uk=pass")),
            new Case("case-insensitive", "a@REJ.Test", "a@Rej.TEST", "pass", List.of()));

    /** Where we differ on purpose; each is documented in docs/smtp-auth.md. */
    static final List<Case> DIFFERENCES = List.of(
            // RFC 7489 §6.6.4: a failure that pct= leaves out gets the next lower policy; OpenDMARC 1.4.2 accepts it
            new Case("pct0-reject", "a@pct0r.test", "a@evil.test", null, List.of()),
            // "p=rej": OpenDMARC accepts any prefix of a keyword; we accept the keywords of the RFC only
            new Case("lenient-p", "a@lenient.test", "a@evil.test", null, List.of()),
            // a TLD not in the list (.test): the list's implicit "*" rule makes parent.test the organisational
            // domain; OpenDMARC 1.4.2 takes the name itself, so it finds no record for a subdomain
            new Case("implicit-rule", "a@sub.parent.test", "a@evil.test", null, List.of()));

    @Test
    void ourVerdictsEqualOpenDmarcs() throws Exception {
        Map<String, String> theirs = openDmarc(concat(CASES, DIFFERENCES));
        Map<String, String> ours = ours(concat(CASES, DIFFERENCES));
        List<String> mismatches = new ArrayList<>();
        for (Case c : CASES) {
            if (!ours.get(c.id()).equals(theirs.get(c.id()))) {
                mismatches.add(c.id() + ": ours " + ours.get(c.id()) + ", OpenDMARC " + theirs.get(c.id()));
            }
        }
        assertEquals(List.of(), mismatches, "ours " + new TreeMap<>(ours) + "\ntheirs " + new TreeMap<>(theirs));
        // the spread of verdicts, so that agreement is not agreement on one answer
        assertTrue(ours.values().containsAll(List.of("pass/none", "fail/reject", "fail/quarantine", "fail/none",
                "none/none")), ours.toString());

        assertEquals("fail/none", theirs.get("pct0-reject"));
        assertEquals("fail/quarantine", ours.get("pct0-reject"));
        assertEquals("fail/reject", theirs.get("lenient-p"));
        assertEquals("permerror/none", ours.get("lenient-p"));
        assertEquals("none/none", theirs.get("implicit-rule"));
        assertEquals("fail/reject", ours.get("implicit-rule"));
    }

    private static List<Case> concat(List<Case> a, List<Case> b) {
        List<Case> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    private Map<String, String> ours(List<Case> cases) throws Exception {
        var executor = Executors.newCachedThreadPool();
        try (TxtDns dns = new TxtDns()) {
            for (Map.Entry<String, String> r : RECORDS.entrySet()) {
                dns.txt(r.getKey(), r.getValue());
            }
            DmarcEvaluator evaluator = new DmarcEvaluator(new TxtResolver(TxtResolver.servers(dns.server()),
                    Duration.ofSeconds(2), executor), () -> 50);
            Map<String, String> out = new LinkedHashMap<>();
            for (Case c : cases) {
                List<DkimResult> dkim = new ArrayList<>();
                for (String d : c.dkim()) {
                    String[] p = d.split("=");
                    dkim.add(new DkimResult(p[0], "s1", "rsa-sha256", null,
                            DkimResult.Status.valueOf(p[1].toUpperCase(java.util.Locale.ROOT)), null, null));
                }
                String mailFromDomain = c.mailFrom().substring(c.mailFrom().indexOf('@') + 1);
                DmarcResult r = evaluator.evaluate(FromDomains.parse(List.of(c.from())), c.spf(),
                        c.spf() == null ? null : mailFromDomain, dkim);
                out.put(c.id(), r.result() + "/" + r.applied().text());
            }
            return out;
        } finally {
            executor.shutdownNow();
        }
    }

    private Map<String, String> openDmarc(List<Case> cases) throws Exception {
        for (String tool : List.of("/usr/sbin/opendmarc", "/usr/sbin/dnsmasq", "/usr/bin/unshare", "/usr/bin/python3")) {
            if (!Files.isExecutable(Path.of(tool))) {
                System.err.println("*** SKIPPED: " + tool + " is missing (apt-get install opendmarc dnsmasq-base)");
                assumeTrue(false, tool + " is missing");
            }
        }
        StringBuilder json = new StringBuilder("{\"zones\": [\"test\", \"uk\"], \"records\": {");
        String sep = "";
        for (Map.Entry<String, String> r : RECORDS.entrySet()) {
            json.append(sep).append(q(r.getKey())).append(": [").append(q(r.getValue())).append(']');
            sep = ", ";
        }
        json.append("}, \"cases\": [");
        sep = "";
        for (Case c : cases) {
            StringBuilder ar = new StringBuilder(" mx.test");
            if (c.spf() != null) {
                // the domain: OpenDMARC 1.4.2 compares "@domain" with the envelope domain when given an address
                ar.append("; spf=").append(c.spf()).append(" smtp.mailfrom=")
                        .append(c.mailFrom().substring(c.mailFrom().indexOf('@') + 1));
            }
            for (String d : c.dkim()) {
                String[] p = d.split("=");
                ar.append("; dkim=").append(p[1]).append(" header.d=").append(p[0]);
            }
            json.append(sep).append("{\"id\": ").append(q(c.id())).append(", \"mailfrom\": ").append(q(c.mailFrom()))
                    .append(", \"headers\": [[\"Authentication-Results\", ").append(q(ar.toString()))
                    .append("], [\"From\", ").append(q(" " + c.from())).append("], [\"To\", \" bob@rcpt.example\"], ")
                    .append("[\"Subject\", \" ").append(c.id()).append("\"]]}");
            sep = ", ";
        }
        json.append("]}");
        Path input = Files.writeString(dir.resolve("cases.json"), json);
        Path script = dir.resolve("opendmarc_judge.py");
        try (var in = DmarcOpenDmarcTest.class.getResourceAsStream("/judges/opendmarc_judge.py")) {
            Files.write(script, in.readAllBytes());
        }
        Process p = new ProcessBuilder("unshare", "-mn", "/usr/bin/python3", script.toString(), input.toString())
                .redirectError(dir.resolve("judge.err").toFile()).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("the OpenDMARC judge did not finish");
        }
        String err = Files.readString(dir.resolve("judge.err"));
        if (p.exitValue() != 0 && err.contains("unshare failed")) {
            System.err.println("*** SKIPPED: cannot make namespaces for OpenDMARC (needs root): " + err);
            assumeTrue(false, "unshare -mn is not permitted here");
        }
        assertEquals(0, p.exitValue(), err);
        Map<String, String> verdicts = new LinkedHashMap<>();
        Pattern id = Pattern.compile("\"id\": \"([^\"]+)\"");
        Pattern dmarc = Pattern.compile("judge\\.test; dmarc=([a-z]+)");
        for (String line : new String(out, StandardCharsets.UTF_8).split("\n")) {
            Matcher m = id.matcher(line);
            if (!m.find()) {
                continue;
            }
            String verdict;
            if (line.contains("\"reply\": \"550 5.7.1")) {
                verdict = "fail/reject";
            } else {
                Matcher d = dmarc.matcher(line);
                assertTrue(d.find(), line);
                verdict = d.group(1) + "/" + (line.contains("\"quarantine\":") ? "quarantine" : "none");
            }
            verdicts.put(m.group(1), verdict);
        }
        assertEquals(cases.size(), verdicts.size(), new String(out, StandardCharsets.UTF_8) + err);
        return verdicts;
    }

    private static String q(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

}

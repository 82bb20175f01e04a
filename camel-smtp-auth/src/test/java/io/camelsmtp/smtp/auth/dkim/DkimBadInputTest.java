package io.camelsmtp.smtp.auth.dkim;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import io.camelsmtp.smtp.auth.dns.TxtResolver;
import io.camelsmtp.smtp.auth.support.TestKeys;
import io.camelsmtp.smtp.auth.support.TxtDns;
import org.junit.jupiter.api.Test;

import static io.camelsmtp.smtp.auth.dkim.DkimMessages.bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Hostile signatures and key records: bounded work, a result per signature, nothing thrown, no hang. */
class DkimBadInputTest {

    private static final SigningKey RSA = new SigningKey("bar.test", "rsa1", TestKeys.RSA);
    private static final String BODY = "From: a@bar.test\r\nSubject: s\r\n\r\nbody\r\n";

    private static KeyRecordSource rsaKey() {
        return name -> name.equals("rsa1._domainkey.bar.test") ? List.of(TestKeys.record(TestKeys.RSA)) : List.of();
    }

    private static DkimResult only(String signatureValue) throws Exception {
        byte[] m = bytes("DKIM-Signature:" + signatureValue + "\r\n" + BODY);
        List<DkimResult> r = DkimMessages.verify(m, rsaKey()).results();
        assertEquals(1, r.size());
        return r.get(0);
    }

    @Test
    void malformedSignaturesArePermerrors() throws Exception {
        for (String bad : List.of("", ";;;", "v=1; a", "v=1; =x", "v=1; v=1", "v=1; 1a=x", "v=1; a=rsa-sha256; b=\u0001",
                "v=2; a=rsa-sha256; b=AA; bh=AA; d=bar.test; h=from; s=rsa1",
                "v=1; a=rsa-sha1; b=AA; bh=AA; d=bar.test; h=from; s=rsa1",
                "v=1; a=rsa-sha256; b=AA; bh=AA; d=bar.test; h=subject; s=rsa1",
                "v=1; a=rsa-sha256; b=AA; bh=AA; d=bar.test; h=from; s=rsa1; i=x@evil.test",
                "v=1; a=rsa-sha256; b=AA; bh=AA; d=bar.test; h=from; s=rsa1; c=odd/relaxed",
                "v=1; a=rsa-sha256; b=AA; bh=AA; d=bar.test; h=from; s=rsa1; t=20; x=10",
                "v=1; a=rsa-sha256; b=!!; bh=AA; d=bar.test; h=from; s=rsa1",
                "v=1; a=rsa-sha256; b=AA; bh=AA; d=../etc; h=from; s=rsa1",
                "v=1; a=rsa-sha256; b=AA; bh=AA; d=bar.test; h=from; s=rsa1; l=-5",
                "v=1; a=rsa-sha256; b=AA; bh=AA; d=bar.test; h=from; s=rsa1; q=http/well-known",
                "x".repeat(TagList.MAX_LENGTH + 1))) {
            DkimResult r = only(bad);
            assertEquals(DkimResult.Status.PERMERROR, r.status(), bad + " -> " + r);
        }
    }

    @Test
    void expiredSignaturesFail() throws Exception {
        // a signature made an hour ago, valid for a minute: intact, but expired
        DkimSigner signer = new DkimSigner(Canonicalization.RELAXED, Canonicalization.RELAXED, null, Duration.ofMinutes(1),
                java.time.Clock.offset(java.time.Clock.systemUTC(), Duration.ofHours(-1)));
        java.io.InputStream in = new java.io.ByteArrayInputStream(bytes(BODY));
        String fields = signer.sign(List.of(RSA), HeaderSection.read(in), in);
        DkimResult r = DkimMessages.verify(bytes(fields + BODY), rsaKey()).results().get(0);
        assertEquals(DkimResult.Status.FAIL, r.status(), r.toString());
        assertTrue(r.reason().startsWith("signature expired"), r.reason());
    }

    @Test
    void absurdOrPartialBodyLengths() throws Exception {
        byte[] signed = DkimMessages.sign(bytes(BODY), "relaxed/relaxed", null, RSA);
        String text = new String(signed, StandardCharsets.ISO_8859_1);
        // l= is signed, so it is added here by re-signing with a body length through a hand-made signature:
        // longer than the body fails, however large the number
        String huge = text.replace("\tt=", "\tl=99999999999999999999999999999999999999999999; t=");
        assertTrue(huge.contains("l=9999"), huge);
        DkimResult r = DkimMessages.verify(bytes(huge), rsaKey()).results().get(0);
        assertEquals(DkimResult.Status.FAIL, r.status(), r.toString());
        assertTrue(r.reason().contains("longer than the body"), r.reason());
    }

    @Test
    void aBodyLongerThanItsSignedLengthIsPolicyNotPass() throws Exception {
        // dkimpy signs with l= (our signer never does); then someone appends to the body (RFC 6376 section 8.2)
        byte[] signed = io.camelsmtp.smtp.auth.support.Judges.dkimpyRaw(bytes(BODY), "rsa1", "bar.test", TestKeys.RSA, true);
        assertEquals(DkimResult.Status.PASS, DkimMessages.verify(signed, rsaKey()).results().get(0).status());
        byte[] appended = bytes(new String(signed, StandardCharsets.ISO_8859_1) + "Click here: http://evil.test/\r\n");
        DkimResult r = DkimMessages.verify(appended, rsaKey()).results().get(0);
        assertEquals(DkimResult.Status.POLICY, r.status(), r.toString());
        assertTrue(r.reason().contains("octets of the body after l="), r.reason());
    }

    @Test
    void fiftySignaturesCostTenEvaluationsAndOneKeyLookup() throws Exception {
        byte[] one = DkimMessages.sign(bytes(BODY), "relaxed/relaxed", null, RSA);
        String sig = new String(one, StandardCharsets.ISO_8859_1).substring(0, one.length - BODY.length());
        AtomicInteger lookups = new AtomicInteger();
        byte[] fifty = bytes(sig.repeat(50) + BODY);
        DkimVerifier.Outcome o = assertTimeoutPreemptively(Duration.ofSeconds(5), () -> DkimMessages.verify(fifty, name -> {
            lookups.incrementAndGet();
            return rsaKey().txt(name);
        }));
        assertEquals(DkimVerifier.MAX_SIGNATURES, o.results().size());
        assertEquals(40, o.notEvaluated());
        assertTrue(o.results().stream().allMatch(DkimResult::passed));
        assertEquals(1, lookups.get(), "one key lookup per name and message");
    }

    @Test
    void hugeOrOddKeyRecordsArePermerrors() throws Exception {
        byte[] signed = DkimMessages.sign(bytes(BODY), "relaxed/relaxed", null, RSA);
        String big = "v=DKIM1; k=rsa; p=" + "A".repeat(100 * 1024);
        for (String record : List.of(big, "garbage", "v=DKIM1; k=rsa", "v=DKIM1; k=ed25519; p=AAAA", "k=rsa; v=DKIM1; p=AA",
                "v=DKIM1; k=rsa; h=sha1; p=" + TestKeys.record(TestKeys.RSA).replaceAll(".*p=", ""),
                "v=DKIM1; k=rsa; s=tlsrpt; p=" + TestKeys.record(TestKeys.RSA).replaceAll(".*p=", ""),
                "v=DKIM1; k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA")) {
            DkimResult r = DkimMessages.verify(signed, name -> List.of(record)).results().get(0);
            assertEquals(DkimResult.Status.PERMERROR, r.status(), record.substring(0, Math.min(60, record.length())) + " -> " + r);
        }
        String small = TestKeys.record(TestKeys.generate("RSA", 512));
        DkimResult weak = DkimMessages.verify(signed, name -> List.of(small)).results().get(0);
        assertEquals(DkimResult.Status.FAIL, weak.status(), weak.toString());
    }

    @Test
    void twoHundredTxtStringsThroughDns() throws Exception {
        byte[] signed = DkimMessages.sign(bytes(BODY), "relaxed/relaxed", null, RSA);
        List<String> strings = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            strings.add(i == 0 ? "v=DKIM1; k=rsa; p=" : "A"); // 200 strings in one UDP answer
        }
        var executor = Executors.newCachedThreadPool();
        try (TxtDns dns = new TxtDns().txt("rsa1._domainkey.bar.test", strings)) {
            TxtResolver resolver = new TxtResolver(TxtResolver.servers(dns.server()), Duration.ofMillis(500), executor);
            List<String> records = resolver.txt("rsa1._domainkey.bar.test");
            assertEquals(1, records.size());
            assertEquals(18 + 199, records.get(0).length(), "the strings of one record are joined");
            DkimResult r = assertTimeoutPreemptively(Duration.ofSeconds(5),
                    () -> DkimMessages.verify(signed, resolver).results().get(0));
            assertEquals(DkimResult.Status.PERMERROR, r.status(), r.toString());
            assertTrue(r.reason().contains("not a rsa public key") || r.reason().contains("base64"), r.reason());
        } finally {
            executor.shutdownNow();
        }
    }

    @Test
    void headerSectionsAreBounded() {
        String many = "X-A: b\r\n".repeat(HeaderSection.MAX_FIELDS + 1) + "\r\n";
        assertThrows(DkimException.class, () -> HeaderSection.read(new java.io.ByteArrayInputStream(bytes(many))));
        String long1 = "X-A: " + "b".repeat(HeaderSection.MAX_SIZE) + "\r\n\r\n";
        assertThrows(DkimException.class, () -> HeaderSection.read(new java.io.ByteArrayInputStream(bytes(long1))));
        assertThrows(DkimException.class, () -> HeaderSection.read(new java.io.ByteArrayInputStream(bytes(" folded first\r\n\r\n"))));
        assertThrows(DkimException.class, () -> HeaderSection.read(new java.io.ByteArrayInputStream(bytes("no colon\r\n\r\n"))));
    }
}

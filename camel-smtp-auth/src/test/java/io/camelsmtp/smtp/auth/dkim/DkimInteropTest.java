package io.camelsmtp.smtp.auth.dkim;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.camelsmtp.smtp.auth.support.Judges;
import io.camelsmtp.smtp.auth.support.TestKeys;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static io.camelsmtp.smtp.auth.dkim.DkimMessages.MESSAGE;
import static io.camelsmtp.smtp.auth.dkim.DkimMessages.bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Our signatures judged by dkimpy and OpenDKIM; their signatures judged by us. Each judge sees only the key records
 * the test publishes to it.
 */
class DkimInteropTest {

    @TempDir
    Path dir;

    private static final SigningKey RSA = new SigningKey("bar.test", "rsa1", TestKeys.RSA);
    private static final SigningKey ED = new SigningKey("bar.test", "ed1", TestKeys.ED25519);
    private static final Map<String, String> RECORDS = Map.of(
            "rsa1._domainkey.bar.test", TestKeys.record(TestKeys.RSA),
            "ed1._domainkey.bar.test", TestKeys.record(TestKeys.ED25519));

    private static KeyRecordSource published() {
        return name -> RECORDS.containsKey(name) ? List.of(RECORDS.get(name)) : List.of();
    }

    @Test
    void rsaSignatureVerifiesWithDkimpyAndOpenDkim() throws Exception {
        byte[] signed = DkimMessages.sign(bytes(MESSAGE), "relaxed/relaxed", null, RSA);
        assertEquals(List.of("pass"), Judges.dkimpy(dir, signed, RECORDS));
        assertEquals(List.of("pass"), Judges.opendkim(dir, signed, RECORDS));
        assertEquals(DkimResult.Status.PASS, DkimMessages.verify(signed, published()).results().get(0).status());
    }

    @Test
    void ed25519SignatureVerifiesWithDkimpyAndOpenDkim() throws Exception {
        byte[] signed = DkimMessages.sign(bytes(MESSAGE), "relaxed/relaxed", null, ED);
        assertEquals(List.of("pass"), Judges.dkimpy(dir, signed, RECORDS));
        assertEquals(List.of("pass"), Judges.opendkim(dir, signed, RECORDS));
    }

    @Test
    void rsaAndEd25519OnOneMessageBothVerify() throws Exception {
        byte[] signed = DkimMessages.sign(bytes(MESSAGE), "relaxed/relaxed", Duration.ofDays(7), RSA, ED);
        assertEquals(List.of("pass", "pass"), Judges.dkimpy(dir, signed, RECORDS));
        assertEquals(List.of("pass", "pass"), Judges.opendkim(dir, signed, RECORDS));
        List<DkimResult> ours = DkimMessages.verify(signed, published()).results();
        assertEquals(2, ours.size());
        assertTrue(ours.stream().allMatch(DkimResult::passed), ours.toString());
        String text = new String(signed, StandardCharsets.ISO_8859_1);
        assertTrue(text.contains("x="), text);
    }

    /**
     * OpenDKIM judges relaxed header canonicalization only: its test mode (opendkim -t) hands fields through its milter
     * emulation, which re-spaces them, so "simple" header signatures fail there even when dkimpy made them (seen by
     * hand with a dkimpy c=simple/simple signature: "signature verification failed").
     */
    @Test
    void everyCanonicalizationVerifiesWithDkimpy() throws Exception {
        for (String c : List.of("simple/simple", "simple/relaxed", "relaxed/simple")) {
            byte[] signed = DkimMessages.sign(bytes(MESSAGE), c, null, RSA, ED);
            assertEquals(List.of("pass", "pass"), Judges.dkimpy(dir, signed, RECORDS), c);
            assertTrue(DkimMessages.verify(signed, published()).results().stream().allMatch(DkimResult::passed), c);
            if (c.startsWith("relaxed")) {
                assertEquals(List.of("pass", "pass"), Judges.opendkim(dir, signed, RECORDS), c);
            }
        }
    }

    @Test
    void overSignedHeadersAreListedOnceMoreThanPresent() throws Exception {
        String text = new String(DkimMessages.sign(bytes(MESSAGE), "relaxed/relaxed", null, RSA), StandardCharsets.ISO_8859_1);
        String h = text.substring(text.indexOf("h=") + 2, text.indexOf(';', text.indexOf("h="))).replaceAll("\\s", "");
        List<String> names = List.of(h.split(":"));
        assertEquals(2, names.stream().filter("From"::equals).count(), h);
        assertEquals(2, names.stream().filter("To"::equals).count(), h);
        assertEquals(2, names.stream().filter("Subject"::equals).count(), h);
        assertEquals(2, names.stream().filter("Date"::equals).count(), h);
        assertEquals(1, names.stream().filter("Message-ID"::equals).count(), h);
        assertTrue(!names.contains("Cc") && !names.contains("Received"), h);
        // a second Subject added on the way breaks the signature instead of showing beside it
        byte[] added = bytes(text.replace("\r\nSubject:", "\r\nSubject: urgent!\r\nSubject:"));
        assertEquals(List.of("fail"), Judges.dkimpy(dir, added, RECORDS));
    }

    @Test
    void dkimpySignaturesPassHere() throws Exception {
        for (PrivateKey key : List.of(TestKeys.RSA, TestKeys.ED25519)) {
            boolean rsa = key == TestKeys.RSA;
            Path keyFile = TestKeys.writeForDkimpy(dir.resolve(rsa ? "rsa.pem" : "ed.key"), key);
            byte[] signed = Judges.dkimpySign(dir, bytes(MESSAGE), rsa ? "rsa1" : "ed1", "bar.test", keyFile,
                    rsa ? "rsa-sha256" : "ed25519-sha256");
            DkimResult r = DkimMessages.verify(signed, published()).results().get(0);
            assertEquals(DkimResult.Status.PASS, r.status(), r.toString());
            assertEquals(rsa ? "rsa-sha256" : "ed25519-sha256", r.algorithm());
        }
    }

    /**
     * opendkim-testmsg (2.11) signs with rsa-sha1 and has no option for another algorithm: RFC 8301 forbids verifiers
     * to accept rsa-sha1, so its signature is a permerror here (OpenDKIM's verifier, by contrast, passes our
     * rsa-sha256 and ed25519-sha256 signatures above). The same message re-signed with rsa-sha256 through the same
     * key passes, so the key and the message are not the cause.
     */
    @Test
    void openDkimTestmsgSignaturesAreRsaSha1AndRefused() throws Exception {
        Path keyFile = TestKeys.writePem(dir.resolve("rsa.pem"), TestKeys.RSA);
        byte[] signed = Judges.opendkimSign(bytes(MESSAGE), "rsa1", "bar.test", keyFile);
        String text = new String(signed, StandardCharsets.ISO_8859_1);
        assertTrue(text.startsWith("DKIM-Signature:") && text.contains("a=rsa-sha1"), text);
        DkimResult r = DkimMessages.verify(signed, published()).results().get(0);
        assertEquals(DkimResult.Status.PERMERROR, r.status(), r.toString());
        assertEquals("algorithm rsa-sha1 not accepted (RFC 8301)", r.reason());
        byte[] resigned = Judges.dkimpySign(dir, bytes(MESSAGE), "rsa1", "bar.test", keyFile, "rsa-sha256");
        assertEquals(DkimResult.Status.PASS, DkimMessages.verify(resigned, published()).results().get(0).status());
    }

    @Test
    void tamperedAndUnpublishedGiveFailPermerrorAndFail() throws Exception {
        Path keyFile = TestKeys.writeForDkimpy(dir.resolve("ed.key"), TestKeys.ED25519);
        byte[] signed = Judges.dkimpySign(dir, bytes(MESSAGE), "ed1", "bar.test", keyFile, "ed25519-sha256");
        String text = new String(signed, StandardCharsets.ISO_8859_1);

        byte[] body = bytes(text.replace("figures", "fiGures"));
        assertEquals(DkimResult.Status.FAIL, DkimMessages.verify(body, published()).results().get(0).status());
        assertEquals(List.of("fail"), Judges.opendkim(dir, body, RECORDS)); // the judge agrees it is a real change

        byte[] header = bytes(text.replace("Quarterly", "Quarterlx"));
        DkimResult h = DkimMessages.verify(header, published()).results().get(0);
        assertEquals(DkimResult.Status.FAIL, h.status(), h.toString());
        assertEquals("signature did not verify", h.reason());

        DkimResult missing = DkimMessages.verify(signed, name -> List.of()).results().get(0);
        assertEquals(DkimResult.Status.PERMERROR, missing.status(), missing.toString());

        DkimResult revoked = DkimMessages.verify(signed, name -> List.of("v=DKIM1; k=ed25519; p=")).results().get(0);
        assertEquals(DkimResult.Status.FAIL, revoked.status(), revoked.toString());
        assertEquals("key revoked (empty p=)", revoked.reason());
    }
}

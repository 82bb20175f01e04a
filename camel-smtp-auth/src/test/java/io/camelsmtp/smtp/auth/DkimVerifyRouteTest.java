package io.camelsmtp.smtp.auth;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import io.camelsmtp.smtp.auth.dkim.DkimResult;
import io.camelsmtp.smtp.auth.support.Judges;
import io.camelsmtp.smtp.auth.support.Swaks;
import io.camelsmtp.smtp.auth.support.TestKeys;
import io.camelsmtp.smtp.auth.support.TxtDns;
import org.apache.camel.Exchange;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.test.AvailablePortFinder;
import org.apache.camel.test.junit5.CamelTestSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code smtp-auth:verify} with its key records served by a DNS responder on a free port (SERVFAIL and silence
 * included): results per signature in {@code CamelSmtpAuthDkim}, one Authentication-Results field in front, a forged
 * one with our id removed.
 */
class DkimVerifyRouteTest extends CamelTestSupport {

    @TempDir
    static Path dir;
    static TxtDns dns;
    private final int port = AvailablePortFinder.getNextAvailable();

    private static final String MESSAGE = "Authentication-Results: mx.test; dkim=pass header.d=bar.test\r\n"
                                          + "Authentication-Results: other.test; dkim=fail\r\n"
                                          + "From: Alice <alice@bar.test>\r\nTo: bob@example.test\r\nSubject: check me\r\n"
                                          + "Date: Sun, 6 Dec 2026 10:00:00 +0000\r\n\r\nHello Bob.\r\n";

    @BeforeAll
    static void publish() throws Exception {
        dns = new TxtDns()
                .txt("rsa1._domainkey.bar.test", TestKeys.record(TestKeys.RSA))
                .txt("ed1._domainkey.bar.test", TestKeys.record(TestKeys.ED25519))
                .txt("gone._domainkey.bar.test", "v=DKIM1; k=rsa; p=")
                .servfail("broken._domainkey.bar.test")
                .silent("slow._domainkey.bar.test");
    }

    @AfterAll
    static void unpublish() {
        dns.close();
    }

    @Override
    protected RoutesBuilder createRouteBuilder() {
        return new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:verify").to("smtp-auth:verify?authservId=mx.test&dnsTimeout=300ms&dnsServers=" + dns.server());
                from("smtp-server:127.0.0.1:" + port + "?acceptedDomains=*&maxConnectionsPerIp=0")
                        .to("smtp-auth:verify?authservId=mx.test&dnsServers=" + dns.server())
                        .to("file:" + dir.resolve("inbox") + "?fileName=${exchangeId}.eml");
            }
        };
    }

    private byte[] signedBy(String... selectors) throws Exception {
        byte[] m = MESSAGE.getBytes(StandardCharsets.US_ASCII);
        for (String s : selectors) {
            boolean ed = s.startsWith("ed");
            Path key = TestKeys.writeForDkimpy(dir.resolve(s + ".key"), ed ? TestKeys.ED25519 : TestKeys.RSA);
            m = Judges.dkimpySign(dir, m, s, "bar.test", key, ed ? "ed25519-sha256" : "rsa-sha256");
        }
        return m;
    }

    private Exchange verify(byte[] message) {
        Exchange e = template.request("direct:verify", x -> x.getMessage().setBody(message));
        assertFalse(e.isFailed(), String.valueOf(e.getException()));
        return e;
    }

    @SuppressWarnings("unchecked")
    private static List<DkimResult> results(Exchange e) {
        return e.getMessage().getHeader(SmtpAuthConstants.DKIM, List.class);
    }

    @Test
    void rsaAndEd25519SignaturesPassAndTheResultsHeaderReplacesAForgedOne() throws Exception {
        Exchange e = verify(signedBy("rsa1", "ed1"));
        List<DkimResult> r = results(e);
        assertEquals(2, r.size(), r.toString());
        assertTrue(r.stream().allMatch(DkimResult::passed), r.toString());
        assertEquals("pass", e.getMessage().getHeader(SmtpAuthConstants.DKIM_RESULT));
        String out = e.getMessage().getBody(String.class);
        assertTrue(out.startsWith("Authentication-Results: mx.test;\r\n\tdkim=pass header.d=bar.test header.s=ed1 "
                                  + "header.a=ed25519-sha256 header.b="), out);
        assertTrue(out.contains("dkim=pass header.d=bar.test header.s=rsa1 header.a=rsa-sha256"), out);
        assertEquals(1, out.split("Authentication-Results: mx.test", -1).length - 1, "the forged field with our id is gone: " + out);
        assertTrue(out.contains("Authentication-Results: other.test; dkim=fail\r\n"), "others' fields stay: " + out);
        assertTrue(out.endsWith("\r\n\r\nHello Bob.\r\n"), out);
    }

    @Test
    void changedBodyRevokedMissingAndBrokenDnsEachGetTheirResult() throws Exception {
        byte[] signed = signedBy("rsa1");
        String text = new String(signed, StandardCharsets.US_ASCII);
        assertEquals("fail", verify(text.replace("Hello Bob.", "Hello Bob!").getBytes(StandardCharsets.US_ASCII))
                .getMessage().getHeader(SmtpAuthConstants.DKIM_RESULT));
        assertEquals("fail", verify(text.replace("check me", "check m3").getBytes(StandardCharsets.US_ASCII))
                .getMessage().getHeader(SmtpAuthConstants.DKIM_RESULT));
        assertEquals("fail", result(text.replace("s=rsa1", "s=gone")));
        assertEquals("permerror", result(text.replace("s=rsa1", "s=nokey")));
        assertEquals("temperror", result(text.replace("s=rsa1", "s=broken")));
        assertTimeoutPreemptively(Duration.ofSeconds(5), () -> assertEquals("temperror", result(text.replace("s=rsa1", "s=slow"))),
                "a resolver that never answers costs the time-outs, not a hang");
        Exchange none = verify("From: a@bar.test\r\n\r\nx\r\n".getBytes(StandardCharsets.US_ASCII));
        assertEquals("none", none.getMessage().getHeader(SmtpAuthConstants.DKIM_RESULT));
        assertTrue(none.getMessage().getBody(String.class).startsWith("Authentication-Results: mx.test; dkim=none;\r\n"
                                                                     + "\tdmarc=none header.from=bar.test\r\nFrom:"));
    }

    @Test
    void throughTheListenerTheStoredMessageCarriesTheVerdict() throws Exception {
        Path msg = java.nio.file.Files.write(dir.resolve("signed-by-dkimpy.eml"), signedBy("ed1", "rsa1"));
        Swaks.accepted(port, "alice@bar.test", "bob@example.test", msg);
        Path inbox = dir.resolve("inbox");
        for (int i = 0; i < 100 && (!java.nio.file.Files.isDirectory(inbox) || java.nio.file.Files.list(inbox).count() == 0); i++) {
            Thread.sleep(50);
        }
        String stored;
        try (var files = java.nio.file.Files.list(inbox)) {
            stored = java.nio.file.Files.readString(files.findFirst().orElseThrow(), StandardCharsets.ISO_8859_1);
        }
        assertTrue(stored.startsWith("Authentication-Results: mx.test;\r\n\tdkim=pass header.d=bar.test header.s=rsa1"), stored);
        assertTrue(stored.contains("dkim=pass header.d=bar.test header.s=ed1"), stored);
        assertEquals(1, stored.split("Authentication-Results: mx.test", -1).length - 1, stored);
    }

    @Test
    void anUnreadableHeaderSectionIsRefusedNotPassedOnWithAForgedVerdict() throws Exception {
        String forged = "Authentication-Results: mx.test; dkim=pass header.d=bank.test\r\n"
                        + "From: ceo@bank.test\r\nthis line has no colon\r\nSubject: pay\r\n\r\nnow\r\n";
        Exchange e = template.request("direct:verify", x -> x.getMessage().setBody(forged));
        assertTrue(e.isFailed() && e.getException().getMessage().startsWith("550 5.6.0 Message header section cannot be read"),
                String.valueOf(e.getException()));
        String big = "From: a@bar.test\r\n" + "X-Pad: " + "p".repeat(2 * 1024 * 1024) + "\r\n"
                     + "Authentication-Results: mx.test; dkim=pass\r\n\r\nbody\r\n";
        String transcript = Swaks.send(port, "a@bar.test", "b@example.test",
                java.nio.file.Files.writeString(dir.resolve("big-header.eml"), big));
        assertTrue(transcript.contains("<** 550 5.6.0"), transcript);
    }

    @Test
    void aBrokenSignatureCannotWriteIntoOurResultsField() throws Exception {
        String m = "DKIM-Signature: v=1; d=evil.test\"dkim=pass(x); s=a=b\r\n" + MESSAGE;
        String out = verify(m.getBytes(StandardCharsets.US_ASCII)).getMessage().getBody(String.class);
        // the dkim= line of our field, without the ";" that separates it from the results after it (dmarc=, spf=)
        String ours = out.substring(0, out.indexOf("\r\n", out.indexOf("dkim=")) + 2).replaceFirst(";\r\n$", "\r\n");
        assertEquals("Authentication-Results: mx.test;\r\n\tdkim=permerror reason=\"DKIM-Signature has no a=\"\r\n", ours);
    }

    @Test
    void keyRecordsAreCachedForTheirTtl() throws Exception {
        byte[] signed = signedBy("ed1");
        verify(signed);
        int asked = dns.questions();
        verify(signed);
        assertEquals(asked, dns.questions(), "the second message's key came from the cache");
    }

    private String result(String message) {
        return verify(message.getBytes(StandardCharsets.US_ASCII)).getMessage().getHeader(SmtpAuthConstants.DKIM_RESULT,
                String.class);
    }
}

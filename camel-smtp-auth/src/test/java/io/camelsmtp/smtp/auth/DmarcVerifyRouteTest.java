package io.camelsmtp.smtp.auth;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import io.camelsmtp.smtp.auth.dmarc.DmarcResult;
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
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * DMARC in {@code smtp-auth:verify}: swaks in front of a real listener, DKIM signatures made by dkimpy, DMARC records
 * on a DNS responder; a {@code p=reject} spoof gets 550 5.7.1 at the end of DATA and nothing is stored.
 */
class DmarcVerifyRouteTest extends CamelTestSupport {

    @TempDir
    static Path dir;
    static TxtDns dns;
    private final int port = AvailablePortFinder.getNextAvailable();

    @BeforeAll
    static void publish() throws Exception {
        dns = new TxtDns()
                .txt("rsa1._domainkey.bar.test", TestKeys.record(TestKeys.RSA))
                .txt("_dmarc.bar.test", "v=DMARC1; p=reject; rua=mailto:dmarc@bar.test")
                .txt("_dmarc.quar.test", "v=DMARC1; p=quarantine")
                .servfail("_dmarc.broken.test");
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
                        .to("smtp-auth:verify?authservId=mx.test&refuseDmarcReject=true&dnsServers=" + dns.server())
                        .to("file:" + dir.resolve("inbox") + "?fileName=${exchangeId}.eml");
            }
        };
    }

    private static byte[] message(String from) {
        return ("From: " + from + "\r\nTo: bob@example.test\r\nSubject: dmarc\r\nDate: Sun, 6 Dec 2026 10:00:00 +0000\r\n"
                + "\r\nHello Bob.\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] signed(byte[] message) throws Exception {
        Path key = TestKeys.writeForDkimpy(dir.resolve("rsa1.key"), TestKeys.RSA);
        return Judges.dkimpySign(dir, message, "rsa1", "bar.test", key, "rsa-sha256");
    }

    private Exchange verify(byte[] message, String spf, String mailFrom) {
        Exchange e = template.request("direct:verify", x -> {
            x.getMessage().setBody(message);
            x.getMessage().setHeader("CamelSmtpAuthSpf", spf);
            x.getMessage().setHeader("CamelSmtpEnvelopeFrom", mailFrom);
        });
        assertFalse(e.isFailed(), String.valueOf(e.getException()));
        return e;
    }

    @Test
    void alignedDkimOrSpfPassesAndTheVerdictIsInTheHeadersAndTheResultsField() throws Exception {
        Exchange dkim = verify(signed(message("Alice <alice@bar.test>")), null, "x@evil.test");
        assertEquals("pass", dkim.getMessage().getHeader(SmtpAuthConstants.DMARC));
        assertEquals("none", dkim.getMessage().getHeader(SmtpAuthConstants.DMARC_POLICY));
        String out = dkim.getMessage().getBody(String.class);
        assertTrue(out.startsWith("Authentication-Results: mx.test;\r\n\tdkim=pass header.d=bar.test header.s=rsa1 "), out);
        assertTrue(out.contains(";\r\n\tdmarc=pass (p=reject dis=none) header.from=bar.test\r\n"), out);

        Exchange spf = verify(message("alice@bar.test"), "pass", "bounce@mail.bar.test");
        assertEquals("pass", spf.getMessage().getHeader(SmtpAuthConstants.DMARC));
        DmarcResult details = spf.getMessage().getHeader(SmtpAuthConstants.DMARC_DETAILS, DmarcResult.class);
        assertEquals(List.of("mailto:dmarc@bar.test"), details.record().aggregateReports());
        assertTrue(details.reasons().contains("spf pass for mail.bar.test aligned (relaxed)"), details.reasons().toString());
    }

    @Test
    void aSpoofFailsWithThePolicyOfTheFromDomain() {
        Exchange reject = verify(message("alice@bar.test"), "pass", "x@evil.test");
        assertEquals("fail", reject.getMessage().getHeader(SmtpAuthConstants.DMARC));
        assertEquals("reject", reject.getMessage().getHeader(SmtpAuthConstants.DMARC_POLICY));
        assertTrue(reject.getMessage().getBody(String.class)
                .contains("dmarc=fail (p=reject dis=reject) header.from=bar.test\r\n"));

        Exchange quarantine = verify(message("alice@quar.test"), "softfail", "alice@quar.test");
        assertEquals("fail", quarantine.getMessage().getHeader(SmtpAuthConstants.DMARC));
        assertEquals("quarantine", quarantine.getMessage().getHeader(SmtpAuthConstants.DMARC_POLICY));

        Exchange hidden = verify(message("friend@nopolicy.test\r\nFrom: alice@bar.test"), "pass", "x@nopolicy.test");
        assertEquals("reject", hidden.getMessage().getHeader(SmtpAuthConstants.DMARC_POLICY),
                "a second From field does not hide a spoofed domain");

        Exchange noFrom = verify("Subject: no author\r\n\r\nx\r\n".getBytes(StandardCharsets.US_ASCII), null, "a@b.test");
        assertEquals("permerror", noFrom.getMessage().getHeader(SmtpAuthConstants.DMARC));
        assertEquals("none", noFrom.getMessage().getHeader(SmtpAuthConstants.DMARC_POLICY));

        Exchange temp = verify(message("alice@broken.test"), null, "a@broken.test");
        assertEquals("temperror", temp.getMessage().getHeader(SmtpAuthConstants.DMARC));
        assertEquals("none", temp.getMessage().getHeader(SmtpAuthConstants.DMARC_POLICY));
    }

    @Test
    void throughTheListenerAPRejectSpoofGets550AndNothingIsStoredWhileSignedMailIsStored() throws Exception {
        Path spoof = Files.write(dir.resolve("spoof.eml"), message("PayPal <alice@bar.test>"));
        String transcript = Swaks.send(port, "x@evil.test", "bob@example.test", spoof);
        assertTrue(transcript.contains("<** 550 5.7.1 Rejected by the DMARC policy of bar.test"), transcript);
        Path inbox = dir.resolve("inbox");
        assertFalse(Files.isDirectory(inbox) && Files.list(inbox).findAny().isPresent(), "nothing stored");

        Path good = Files.write(dir.resolve("good.eml"), signed(message("alice@bar.test")));
        Swaks.accepted(port, "alice@bar.test", "bob@example.test", good);
        for (int i = 0; i < 100 && (!Files.isDirectory(inbox) || Files.list(inbox).count() == 0); i++) {
            Thread.sleep(50);
        }
        String stored;
        try (Stream<Path> files = Files.list(inbox)) {
            List<Path> all = files.toList();
            assertEquals(1, all.size(), all.toString());
            stored = Files.readString(all.get(0), StandardCharsets.ISO_8859_1);
        }
        assertTrue(stored.contains("\tdmarc=pass (p=reject dis=none) header.from=bar.test\r\n"), stored);
    }
}

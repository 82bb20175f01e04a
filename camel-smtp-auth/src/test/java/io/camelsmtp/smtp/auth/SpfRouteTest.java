package io.camelsmtp.smtp.auth;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import io.camelsmtp.smtp.auth.spf.SpfResult;
import io.camelsmtp.smtp.auth.support.Swaks;
import io.camelsmtp.smtp.auth.support.ZoneDns;
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
 * {@code smtp-auth:spf} in a {@code mailPolicy} route of a real listener (Java DSL), swaks as the client, the records
 * served by a DNS server on a free port: a {@code -all} failure refused at MAIL FROM with {@code 550 5.7.23}, a DNS
 * failure with {@code 451 4.7.24}, a pass accepted and its verdict carried to {@code verify} after DATA without a second
 * evaluation; the null sender checked as {@code postmaster@<HELO>}.
 */
class SpfRouteTest extends CamelTestSupport {

    @TempDir
    static Path dir;
    static ZoneDns dns;
    private final int port = AvailablePortFinder.getNextAvailable();

    @BeforeAll
    static void publish() throws Exception {
        dns = new ZoneDns()
                .add("pass.test. 60 IN TXT \"v=spf1 ip4:127.0.0.1 -all\"")
                .add("fail.test. 60 IN TXT \"v=spf1 ip4:192.0.2.1 -all\"")
                .add("explained.test. 60 IN TXT \"v=spf1 -all exp=why.explained.test\"")
                .add("why.explained.test. 60 IN TXT \"%{i} is not one of %{d}'s mail servers\"")
                .add("soft.test. 60 IN TXT \"v=spf1 ~all\"")
                .add("helo-fail.test. 60 IN TXT \"v=spf1 -all\"")
                .add("helo-pass.test. 60 IN TXT \"v=spf1 a -all\"")
                .add("helo-pass.test. 60 IN A 127.0.0.1")
                .timeout("broken.test");
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
                from("direct:mail-from").routeId("spf-at-mail-from")
                        .to("smtp-auth:spf?refuseOnFail=true&refuseOnTempError=true&dnsTimeout=300ms&authservId=mx.test"
                            + "&dnsServers=" + dns.server());
                from("smtp-server:127.0.0.1:" + port + "?acceptedDomains=*&maxConnectionsPerIp=0&mailPolicy=direct:mail-from")
                        .to("smtp-auth:verify?authservId=mx.test&receivedSpf=true&dnsServers=" + dns.server())
                        .to("file:" + dir.resolve("inbox") + "?fileName=${header.CamelSmtpEnvelopeFrom}.eml");
                from("direct:spf").to("smtp-auth:spf?dnsTimeout=300ms&dnsServers=" + dns.server());
                from("direct:verify").to("smtp-auth:verify?authservId=mx.test&dnsServers=" + dns.server());
                from("direct:verify-no-spf").to("smtp-auth:verify?authservId=mx.test&verifySpf=false&dnsServers=" + dns.server());
            }
        };
    }

    private static Path message() throws Exception {
        return Files.writeString(dir.resolve("m.eml"), "From: someone@example.test\r\nTo: bob@example.test\r\n"
                                                       + "Subject: spf\r\n\r\nHello.\r\n");
    }

    private static String stored(String name) throws Exception {
        Path f = dir.resolve("inbox").resolve(name + ".eml");
        for (int i = 0; i < 100 && !Files.exists(f); i++) {
            Thread.sleep(50);
        }
        return Files.readString(f, StandardCharsets.ISO_8859_1);
    }

    @Test
    void aDashAllFailureIsRefusedAtMailFrom() throws Exception {
        String out = Swaks.send(port, "alice@fail.test", "bob@example.test", message());
        assertTrue(out.contains("<** 550 5.7.23 SPF: 127.0.0.1 is not a permitted sender for fail.test"), out);
        assertFalse(out.contains("RCPT TO"), "refused at MAIL FROM: " + out);
    }

    @Test
    void theDomainsExplanationIsTheReplyText() throws Exception {
        String out = Swaks.send(port, "alice@explained.test", "bob@example.test", message());
        assertTrue(out.contains("<** 550 5.7.23 SPF: 127.0.0.1 is not one of explained.test's mail servers"), out);
    }

    @Test
    void aDnsFailureIsATemporaryRefusal() throws Exception {
        String out = Swaks.send(port, "alice@broken.test", "bob@example.test", message());
        assertTrue(out.contains("<** 451 4.7.24 SPF: temporary DNS failure for broken.test"), out);
    }

    @Test
    void aPassIsAcceptedAndVerifyReportsItWithoutAskingAgain() throws Exception {
        Swaks.accepted(port, "alice@pass.test", "bob@example.test", message());
        String stored = stored("alice@pass.test");
        assertTrue(stored.startsWith("Received-SPF: Pass (pass.test: 127.0.0.1 is authorized to use 'pass.test')\r\n"
                                     + "\tclient-ip=127.0.0.1;\r\n\tenvelope-from=\"alice@pass.test\";\r\n"
                                     + "\thelo=client.test;\r\n\tidentity=mailfrom;\r\n"), stored);
        assertTrue(stored.contains("Authentication-Results: mx.test; dkim=none;\r\n\tspf=pass smtp.mailfrom=alice@pass.test;\r\n"),
                stored);
        assertEquals(1, dns.questions("pass.test.", "TXT"), "verify used the verdict reached at MAIL FROM");
    }

    @Test
    void softfailIsAcceptedAndTagged() throws Exception {
        Swaks.accepted(port, "alice@soft.test", "bob@example.test", message());
        assertTrue(stored("alice@soft.test").contains("\tspf=softfail smtp.mailfrom=alice@soft.test;\r\n"));
    }

    @Test
    void theNullSenderIsCheckedAsPostmasterAtTheHeloName() throws Exception {
        String out = Swaks.send(port, "helo-fail.test", "<>", "bob@example.test", message());
        assertTrue(out.contains("<** 550 5.7.23 SPF: 127.0.0.1 is not a permitted sender for helo-fail.test"), out);
        Swaks.accepted(port, "helo-pass.test", "<>", "bob@example.test", message());
        assertTrue(stored("").contains("\tspf=pass smtp.helo=helo-pass.test;\r\n"), stored(""));
    }

    @Test
    void theStepSetsTheResultAndItsDetail() {
        Exchange e = template.request("direct:spf", x -> {
            x.getMessage().setHeader("CamelSmtpRemoteAddress", "192.0.2.9");
            x.getMessage().setHeader("CamelSmtpHelo", "client.test");
            x.getMessage().setHeader("CamelSmtpEnvelopeFrom", "alice@fail.test");
        });
        assertFalse(e.isFailed(), "without refuseOnFail the route decides: " + e.getException());
        assertEquals("fail", e.getMessage().getHeader(SmtpAuthConstants.SPF));
        SpfResult r = e.getMessage().getHeader(SmtpAuthConstants.SPF_DETAIL, SpfResult.class);
        assertEquals("fail.test", r.domain());
        assertEquals("mailfrom", r.identity());
        assertEquals("192.0.2.9 is not a permitted sender for fail.test", r.explanation());
    }

    private Exchange verify(String uri, String spfHeader, String from) {
        Exchange e = template.request(uri, x -> {
            x.getMessage().setHeader("CamelSmtpRemoteAddress", "192.0.2.9");
            x.getMessage().setHeader("CamelSmtpHelo", "client.test");
            x.getMessage().setHeader("CamelSmtpEnvelopeFrom", from);
            x.getMessage().setHeader("CamelSmtpSessionId", "s-" + System.nanoTime());
            if (spfHeader != null) {
                x.getMessage().setHeader(SmtpAuthConstants.SPF, spfHeader);
            }
            x.getMessage().setBody("From: a@example.test\r\n\r\nhi\r\n".getBytes(StandardCharsets.US_ASCII));
        });
        assertFalse(e.isFailed(), String.valueOf(e.getException()));
        return e;
    }

    @Test
    void verifyEvaluatesSpfItselfWithoutAnSpfStepAndNeverRefuses() {
        Exchange e = verify("direct:verify", null, "alice@fail.test");
        assertEquals("fail", e.getMessage().getHeader(SmtpAuthConstants.SPF));
        String out = e.getMessage().getBody(String.class);
        assertTrue(out.startsWith("Authentication-Results: mx.test; dkim=none;\r\n\tspf=fail "
                                  + "reason=\"192.0.2.9 is not a permitted sender for fail.test\" smtp.mailfrom=alice@fail.test;\r\n"),
                out);
        assertFalse(verify("direct:verify-no-spf", null, "alice@fail.test").getMessage().getBody(String.class).contains("spf="),
                "verifySpf=false");
    }

    @Test
    void verifyTakesAResultAlreadySetAndIgnoresOneThatIsNoResult() {
        int asked = dns.questions("soft.test.", "TXT");
        Exchange e = verify("direct:verify", "pass", "alice@soft.test");
        assertTrue(e.getMessage().getBody(String.class).contains("\tspf=pass smtp.mailfrom=alice@soft.test;\r\n"));
        assertEquals(asked, dns.questions("soft.test.", "TXT"), "not evaluated again");
        Exchange forged = verify("direct:verify", "pass\r\nX-Injected: yes", "alice@soft.test");
        String out = forged.getMessage().getBody(String.class);
        assertTrue(out.contains("\tspf=softfail smtp.mailfrom=alice@soft.test;\r\n") && !out.contains("X-Injected"), out);
    }

    @Test
    void anExchangeNotFromSmtpServerIsARouteMistake() {
        Exchange e = template.request("direct:spf", x -> x.getMessage().setHeader("CamelSmtpEnvelopeFrom", "a@fail.test"));
        assertTrue(e.getException() instanceof IllegalArgumentException, String.valueOf(e.getException()));
    }
}

package io.camelsmtp.smtp.relay;

import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

import io.camelsmtp.smtp.common.RecipientResult;
import io.camelsmtp.smtp.relay.support.DocsTable;
import io.camelsmtp.smtp.relay.support.MtaStsPeers;
import io.camelsmtp.smtp.relay.support.MtaStsTestSupport;
import io.camelsmtp.smtp.relay.tlsrpt.TlsReportCollector;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.spi.Registry;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The transport-security matrix of issue 13 through real peers (smtp-server receivers with good, mismatched, expired
 * certificates or no STARTTLS, aiosmtpd without REQUIRETLS, the HTTPS MTA-STS policy host): per destination
 * behaviour, what happens to the message and what the component's TLS reporter counted. The cases are also the
 * table in docs/transport-security.md (checked here; {@code -Ddocs.update=true} writes it). DANE's rows are in
 * {@link RelayDaneTest}, which needs signed zones.
 */
class TransportSecurityMatrixTest extends MtaStsTestSupport {

    /** One row: the destination, how the message is sent, the outcome, what TLS reporting counted. */
    record Case(String behaviour, String domain, String message, String expected, String report) {
    }

    static final String PLAIN = "plain"; // a message without REQUIRETLS or TLS-Required
    static final String REQUIRETLS = "REQUIRETLS";
    static final String TLS_REQUIRED_NO = "TLS-Required: No";

    static final List<Case> CASES = List.of(
            new Case("no policy, no STARTTLS", "m-none.test", PLAIN, "delivered", "no-policy-found: starttls-not-supported"),
            new Case("no policy, STARTTLS", "m-tls.test", PLAIN, "delivered", "no-policy-found: success"),
            new Case("MTA-STS enforce, good certificate", "m-enforce.test", PLAIN, "delivered", "sts: success"),
            new Case("MTA-STS enforce, certificate for another name", "m-mismatch.test", PLAIN, "deferred 4.7.5",
                    "sts: certificate-host-mismatch"),
            new Case("MTA-STS enforce, expired certificate", "m-expired.test", PLAIN, "deferred 4.7.5",
                    "sts: certificate-expired"),
            new Case("MTA-STS enforce, no STARTTLS", "m-nostarttls.test", PLAIN, "deferred 4.7.4",
                    "sts: starttls-not-supported"),
            new Case("MTA-STS testing, certificate for another name", "m-testing.test", PLAIN, "delivered",
                    "sts: certificate-host-mismatch"),
            new Case("no policy, verified TLS, REQUIRETLS offered", "m-req.test", REQUIRETLS, "delivered",
                    "no-policy-found: success"),
            new Case("MTA-STS enforce, good certificate, REQUIRETLS offered", "m-reqsts.test", REQUIRETLS, "delivered",
                    "sts: success"),
            new Case("no policy, verified TLS, no REQUIRETLS (aiosmtpd)", "m-reqaio.test", REQUIRETLS, "bounced 5.7.30",
                    "no-policy-found: success"),
            new Case("first MX without REQUIRETLS, second with it", "m-reqnext.test", REQUIRETLS, "delivered",
                    "no-policy-found: success"),
            new Case("no policy, certificate for another name", "m-reqbad.test", REQUIRETLS, "bounced 5.7.10",
                    "no-policy-found: certificate-host-mismatch"),
            new Case("MTA-STS enforce, certificate for another name", "m-relaxed.test", TLS_REQUIRED_NO, "delivered",
                    "sts: certificate-host-mismatch"),
            new Case("MTA-STS enforce that does not list the MX", "m-unlisted.test", PLAIN, "deferred 4.7.5",
                    "sts: validation-failure"),
            new Case("MTA-STS enforce that does not list the MX", "m-requnlisted.test", REQUIRETLS, "bounced 5.7.10",
                    "sts: validation-failure"),
            new Case("relay with mtaStsRequired: no MTA-STS policy published", "m-reqnopolicy.test", REQUIRETLS,
                    "bounced 5.7.10", "sts: validation-failure"),
            new Case("relay with mtaStsRequired: the policy fetch fails (404)", "m-reqfetch.test", REQUIRETLS,
                    "deferred 4.7.5", "sts: sts-policy-fetch-error, sts: validation-failure"));

    /** The rows sent through the relay endpoint with {@code mtaStsRequired=true}. */
    static boolean mtaStsRequired(Case c) {
        return c.behaviour().startsWith("relay with mtaStsRequired");
    }

    @BeforeAll
    static void zone() throws Exception {
        if (peers == null) {
            return;
        }
        String txt = "v=STSv1; id=1;";
        domain("m-none.test", "mx.m-none.test", MtaStsPeers.PLAIN, null);
        domain("m-tls.test", "mx.m-tls.test", MtaStsPeers.GOOD, null);
        domain("m-enforce.test", "mx.enforce.test", MtaStsPeers.GOOD, txt);
        peers.policy("m-enforce.test", enforce("mx.enforce.test"));
        domain("m-mismatch.test", "mx.mismatch.test", MtaStsPeers.MISMATCH, txt);
        peers.policy("m-mismatch.test", enforce("mx.mismatch.test"));
        domain("m-expired.test", "mx.expired.test", MtaStsPeers.EXPIRED, txt);
        peers.policy("m-expired.test", enforce("mx.expired.test"));
        domain("m-nostarttls.test", "mx.nostarttls.test", MtaStsPeers.PLAIN, txt);
        peers.policy("m-nostarttls.test", enforce("mx.nostarttls.test"));
        domain("m-testing.test", "mx.testing.test", MtaStsPeers.MISMATCH, txt);
        peers.policy("m-testing.test", policy("testing", "mx.testing.test"));
        domain("m-req.test", "mx.enforce.test", MtaStsPeers.GOOD, null);
        domain("m-reqsts.test", "mx.enforce.test", MtaStsPeers.GOOD, txt);
        peers.policy("m-reqsts.test", enforce("mx.enforce.test"));
        domain("m-reqaio.test", "mx.aio.test", MtaStsPeers.AIOSMTPD, null);
        domain("m-reqnext.test", "mx.aio.test", MtaStsPeers.AIOSMTPD, null);
        peers.dns.add("m-reqnext.test. 0 IN MX 20 mx.enforce.test.");
        domain("m-reqbad.test", "mx.m-reqbad.test", MtaStsPeers.MISMATCH, null);
        domain("m-relaxed.test", "mx.mismatch.test", MtaStsPeers.MISMATCH, txt);
        peers.policy("m-relaxed.test", enforce("mx.mismatch.test"));
        domain("m-unlisted.test", "mx.enforce.test", MtaStsPeers.GOOD, txt);
        peers.policy("m-unlisted.test", enforce("mx.other.test"));
        domain("m-requnlisted.test", "mx.enforce.test", MtaStsPeers.GOOD, txt);
        peers.policy("m-requnlisted.test", enforce("mx.other.test"));
        domain("m-reqnopolicy.test", "mx.enforce.test", MtaStsPeers.GOOD, null);
        domain("m-reqfetch.test", "mx.enforce.test", MtaStsPeers.GOOD, txt); // no policy file: 404
    }

    @Override
    protected void bindToRegistry(Registry registry) {
        super.bindToRegistry(registry);
        SmtpRelayConfiguration config = new SmtpRelayConfiguration();
        config.setTlsReporting(true);
        config.setTlsReportSubmitter("tlsrpt@relay.test");
        config.setDnsServers("127.0.0.1:9"); // the reporter's own look-ups: none happen, nothing is due
        SmtpRelayComponent relay = new SmtpRelayComponent();
        relay.setConfiguration(config);
        registry.bind("smtp-relay", relay);
    }

    @Override
    protected void routes(RouteBuilder b) {
        b.from("direct:requiretls").setHeader(SmtpRelayConstants.REQUIRE_TLS_OPTION, b.constant(true)).to(relay(""));
        b.from("direct:sts-required-requiretls").setHeader(SmtpRelayConstants.REQUIRE_TLS_OPTION, b.constant(true))
                .to(relay("&mtaStsRequired=true"));
    }

    @Test
    void everyCaseEndsAsTheTableSays() throws Exception {
        List<String> wrong = new ArrayList<>();
        for (Case c : CASES) {
            if (c.domain().startsWith("m-reqaio") || c.domain().startsWith("m-reqnext")) {
                if (!peers.hasAiosmtpd()) {
                    System.err.println("*** SKIPPING matrix case '" + c.behaviour() + "': aiosmtpd not installed");
                    continue;
                }
            }
            String to = "rcpt@" + c.domain();
            String route = mtaStsRequired(c) ? "direct:sts-required-requiretls"
                    : REQUIRETLS.equals(c.message()) ? "direct:requiretls" : "direct:relay";
            Exchange e = template.send(route, x -> {
                x.getMessage().setHeader(SmtpRelayConstants.ENVELOPE_FROM, "sender@origin.test");
                x.getMessage().setHeader(SmtpRelayConstants.ENVELOPE_TO, List.of(to));
                x.getMessage().setBody((TLS_REQUIRED_NO.equals(c.message()) ? "TLS-Required: No\r\n" : "")
                        + "Subject: matrix\r\n\r\nhello\r\n");
            });
            String outcome = outcome(result(e, to));
            String report = reported(c.domain());
            if (!outcome.equals(c.expected()) || !report.equals(c.report())) {
                wrong.add(c.behaviour() + " (" + c.domain() + "): " + outcome + " / " + report + " — " + result(e, to));
            }
        }
        assertTrue(wrong.isEmpty(), () -> String.join("\n", wrong));
    }

    /** The first MX refused REQUIRETLS (aiosmtpd), the second took it: delivered there, nothing at the first. */
    @Test
    void requireTlsTriesTheNextMx() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(peers.hasAiosmtpd(), "aiosmtpd not installed");
        peers.dns.set("m-reqnext2.test. 0 IN MX 10 mx.aio.test.");
        peers.dns.add("m-reqnext2.test. 0 IN MX 20 mx.enforce.test.");
        String to = "next@m-reqnext2.test";
        Exchange e = template.send("direct:requiretls", x -> {
            x.getMessage().setHeader(SmtpRelayConstants.ENVELOPE_FROM, "sender@origin.test");
            x.getMessage().setHeader(SmtpRelayConstants.ENVELOPE_TO, List.of(to));
            x.getMessage().setBody("Subject: next\r\n\r\nhello\r\n");
        });
        RecipientResult r = result(e, to);
        assertEquals(RecipientResult.Status.DELIVERED, r.getStatus(), r::toString);
        assertEquals("mx.enforce.test", r.getHost());
        assertEquals(1, getMockEndpoint("mock:good").getReceivedCounter());
    }

    @Test
    void theDocsCarryTheTable() throws Exception {
        DocsTable.check("transport-security.md", "matrix", table(CASES));
    }

    static String table(List<Case> cases) {
        StringBuilder sb = new StringBuilder("| Destination | Message | Outcome | TLS-RPT counts |\n|---|---|---|---|\n");
        for (Case c : cases) {
            sb.append("| ").append(c.behaviour()).append(" | ").append(c.message().equals(PLAIN) ? "" : "`" + c.message() + "`")
                    .append(" | ").append(c.expected()).append(" | `").append(c.report()).append("` |\n");
        }
        return sb.toString();
    }

    private static String outcome(RecipientResult r) {
        return switch (r.getStatus()) {
            case DELIVERED -> "delivered";
            case DEFERRED -> "deferred " + r.getReply().enhancedStatus();
            case FAILED -> "bounced " + r.getReply().enhancedStatus();
        };
    }

    /** What the component's TLS reporter counted today for {@code domain}: "type: result" entries. */
    private String reported(String domain) {
        TlsReportCollector collector = context.getComponent("smtp-relay", SmtpRelayComponent.class).getTlsReporting()
                .collector();
        TreeSet<String> seen = new TreeSet<>();
        for (TlsReportCollector.PolicyCounts p : collector.counts(LocalDate.now(ZoneOffset.UTC), domain)) {
            if (p.successful() > 0) {
                seen.add(p.type().token() + ": success");
            }
            for (TlsReportCollector.FailureRow f : p.failures()) {
                seen.add(p.type().token() + ": " + f.resultType());
            }
        }
        return String.join(", ", seen);
    }
}

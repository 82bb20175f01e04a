package io.camelsmtp.smtp.relay;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;

import io.camelsmtp.smtp.common.RecipientResult;
import io.camelsmtp.smtp.relay.TransportSecurityMatrixTest.Case;
import io.camelsmtp.smtp.relay.dane.support.DaneCertificates;
import io.camelsmtp.smtp.relay.dane.support.DnssecTestbed;
import io.camelsmtp.smtp.relay.support.DocsTable;
import io.camelsmtp.smtp.relay.support.MtaStsPeers;
import io.camelsmtp.smtp.relay.support.MtaStsTestSupport;
import io.camelsmtp.smtp.relay.tls.TlsOutcome;
import io.camelsmtp.smtp.relay.tls.TlsOutcomeListener;
import io.camelsmtp.smtp.relay.tls.TlsResultType;
import io.camelsmtp.smtp.relay.tlsrpt.TlsReportCollector;
import org.apache.camel.Exchange;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.spi.Registry;
import org.apache.camel.support.jsse.KeyManagersParameters;
import org.apache.camel.support.jsse.KeyStoreParameters;
import org.apache.camel.support.jsse.SSLContextParameters;
import org.apache.camel.test.AvailablePortFinder;
import org.apache.camel.test.junit5.CamelTestSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static io.camelsmtp.smtp.relay.dane.support.DaneCertificates.tlsa;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * DANE in delivery, end to end: zones signed and served by named at test time ({@link DnssecTestbed}), validated in
 * the relay from the test trust anchor ({@code daneTrustAnchors}), smtp-server receivers on 127.0.0.51-53, and for
 * the DANE + MTA-STS row the MTA-STS tests' HTTPS policy host ({@link MtaStsPeers}) serving a policy that does not
 * list the MX: DANE wins, so it is delivered. A second relay endpoint has {@code daneRequired=true}: hosts without
 * usable DANE (unsigned zone, only unusable TLSA records) are refused before any connection, REQUIRETLS messages to
 * them bounce. Skipped, loudly, without bind9 or the MTA-STS peers' tools. The cases are the DANE table of
 * docs/transport-security.md.
 */
class RelayDaneTest extends CamelTestSupport {

    static final List<Case> CASES = List.of(
            new Case("DANE-EE(3 1 1), matching certificate", "signed.dnssec.test", "plain", "delivered", "tlsa: success"),
            new Case("DANE-EE, certificate not matching", "bad.signed.dnssec.test", "plain", "deferred 4.7.5",
                    "tlsa: tlsa-invalid"),
            new Case("only unusable TLSA records, no STARTTLS", "enc.signed.dnssec.test", "plain", "deferred 4.7.4",
                    "tlsa: starttls-not-supported"),
            new Case("DNSSEC bogus (MX address)", "bogus.dnssec.test", "plain", "deferred 4.7.5", "tlsa: dnssec-invalid"),
            new Case("DANE and an MTA-STS policy that does not list the MX", "both.signed.dnssec.test", "plain",
                    "delivered", "tlsa: success"),
            new Case("DANE-EE, matching certificate, REQUIRETLS offered", "req.signed.dnssec.test", "REQUIRETLS",
                    "delivered", "tlsa: success"),
            new Case("relay with daneRequired: DANE-EE, matching certificate", "dreq.signed.dnssec.test", "plain",
                    "delivered", "tlsa: success"),
            new Case("relay with daneRequired: unsigned zone (no DANE)", "plain.dnssec.test", "plain", "deferred 4.7.5",
                    "tlsa: dane-required"),
            new Case("relay with daneRequired: first MX without DANE, second with it", "next.signed.dnssec.test", "plain",
                    "delivered", "tlsa: dane-required, tlsa: success"),
            new Case("relay with daneRequired: only unusable TLSA records", "enc2.signed.dnssec.test", "plain",
                    "deferred 4.7.5", "tlsa: dane-required"),
            new Case("relay with daneRequired: unsigned zone", "req.plain.dnssec.test", "REQUIRETLS", "bounced 5.7.10",
                    "tlsa: dane-required"),
            new Case("DNSSEC bogus (MX address)", "req.bogus.dnssec.test", "REQUIRETLS", "deferred 4.7.5",
                    "tlsa: dnssec-invalid"));

    /** The rows sent through the relay endpoint with {@code daneRequired=true}. */
    static boolean daneRequired(Case c) {
        return c.behaviour().startsWith("relay with daneRequired");
    }

    static final String GOOD = "127.0.0.51";
    static final String OTHER = "127.0.0.52";
    static final String PLAIN = "127.0.0.53";

    @TempDir
    static Path dir;
    static DnssecTestbed bed;
    static DaneCertificates certs;
    static MtaStsPeers sts;
    static final int PORT = AvailablePortFinder.getNextAvailable();
    static final List<TlsOutcome> OUTCOMES = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        DnssecTestbed.assumeBind();
        assumeTrue(MtaStsTestSupport.peersAvailable(), "MTA-STS peers need openssl, keytool and /usr/bin/python3");
        sts = MtaStsPeers.get();
        sts.policy("both.signed.dnssec.test", "version: STSv1\r\nmode: enforce\r\nmx: mx.other.test\r\nmax_age: 86400\r\n");
        certs = DaneCertificates.make(Files.createDirectories(dir.resolve("certs")));
        X509Certificate good = certs.chain("good")[0];
        X509Certificate other = certs.chain("other")[0];
        List<String> signed = new ArrayList<>(List.of("@ MX 10 mx", "mx A " + GOOD, "_25._tcp.mx TLSA " + tlsa(3, 1, 1, good),
                "bad MX 10 mxbad", "mxbad A " + GOOD, "_25._tcp.mxbad TLSA " + tlsa(3, 1, 1, other),
                "enc MX 10 mxenc", "mxenc A " + PLAIN, "_25._tcp.mxenc TLSA " + tlsa(0, 0, 1, certs.ca()),
                "both MX 10 mx", "_mta-sts.both TXT \"v=STSv1; id=1;\"", "mta-sts.both A 127.0.0.1",
                "req MX 10 mx", "dreq MX 10 mx", "enc2 MX 10 mxenc",
                "next MX 10 mx.plain.dnssec.test.", "next MX 20 mx"));
        List<String> bogus = List.of("@ MX 10 mx", "mx A 127.0.0.1", "_25._tcp.mx TLSA " + tlsa(3, 1, 1, good),
                "req MX 10 mx");
        // unsigned: its MX is our plaintext receiver, which would take the mail if daneRequired let it
        bed = DnssecTestbed.start(Files.createDirectories(dir.resolve("zones")), signed, List.of("@ MX 10 mx",
                "mx A " + PLAIN, "req MX 10 mx"), bogus);
    }

    @AfterAll
    static void stop() {
        if (bed != null) {
            bed.close();
        }
    }

    private static SSLContextParameters serving(String name) {
        KeyStoreParameters ks = new KeyStoreParameters();
        ks.setResource("file:" + certs.keyStore(name));
        ks.setPassword(DaneCertificates.PASSWORD);
        ks.setType("PKCS12");
        KeyManagersParameters km = new KeyManagersParameters();
        km.setKeyStore(ks);
        km.setKeyPassword(DaneCertificates.PASSWORD);
        SSLContextParameters p = new SSLContextParameters();
        p.setKeyManagers(km);
        return p;
    }

    @Override
    protected void bindToRegistry(Registry registry) {
        registry.bind("goodTls", serving("good"));
        registry.bind("stsTrust", sts.pki.trust());
        registry.bind("outcomes", (TlsOutcomeListener) OUTCOMES::add);
        SmtpRelayConfiguration config = new SmtpRelayConfiguration();
        config.setTlsReporting(true);
        config.setTlsReportSubmitter("tlsrpt@relay.test");
        config.setDnsServers("127.0.0.1:9"); // the reporter's own look-ups: none happen, nothing is due
        SmtpRelayComponent relay = new SmtpRelayComponent();
        relay.setConfiguration(config);
        registry.bind("smtp-relay", relay);
    }

    @Override
    protected RoutesBuilder createRouteBuilder() {
        String relay = "smtp-relay:mx?port=" + PORT + "&dnsServers=" + bed.named().getHostString() + ":"
                + bed.named().getPort() + "&daneTrustAnchors=" + bed.trustAnchorFile() + "&dnsTimeout=2s"
                + "&allowPrivateAddresses=true&heloName=relay.test&connectTimeout=2s&commandTimeout=2s&dataTimeout=2s"
                + "&connectionReuse=false&sslContextParameters=#stsTrust&mtaStsPolicyPort=" + sts.policyPort
                + "&mtaStsFetchTimeout=2s";
        return new RouteBuilder() {
            @Override
            public void configure() {
                String opts = "&acceptedDomains=*&maxConnectionsPerIp=0&shutdownGracePeriod=1s";
                from("smtp-server:" + GOOD + ":" + PORT + "?hostName=" + DaneCertificates.MX
                        + "&sslContextParameters=#goodTls" + opts).to("mock:good");
                from("smtp-server:" + PLAIN + ":" + PORT + "?hostName=mxenc.signed.dnssec.test" + opts).to("mock:plain");
                from("direct:relay").to(relay);
                from("direct:requiretls").setHeader(SmtpRelayConstants.REQUIRE_TLS_OPTION, constant(true)).to(relay);
                String daneOnly = relay + "&daneRequired=true&tlsOutcomeListener=#outcomes";
                from("direct:dane-only").to(daneOnly);
                from("direct:dane-only-requiretls").setHeader(SmtpRelayConstants.REQUIRE_TLS_OPTION, constant(true))
                        .to(daneOnly);
            }
        };
    }

    @Test
    void everyCaseEndsAsTheTableSays() {
        List<String> wrong = new ArrayList<>();
        for (Case c : CASES) {
            String to = "rcpt@" + c.domain();
            boolean requireTls = "REQUIRETLS".equals(c.message());
            String route = daneRequired(c) ? (requireTls ? "direct:dane-only-requiretls" : "direct:dane-only")
                    : (requireTls ? "direct:requiretls" : "direct:relay");
            Exchange e = template.send(route, x -> {
                x.getMessage().setHeader(SmtpRelayConstants.ENVELOPE_FROM, "sender@origin.test");
                x.getMessage().setHeader(SmtpRelayConstants.ENVELOPE_TO, List.of(to));
                x.getMessage().setBody("Subject: dane\r\n\r\nhello\r\n");
            });
            RecipientResult r = e.getMessage().getHeader(SmtpRelayConstants.DELIVERY_REPORT,
                    io.camelsmtp.smtp.common.DeliveryReport.class).get(to);
            String outcome = switch (r.getStatus()) {
                case DELIVERED -> "delivered";
                case DEFERRED -> "deferred " + r.getReply().enhancedStatus();
                case FAILED -> "bounced " + r.getReply().enhancedStatus();
            };
            String report = reported(c.domain());
            if (!outcome.equals(c.expected()) || !report.equals(c.report())) {
                wrong.add(c.behaviour() + " (" + c.domain() + "): " + outcome + " / " + report + " — " + r);
            }
        }
        assertTrue(wrong.isEmpty(), () -> String.join("\n", wrong));
        assertEquals(0, getMockEndpoint("mock:plain").getReceivedCounter(), "nothing in plaintext where DANE demands TLS");
        try {
            assertTrue(sts.fetches("both.signed.dnssec.test") > 0, "the MTA-STS policy was fetched, and DANE won");
        } catch (java.io.IOException x) {
            throw new AssertionError(x);
        }
    }

    /**
     * daneRequired and a host without DANE (its zone is unsigned; its MX is our plaintext receiver): refused before
     * any connection, with a reply naming the host and the result type, and the outcome told to the listener.
     */
    @Test
    void daneRequiredRefusesAHostWithoutDaneBeforeConnecting() throws Exception {
        OUTCOMES.clear();
        String to = "who@plain.dnssec.test";
        Exchange e = template.send("direct:dane-only", x -> {
            x.getMessage().setHeader(SmtpRelayConstants.ENVELOPE_FROM, "sender@origin.test");
            x.getMessage().setHeader(SmtpRelayConstants.ENVELOPE_TO, List.of(to));
            x.getMessage().setBody("Subject: dane-only\r\n\r\nhello\r\n");
        });
        RecipientResult r = e.getMessage().getHeader(SmtpRelayConstants.DELIVERY_REPORT,
                io.camelsmtp.smtp.common.DeliveryReport.class).get(to);
        assertEquals(RecipientResult.Status.DEFERRED, r.getStatus(), r::toString);
        assertEquals(451, r.getReply().code());
        assertEquals("4.7.5", r.getReply().enhancedStatus());
        assertTrue(r.getText().contains("mx.plain.dnssec.test") && r.getText().contains("(dane-required)"), r::toString);
        assertEquals(0, getMockEndpoint("mock:plain").getReceivedCounter(), "no plaintext delivery, no connection");
        List<TlsOutcome> seen = OUTCOMES.stream().filter(o -> "plain.dnssec.test".equals(o.domain())).toList();
        assertEquals(1, seen.size(), seen::toString);
        TlsOutcome o = seen.get(0);
        assertEquals(TlsResultType.DANE_REQUIRED, o.failure());
        assertEquals("dane", o.policy());
        assertEquals("mx.plain.dnssec.test", o.mxHost());
        assertEquals(null, o.address(), "refused without a connection");
        assertEquals("tlsa: dane-required", reported("plain.dnssec.test"));
    }

    @Test
    void theDocsCarryTheTable() throws Exception {
        DocsTable.check("transport-security.md", "dane-matrix", TransportSecurityMatrixTest.table(CASES));
    }

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

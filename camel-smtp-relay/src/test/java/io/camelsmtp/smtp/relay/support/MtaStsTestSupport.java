package io.camelsmtp.smtp.relay.support;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.camelsmtp.smtp.common.DeliveryReport;
import io.camelsmtp.smtp.common.RecipientResult;
import io.camelsmtp.smtp.relay.SmtpRelayConstants;
import io.camelsmtp.smtp.relay.tls.TlsOutcome;
import io.camelsmtp.smtp.relay.tls.TlsOutcomeListener;
import io.camelsmtp.smtp.relay.tls.TlsResultType;
import org.apache.camel.Exchange;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.spi.Registry;
import org.apache.camel.test.junit5.CamelTestSupport;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.condition.EnabledIf;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Base of the MTA-STS tests: the {@link MtaStsPeers}, receivers (smtp-server) on their addresses, route
 * {@code direct:relay} to {@link #relay(String)}, and the TLS outcomes the relay reported in {@link #outcomes}.
 * Skipped (per test, with the reason printed) where openssl or python3 is missing.
 */
@EnabledIf(value = "io.camelsmtp.smtp.relay.support.MtaStsTestSupport#peersAvailable",
           disabledReason = "MTA-STS peers need /usr/bin/openssl, keytool and /usr/bin/python3")
public abstract class MtaStsTestSupport extends CamelTestSupport {

    protected static MtaStsPeers peers;

    protected final List<TlsOutcome> outcomes = new CopyOnWriteArrayList<>();

    public static boolean peersAvailable() {
        String why = MtaStsPeers.missing();
        if (why != null) {
            System.err.println("*** SKIPPING MTA-STS peer tests: " + why);
        }
        return why == null;
    }

    @BeforeAll
    static void startPeers() throws Exception {
        if (peersAvailable()) {
            peers = MtaStsPeers.get();
        }
    }

    /** An MX delivery through the test DNS and policy host, trusting the test CA, outcomes to {@link #outcomes}. */
    protected static String relay(String options) {
        return "smtp-relay:mx?port=" + peers.mxPort + "&dnsServers=" + peers.dns.server() + "&dnsTimeout=1s"
               + "&allowPrivateAddresses=true&sslContextParameters=#stsTrust&heloName=relay.test&connectTimeout=2s"
               + "&commandTimeout=2s&dataTimeout=2s&mtaStsPolicyPort=" + peers.policyPort + "&mtaStsFetchTimeout=2s"
               + "&tlsOutcomeListener=#outcomes&connectionReuse=false" + options;
    }

    /** MX, address and TXT record of a test domain; {@code txt} null for none. */
    protected static void domain(String domain, String mx, String address, String txt) throws IOException {
        peers.dns.set(domain + ". 0 IN MX 10 " + mx + ".");
        peers.dns.set(mx + ". 0 IN A " + address);
        if (txt != null) {
            peers.dns.set("_mta-sts." + domain + ". 0 IN TXT \"" + txt + "\"");
            peers.dns.set("mta-sts." + domain + ". 0 IN A 127.0.0.1"); // the policy host
        }
    }

    protected static String enforce(String... mx) {
        return policy("enforce", mx);
    }

    protected static String policy(String mode, String... mx) {
        StringBuilder sb = new StringBuilder("version: STSv1\r\nmode: " + mode + "\r\n");
        for (String m : mx) {
            sb.append("mx: ").append(m).append("\r\n");
        }
        return sb.append("max_age: 86400\r\n").toString();
    }

    @Override
    protected void bindToRegistry(Registry registry) {
        registry.bind("stsTrust", peers.pki.trust());
        registry.bind("goodTls", peers.pki.server("good"));
        registry.bind("mismatchTls", peers.pki.server("mismatch"));
        registry.bind("expiredTls", peers.pki.server("expired"));
        registry.bind("selfsignedTls", peers.pki.server("selfsigned"));
        registry.bind("outcomes", (TlsOutcomeListener) outcomes::add);
    }

    @Override
    protected RoutesBuilder createRouteBuilder() {
        return new RouteBuilder() {
            @Override
            public void configure() {
                String opts = "&acceptedDomains=*&maxConnectionsPerIp=0&shutdownGracePeriod=1s";
                from(receiver(MtaStsPeers.GOOD, "goodTls") + opts).to("mock:good");
                from(receiver(MtaStsPeers.MISMATCH, "mismatchTls") + opts).to("mock:mismatch");
                from(receiver(MtaStsPeers.EXPIRED, "expiredTls") + opts).to("mock:expired");
                from(receiver(MtaStsPeers.SELF_SIGNED, "selfsignedTls") + opts).to("mock:selfsigned");
                from("smtp-server:" + MtaStsPeers.PLAIN + ":" + peers.mxPort + "?hostName=mx.plain.test" + opts).to("mock:plain");
                from("direct:relay").to(relay(""));
                routes(this);
            }
        };
    }

    /** More routes for a test class. */
    protected void routes(RouteBuilder builder) {
    }

    private static String receiver(String address, String tls) {
        return "smtp-server:" + address + ":" + peers.mxPort + "?hostName=receiver.test&sslContextParameters=#" + tls;
    }

    protected Exchange send(String route, String to) {
        return template.send(route, e -> {
            e.getMessage().setHeader(SmtpRelayConstants.ENVELOPE_FROM, "sender@origin.test");
            e.getMessage().setHeader(SmtpRelayConstants.ENVELOPE_TO, List.of(to));
            e.getMessage().setBody("Subject: mta-sts\r\n\r\nhello\r\n");
        });
    }

    protected static RecipientResult result(Exchange e, String to) {
        DeliveryReport report = e.getMessage().getHeader(SmtpRelayConstants.DELIVERY_REPORT, DeliveryReport.class);
        assertNotNull(report, () -> "no report; " + e.getException());
        RecipientResult r = report.get(to);
        assertNotNull(r, report::toString);
        return r;
    }

    /** The one outcome for {@code mxHost} (null: a policy look-up) of {@code domain}. */
    protected TlsOutcome outcome(String domain, String mxHost) {
        List<TlsOutcome> found = outcomes.stream()
                .filter(o -> o.domain().equals(domain) && java.util.Objects.equals(o.mxHost(), mxHost)).toList();
        if (found.size() != 1) {
            fail("expected one outcome for " + domain + "/" + mxHost + " in " + outcomes);
        }
        return found.get(0);
    }

    protected TlsResultType failureOf(String domain, String mxHost) {
        return outcome(domain, mxHost).failure();
    }
}

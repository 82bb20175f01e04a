package io.camelsmtp.smtp.relay;

import java.util.List;

import io.camelsmtp.smtp.common.DeliveryReport;
import io.camelsmtp.smtp.common.RecipientResult;
import io.camelsmtp.smtp.relay.support.InJvmDns;
import org.apache.camel.Exchange;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.mock.MockEndpoint;
import org.apache.camel.test.AvailablePortFinder;
import org.apache.camel.test.junit5.CamelTestSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.xbill.DNS.Rcode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The delivery path when the resolver mishandles one address family: AAAA refused or never answered for an MX host,
 * an implicit MX or a smart host given by name delivers to its IPv4 address (this project's smtp-server on
 * 127.0.0.1); an MX host with no address that resolves is skipped for the next one; a destination with none defers.
 */
class RelayAddressFamilyTest extends CamelTestSupport {

    private static InJvmDns dns;
    private final int mxPort = AvailablePortFinder.getNextAvailable();

    @BeforeAll
    static void startDns() throws Exception {
        dns = new InJvmDns()
                .add("refused6.test. 0 IN MX 10 mx.v4.test.")
                .add("mx.v4.test. 0 IN A 127.0.0.1").rcode("mx.v4.test.", "AAAA", Rcode.REFUSED)
                .add("silent6.test. 0 IN MX 10 mx.silent6.test.")
                .add("mx.silent6.test. 0 IN A 127.0.0.1").silent("mx.silent6.test.", "AAAA")
                .add("implicit.test. 0 IN A 127.0.0.1").rcode("implicit.test.", "AAAA", Rcode.REFUSED)
                .add("second.test. 0 IN MX 10 mx.broken.test.").add("second.test. 0 IN MX 20 mx.v4.test.")
                .add("broken.test. 0 IN MX 10 mx.broken.test.")
                .rcode("mx.broken.test.", "A", Rcode.REFUSED).rcode("mx.broken.test.", "AAAA", Rcode.REFUSED);
    }

    @AfterAll
    static void stopDns() {
        dns.close();
    }

    @Override
    protected RoutesBuilder createRouteBuilder() {
        return new RouteBuilder() {
            @Override
            public void configure() {
                from("smtp-server:127.0.0.1:" + mxPort + "?acceptedDomains=*&maxConnectionsPerIp=0").to("mock:mx");
                from("direct:relay")
                        .to("smtp-relay:mx?port=" + mxPort + "&dnsServers=" + dns.server() + "&dnsTimeout=1s"
                            + "&allowPrivateAddresses=true&heloName=relay.test&connectTimeout=2s&commandTimeout=5s");
                from("direct:smart-host")
                        .to("smtp-relay:mx.v4.test:" + mxPort + "?dnsServers=" + dns.server() + "&dnsTimeout=1s&tls=none"
                            + "&heloName=relay.test");
            }
        };
    }

    private Exchange send(String route, String to) {
        return template.send(route, e -> {
            e.getMessage().setHeader("CamelSmtpEnvelopeFrom", "a@sender.test");
            e.getMessage().setHeader("CamelSmtpEnvelopeTo", List.of(to));
            e.getMessage().setBody("From: a@sender.test\r\nTo: " + to + "\r\nSubject: families\r\n\r\nhi\r\n");
        });
    }

    @ParameterizedTest(name = "{1} via {0}")
    @CsvSource({
        "direct:relay,      b@refused6.test, mx.v4.test",
        "direct:relay,      b@silent6.test,  mx.silent6.test",
        "direct:relay,      b@implicit.test, implicit.test",
        "direct:relay,      b@second.test,   mx.v4.test",
        "direct:smart-host, b@anywhere.test, mx.v4.test" })
    void deliversToTheFamilyThatResolved(String route, String to, String host) throws Exception {
        MockEndpoint mx = getMockEndpoint("mock:mx");
        mx.expectedMessageCount(1);
        long t0 = System.nanoTime();
        Exchange e = send(route, to);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertNull(e.getException(), () -> String.valueOf(e.getException()));
        mx.assertIsSatisfied();
        RecipientResult r = e.getMessage().getHeader(SmtpRelayConstants.DELIVERY_REPORT, DeliveryReport.class).get(to);
        assertEquals(RecipientResult.Status.DELIVERED, r.getStatus(), r::toString);
        assertEquals(host, r.getHost());
        assertEquals("127.0.0.1", r.getAddress());
        assertTrue(ms < 3000, "dnsTimeout=1s; the delivery took " + ms + " ms");
    }

    @Test
    void noAddressResolvedDefersNamingBothFamilies() throws Exception {
        MockEndpoint mx = getMockEndpoint("mock:mx");
        mx.expectedMessageCount(0);
        Exchange e = send("direct:relay", "b@broken.test");
        SmtpDeliveryException x = assertInstanceOf(SmtpDeliveryException.class, e.getException());
        assertTrue(x.isTransient());
        RecipientResult r = x.getReport().get("b@broken.test");
        assertEquals(451, r.getCode());
        assertEquals("4.4.3", r.getEnhancedStatus());
        assertEquals("DNS lookup of mx.broken.test failed: A REFUSED, AAAA REFUSED", r.getText());
        assertNull(r.getHost());
        mx.assertIsSatisfied();
    }
}

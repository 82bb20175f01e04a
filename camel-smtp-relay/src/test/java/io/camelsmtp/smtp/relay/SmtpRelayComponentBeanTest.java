package io.camelsmtp.smtp.relay;

import java.util.List;

import io.camelsmtp.smtp.common.DeliveryReport;
import io.camelsmtp.smtp.common.RecipientResult;
import io.camelsmtp.smtp.relay.client.TlsPolicy;
import io.camelsmtp.smtp.relay.support.InJvmDns;
import io.camelsmtp.smtp.relay.testbed.PeerTestSupport;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.mock.MockEndpoint;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.spi.Registry;
import org.apache.camel.support.jsse.SSLContextParameters;
import org.apache.camel.test.AvailablePortFinder;
import org.apache.camel.test.junit5.CamelTestSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An {@code smtp-relay} component bean configured in Java ({@code component.getConfiguration().setX(...)}): its
 * endpoints inherit port, DNS servers, HELO name, TLS policy and trust, and a URI option overrides one for its
 * endpoint only. The MX is this project's smtp-server with STARTTLS and the test certificate (mx.tls.test), found
 * through an in-JVM DNS responder; it reports the HELO name it heard in {@code CamelSmtpHelo}.
 */
class SmtpRelayComponentBeanTest extends CamelTestSupport {

    private static InJvmDns dns;
    private final int mxPort = AvailablePortFinder.getNextAvailable();

    @BeforeAll
    static void startDns() throws Exception {
        dns = new InJvmDns()
                .add("tls.test. 0 IN MX 10 mx.tls.test.")
                .add("mx.tls.test. 0 IN A 127.0.0.1");
    }

    @AfterAll
    static void stopDns() {
        dns.close();
    }

    @Override
    protected void bindToRegistry(Registry registry) {
        registry.bind("serverTls", PeerTestSupport.serverTls());
        SmtpRelayComponent relay = new SmtpRelayComponent();
        SmtpRelayConfiguration defaults = relay.getConfiguration();
        defaults.setPort(mxPort);
        defaults.setDnsServers(dns.server());
        defaults.setAllowPrivateAddresses(true);
        defaults.setHeloName("bean.test");
        defaults.setTls(TlsPolicy.required);
        defaults.setSslContextParameters(PeerTestSupport.trustTestCertificate());
        defaults.setConnectTimeout(2000);
        defaults.setCommandTimeout(5000);
        registry.bind("smtp-relay", relay); // found by its scheme, so it replaces the auto-created component
    }

    @Override
    protected RoutesBuilder createRouteBuilder() {
        return new RouteBuilder() {
            @Override
            public void configure() {
                from("smtp-server:127.0.0.1:" + mxPort + "?hostName=mx.tls.test&sslContextParameters=#serverTls"
                     + "&acceptedDomains=*&maxConnectionsPerIp=0")
                        .to("mock:mx");
                from("direct:inherits").to("smtp-relay:mx");
                from("direct:overrides").to("smtp-relay:mx?heloName=override.test&tls=none");
                from("direct:no-private").to("smtp-relay:mx?allowPrivateAddresses=false");
            }
        };
    }

    @Test
    void endpointsInheritTheBeansConfiguration() throws Exception {
        MockEndpoint mx = getMockEndpoint("mock:mx");
        mx.expectedMessageCount(1);
        RecipientResult r = delivered(send("direct:inherits"));
        mx.assertIsSatisfied();
        assertEquals("bean.test", mx.getExchanges().get(0).getMessage().getHeader("CamelSmtpHelo"));
        assertEquals("mx.tls.test", r.getHost());
        assertTrue(r.getTlsProtocol() != null && r.getTlsProtocol().startsWith("TLSv1."),
                "tls=required with the inherited trust: " + r);
    }

    @Test
    void uriOptionsOverrideForTheirEndpointOnly() throws Exception {
        MockEndpoint mx = getMockEndpoint("mock:mx");
        mx.expectedMessageCount(1);
        RecipientResult r = delivered(send("direct:overrides"));
        mx.assertIsSatisfied();
        assertEquals("override.test", mx.getExchanges().get(0).getMessage().getHeader("CamelSmtpHelo"));
        assertNull(r.getTlsProtocol(), "tls=none in the URI: " + r);

        SmtpRelayComponent relay = context.getComponent("smtp-relay", SmtpRelayComponent.class);
        assertEquals("bean.test", relay.getConfiguration().getHeloName());
        assertEquals(TlsPolicy.required, relay.getConfiguration().getTls());
    }

    @Test
    void overridingAllowPrivateAddressesRefusesTheLoopbackMx() throws Exception {
        MockEndpoint mx = getMockEndpoint("mock:mx");
        mx.expectedMessageCount(0);
        Exchange e = send("direct:no-private");
        SmtpDeliveryException x = assertInstanceOf(SmtpDeliveryException.class, e.getException());
        RecipientResult r = x.getReport().getResults().get(0);
        assertEquals(550, r.getCode(), r::toString);
        assertEquals("5.4.4", r.getEnhancedStatus(), r::toString);
        mx.assertIsSatisfied();
    }

    /** useGlobalSslContextParameters still fills in an endpoint's trust, but only when the component sets none. */
    @Test
    void globalSslContextParametersAreTheLastFallback() throws Exception {
        try (CamelContext other = new DefaultCamelContext()) {
            SSLContextParameters global = new SSLContextParameters();
            other.setSSLContextParameters(global);
            SmtpRelayComponent relay = new SmtpRelayComponent();
            relay.setUseGlobalSslContextParameters(true);
            other.addComponent("smtp-relay", relay);

            assertSame(global, other.getEndpoint("smtp-relay:mx", SmtpRelayEndpoint.class)
                    .getConfiguration().getSslContextParameters());
            assertNull(relay.getConfiguration().getSslContextParameters(), "the fallback went to the endpoint's copy");

            SSLContextParameters component = new SSLContextParameters();
            relay.getConfiguration().setSslContextParameters(component);
            assertSame(component, other.getEndpoint("smtp-relay:smtp.example.org:587", SmtpRelayEndpoint.class)
                    .getConfiguration().getSslContextParameters());
        }
    }

    private Exchange send(String route) {
        return template.send(route, x -> {
            x.getMessage().setHeader(SmtpRelayConstants.ENVELOPE_FROM, "a@sender.test");
            x.getMessage().setHeader(SmtpRelayConstants.ENVELOPE_TO, List.of("b@tls.test"));
            x.getMessage().setBody("From: a@sender.test\r\nTo: b@tls.test\r\nSubject: bean\r\n\r\nconfigured in Java\r\n");
        });
    }

    private static RecipientResult delivered(Exchange e) {
        assertNull(e.getException(), () -> "not delivered: " + e.getException());
        DeliveryReport report = e.getMessage().getHeader(SmtpRelayConstants.DELIVERY_REPORT, DeliveryReport.class);
        RecipientResult r = report.get("b@tls.test");
        assertEquals(RecipientResult.Status.DELIVERED, r.getStatus(), report::toString);
        return r;
    }
}

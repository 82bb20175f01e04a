package io.camelsmtp.smtp.relay;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;

import io.camelsmtp.smtp.relay.support.InJvmDns;
import org.apache.camel.CamelContext;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpServer;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpServerConfiguration;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.mock.MockEndpoint;
import org.apache.camel.test.AvailablePortFinder;
import org.apache.camel.test.junit5.CamelTestSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The CVE-2025-27636 family: an HTTP client must not be able to redirect mail by sending an envelope header. The
 * envelope headers are Camel-prefixed, and Camel's HTTP consumer drops such headers from requests; the envelope is
 * then derived from the message's own To.
 */
class SmtpRelayTrustBoundaryTest extends CamelTestSupport {

    private static InJvmDns dns;
    private final int mxPort = AvailablePortFinder.getNextAvailable();
    private final int httpPort = AvailablePortFinder.getNextAvailable();

    @BeforeAll
    static void startDns() throws Exception {
        dns = new InJvmDns()
                .add("example.test. 0 IN MX 10 mx.example.test.")
                .add("evil.test. 0 IN MX 10 mx.example.test.")
                .add("mx.example.test. 0 IN A 127.0.0.1");
    }

    @AfterAll
    static void stopDns() {
        dns.close();
    }

    @Override
    protected CamelContext createCamelContext() throws Exception {
        CamelContext context = super.createCamelContext();
        VertxPlatformHttpServerConfiguration http = new VertxPlatformHttpServerConfiguration();
        http.setBindHost("127.0.0.1");
        http.setBindPort(httpPort);
        context.addService(new VertxPlatformHttpServer(http));
        return context;
    }

    @Override
    protected RoutesBuilder createRouteBuilder() {
        return new RouteBuilder() {
            @Override
            public void configure() {
                from("platform-http:/send")
                        .to("smtp-relay:mx?port=" + mxPort + "&dnsServers=" + dns.server() + "&allowPrivateAddresses=true")
                        .setBody(constant("sent"));
                from("smtp-server:127.0.0.1:" + mxPort + "?acceptedDomains=*").to("mock:mx");
            }
        };
    }

    @Test
    void forgedEnvelopeHeaderFromHttpIsIgnored() throws Exception {
        MockEndpoint mx = getMockEndpoint("mock:mx");
        mx.expectedMessageCount(1);
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/send"))
                .header("CamelSmtpEnvelopeTo", "attacker@evil.test")
                .header("camelsmtpenvelopefrom", "ceo@example.test")
                .POST(HttpRequest.BodyPublishers.ofString(
                        "From: web@example.test\r\nTo: b@example.test\r\nSubject: form\r\n\r\nhello\r\n"))
                .build();
        HttpResponse<String> response = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());
        mx.assertIsSatisfied();
        assertEquals(List.of("b@example.test"), mx.getExchanges().get(0).getMessage().getHeader("CamelSmtpEnvelopeTo"));
        assertEquals("web@example.test", mx.getExchanges().get(0).getMessage().getHeader("CamelSmtpEnvelopeFrom"));
    }
}

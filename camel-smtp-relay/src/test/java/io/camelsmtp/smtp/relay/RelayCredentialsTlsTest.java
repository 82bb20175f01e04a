package io.camelsmtp.smtp.relay;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import io.camelsmtp.smtp.common.RecipientResult;
import io.camelsmtp.smtp.common.RecipientResult.Status;
import io.camelsmtp.smtp.relay.support.InJvmDns;
import io.camelsmtp.smtp.relay.testbed.PeerTestSupport;
import io.camelsmtp.smtp.server.SmtpServerConstants;
import io.camelsmtp.smtp.server.auth.SmtpAuthenticator;
import org.apache.camel.Exchange;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.mock.MockEndpoint;
import org.apache.camel.spi.Registry;
import org.apache.camel.test.AvailablePortFinder;
import org.apache.camel.test.junit5.CamelTestSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Credentials go only over TLS whose certificate was verified, and a kept connection serves only what it was opened
 * and checked for. The peers are this project's smtp-server on 127.0.0.17 with the test certificate (names
 * mx.tls.test and 127.0.0.17, trusted only through {@code #trust}): a submission server that wants AUTH, and an MX
 * that takes mail for anyone. An in-JVM DNS gives mx.tls.test and imposter.test that one address.
 */
class RelayCredentialsTlsTest extends CamelTestSupport {

    private static InJvmDns dns;
    private final int submissionPort = AvailablePortFinder.getNextAvailable();
    private final int mxPort = AvailablePortFinder.getNextAvailable();
    private final AtomicInteger authAttempts = new AtomicInteger();

    @BeforeAll
    static void startDns() throws Exception {
        dns = new InJvmDns()
                .add("good.test. 0 IN MX 10 mx.tls.test.")
                .add("bad.test. 0 IN MX 10 imposter.test.")
                .add("mx.tls.test. 0 IN A 127.0.0.17")
                .add("imposter.test. 0 IN A 127.0.0.17");
    }

    @AfterAll
    static void stopDns() {
        dns.close();
    }

    @Override
    protected void bindToRegistry(Registry registry) {
        registry.bind("serverTls", PeerTestSupport.serverTls());
        registry.bind("trust", PeerTestSupport.trustTestCertificate());
        registry.bind("users", (SmtpAuthenticator) (user, password) -> {
            authAttempts.incrementAndGet();
            return "alice".equals(user) && "secret".equals(password);
        });
    }

    @Override
    protected RoutesBuilder createRouteBuilder() {
        return new RouteBuilder() {
            @Override
            public void configure() {
                from("smtp-server:127.0.0.17:" + submissionPort + "?hostName=mx.tls.test&sslContextParameters=#serverTls"
                     + "&authenticator=#users&requireAuth=true&authFailureDelay=0&maxConnectionsPerIp=0")
                        .to("mock:submission");
                from("smtp-server:127.0.0.17:" + mxPort + "?hostName=mx.tls.test&sslContextParameters=#serverTls"
                     + "&acceptedDomains=*&maxConnectionsPerIp=0")
                        .to("mock:mx");
            }
        };
    }

    private Exchange send(String uri, String to) {
        return template.send(uri, e -> {
            e.getMessage().setHeader(SmtpRelayConstants.ENVELOPE_FROM, "sender@origin.test");
            e.getMessage().setHeader(SmtpRelayConstants.ENVELOPE_TO, List.of(to));
            e.getMessage().setBody("Subject: credentials\r\n\r\nhello\r\n");
        });
    }

    private String submission(String options) {
        return "smtp-relay:127.0.0.17:" + submissionPort + "?heloName=relay.test&username=alice&password=secret" + options;
    }

    /** Opportunistic TLS takes the self-signed certificate, but the password does not go over it. */
    @Test
    void unverifiedOpportunisticTlsGetsNoCredentials() throws Exception {
        MockEndpoint submitted = getMockEndpoint("mock:submission");
        submitted.expectedMessageCount(0);
        Exchange e = send(submission(""), "a@elsewhere.test");
        SmtpDeliveryException x = assertInstanceOf(SmtpDeliveryException.class, e.getException());
        assertTrue(x.isTransient());
        RecipientResult r = x.getReport().get("a@elsewhere.test");
        assertEquals(Status.DEFERRED, r.getStatus());
        assertEquals(451, r.getCode());
        assertEquals("4.7.0", r.getEnhancedStatus());
        assertTrue(r.getText().contains("certificate was not verified") && r.getText().contains("authOverUnverifiedTls=true"),
                r::toString);
        assertEquals(0, authAttempts.get(), "no AUTH was sent");
        submitted.assertIsSatisfied();
    }

    @Test
    void authOverUnverifiedTlsSendsThemAnyway() throws Exception {
        MockEndpoint submitted = getMockEndpoint("mock:submission");
        submitted.expectedMessageCount(1);
        Exchange e = send(submission("&authOverUnverifiedTls=true"), "b@elsewhere.test");
        assertNull(e.getException());
        submitted.assertIsSatisfied();
        assertEquals(1, authAttempts.get());
        assertEquals("alice", submitted.getExchanges().get(0).getMessage().getHeader(SmtpServerConstants.AUTHENTICATED_USER));
    }

    /** Opportunistic TLS whose certificate happens to pass the configured trust (and match 127.0.0.17) is verified. */
    @Test
    void opportunisticTlsThatVerifiesGetsTheCredentials() throws Exception {
        MockEndpoint submitted = getMockEndpoint("mock:submission");
        submitted.expectedMessageCount(1);
        Exchange e = send(submission("&sslContextParameters=#trust"), "c@elsewhere.test");
        assertNull(e.getException());
        submitted.assertIsSatisfied();
        assertEquals("alice", submitted.getExchanges().get(0).getMessage().getHeader(SmtpServerConstants.AUTHENTICATED_USER));
    }

    /** Trusted, but issued for other names: not verified for this one. */
    @Test
    void trustedCertificateForAnotherNameGetsNoCredentials() throws Exception {
        Exchange e = send("smtp-relay:imposter.test:" + submissionPort + "?heloName=relay.test&username=alice&password=secret"
                          + "&sslContextParameters=#trust&dnsServers=" + dns.server(), "d@elsewhere.test");
        RecipientResult r = assertInstanceOf(SmtpDeliveryException.class, e.getException()).getReport().get("d@elsewhere.test");
        assertEquals("4.7.0", r.getEnhancedStatus(), r::toString);
        assertEquals(0, authAttempts.get(), "no AUTH was sent");
    }

    /**
     * Two domains whose MX names differ but share an address: the session opened and verified for mx.tls.test is
     * kept, yet the message for bad.test (MX imposter.test) gets a session of its own, whose certificate does not
     * match that name.
     */
    @Test
    void aSessionVerifiedForOneNameIsNotReusedForAnother() throws Exception {
        MockEndpoint mx = getMockEndpoint("mock:mx");
        mx.expectedMessageCount(2);
        String relay = "smtp-relay:mx?port=" + mxPort + "&dnsServers=" + dns.server() + "&allowPrivateAddresses=true"
                       + "&tls=required&sslContextParameters=#trust&heloName=relay.test&idleConnectionTime=30s";
        assertNull(send(relay, "a@good.test").getException());
        Exchange bad = send(relay, "b@bad.test");
        RecipientResult r = assertInstanceOf(SmtpDeliveryException.class, bad.getException()).getReport().get("b@bad.test");
        assertEquals(Status.DEFERRED, r.getStatus(), r::toString);
        assertEquals("4.7.5", r.getEnhancedStatus(), r::toString);
        assertEquals("imposter.test", r.getHost());
        assertNull(send(relay, "c@good.test").getException());
        mx.assertIsSatisfied();
        assertEquals(List.of("a@good.test"), mx.getExchanges().get(0).getMessage().getHeader(SmtpServerConstants.ENVELOPE_TO));
        assertEquals(mx.getExchanges().get(0).getMessage().getHeader(SmtpServerConstants.SESSION_ID),
                mx.getExchanges().get(1).getMessage().getHeader(SmtpServerConstants.SESSION_ID),
                "good.test's kept session carried its next message");
    }

    /** Two endpoints to one address, by name with verified TLS and by address with opportunistic TLS. */
    @Test
    void endpointsWithOtherNamesOrPoliciesShareNoConnection() throws Exception {
        MockEndpoint mx = getMockEndpoint("mock:mx");
        mx.expectedMessageCount(3);
        String byName = "smtp-relay:mx.tls.test:" + mxPort + "?tls=required&sslContextParameters=#trust&dnsServers="
                        + dns.server() + "&heloName=relay.test&idleConnectionTime=30s";
        String byAddress = "smtp-relay:127.0.0.17:" + mxPort + "?heloName=relay.test&idleConnectionTime=30s";
        assertNull(send(byName, "a@x.test").getException());
        assertNull(send(byAddress, "b@x.test").getException());
        assertNull(send(byName, "c@x.test").getException());
        mx.assertIsSatisfied();
        Object first = mx.getExchanges().get(0).getMessage().getHeader(SmtpServerConstants.SESSION_ID);
        Object second = mx.getExchanges().get(1).getMessage().getHeader(SmtpServerConstants.SESSION_ID);
        Object third = mx.getExchanges().get(2).getMessage().getHeader(SmtpServerConstants.SESSION_ID);
        assertNotEquals(first, second);
        assertEquals(first, third, "each endpoint reuses its own");
    }
}

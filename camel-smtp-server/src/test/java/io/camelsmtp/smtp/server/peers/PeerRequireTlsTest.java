package io.camelsmtp.smtp.server.peers;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.camelsmtp.smtp.server.SmtpServerConstants;
import org.apache.camel.Exchange;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.mock.MockEndpoint;
import org.apache.camel.spi.Registry;
import org.apache.camel.test.AvailablePortFinder;
import org.apache.camel.test.junit5.CamelTestSupport;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static io.camelsmtp.smtp.server.peers.PeerRoutes.receivedHeader;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * REQUIRETLS (RFC 8689) as Python's smtplib sees it (peers/smtplib_client.py, scenario {@code requiretls}): offered
 * only after STARTTLS, accepted there and recorded as {@code CamelSmtpRequireTlsOption}; refused in plaintext, with a
 * value, twice, and when {@code advertiseRequireTls=false}.
 */
class PeerRequireTlsTest extends CamelTestSupport {

    private static final int PORT = AvailablePortFinder.getNextAvailable();
    private static final int OFF_PORT = AvailablePortFinder.getNextAvailable();
    private static final Duration LIMIT = Duration.ofSeconds(30);

    private Path python;
    private Path script;
    private Path ca;

    @BeforeEach
    void findPython() throws Exception {
        python = PeerProcess.require("python3", "python3", "/usr/bin/python3", "python3");
        script = PeerTls.resource("peers/smtplib_client.py");
        ca = PeerTls.resource("peers/localhost.crt");
    }

    @Override
    protected void bindToRegistry(Registry registry) throws Exception {
        registry.bind("tls", PeerTls.serverParameters());
    }

    @Override
    protected RoutesBuilder createRouteBuilder() {
        return new RouteBuilder() {
            @Override
            public void configure() {
                from("smtp-server:127.0.0.1:" + PORT + "?acceptedDomains=example.org&hostName=mx.test&sslContextParameters=#tls")
                        .convertBodyTo(byte[].class).to("mock:in");
                from("smtp-server:127.0.0.1:" + OFF_PORT + "?acceptedDomains=example.org&hostName=mx.test"
                     + "&sslContextParameters=#tls&advertiseRequireTls=false")
                        .convertBodyTo(byte[].class).to("mock:off");
            }
        };
    }

    private PeerProcess.Result run(int port, String mode) throws Exception {
        PeerProcess.Result r = PeerProcess.run(LIMIT, List.of(python.toString(), script.toString(), "requiretls", "127.0.0.1",
                String.valueOf(port), ca.toString(), mode), null,
                Map.of("PYTHONNOUSERSITE", "1", "PYTHONPATH", "", "PYTHONIOENCODING", "utf-8"));
        assertFalse(r.timedOut(), r.describe());
        assertEquals(0, r.exitCode(), r.describe());
        return r;
    }

    @Test
    void offeredAfterStartTlsAcceptedAndRecorded() throws Exception {
        MockEndpoint in = getMockEndpoint("mock:in");
        in.expectedMessageCount(1);
        PeerProcess.Result r = run(PORT, "tls");
        assertTrue(r.stdout().contains("EHLO-PLAIN REQUIRETLS=False"), r.describe());
        assertTrue(r.stdout().contains("EHLO-TLS REQUIRETLS=True"), r.describe());
        assertTrue(r.stdout().contains("RESULT mail=250"), r.describe());
        assertTrue(r.stdout().contains("RESULT data=250"), r.describe());
        in.assertIsSatisfied();
        Exchange e = in.getExchanges().get(0);
        assertEquals(Boolean.TRUE, e.getIn().getHeader(SmtpServerConstants.REQUIRE_TLS_OPTION));
        assertTrue(receivedHeader(e).contains(" with ESMTPS id "), receivedHeader(e));
    }

    @Test
    void lowerCaseKeywordIsTheSameKeyword() throws Exception {
        // RFC 5321 §2.4: extension keywords are not case sensitive
        MockEndpoint in = getMockEndpoint("mock:in");
        in.expectedMessageCount(1);
        PeerProcess.Result r = run(PORT, "requiretls");
        assertTrue(r.stdout().contains("RESULT mail=250"), r.describe());
        in.assertIsSatisfied();
        assertEquals(Boolean.TRUE, in.getExchanges().get(0).getIn().getHeader(SmtpServerConstants.REQUIRE_TLS_OPTION));
    }

    @Test
    void withoutTheOptionNoHeader() throws Exception {
        MockEndpoint in = getMockEndpoint("mock:in");
        in.expectedMessageCount(1);
        PeerProcess.Result r = run(PORT, "SIZE=100");
        assertTrue(r.stdout().contains("RESULT mail=250"), r.describe());
        in.assertIsSatisfied();
        assertNull(in.getExchanges().get(0).getIn().getHeader(SmtpServerConstants.REQUIRE_TLS_OPTION));
    }

    @Test
    void refusedInPlaintext() throws Exception {
        getMockEndpoint("mock:in").expectedMessageCount(0);
        PeerProcess.Result r = run(PORT, "plaintext");
        assertTrue(r.stdout().contains("EHLO-PLAIN REQUIRETLS=False"), r.describe());
        assertTrue(r.stdout().contains("REPLY 530 5.7.10 REQUIRETLS needs a TLS session"), r.describe());
        assertTrue(r.stdout().contains("RESULT mail=530"), r.describe());
        getMockEndpoint("mock:in").assertIsSatisfied(200);
    }

    @Test
    void valueRefused() throws Exception {
        PeerProcess.Result r = run(PORT, "REQUIRETLS=yes");
        assertTrue(r.stdout().contains("REPLY 501 5.5.4 REQUIRETLS takes no value"), r.describe());
    }

    @Test
    void twiceRefused() throws Exception {
        PeerProcess.Result r = run(PORT, "REQUIRETLS REQUIRETLS");
        assertTrue(r.stdout().contains("RESULT mail=501"), r.describe());
    }

    @Test
    void notOfferedNorAcceptedWhenDisabled() throws Exception {
        getMockEndpoint("mock:off").expectedMessageCount(0);
        PeerProcess.Result r = run(OFF_PORT, "tls");
        assertTrue(r.stdout().contains("EHLO-TLS REQUIRETLS=False"), r.describe());
        assertTrue(r.stdout().contains("REPLY 555 5.5.4 Unsupported parameter REQUIRETLS"), r.describe());
        getMockEndpoint("mock:off").assertIsSatisfied(200);
    }
}

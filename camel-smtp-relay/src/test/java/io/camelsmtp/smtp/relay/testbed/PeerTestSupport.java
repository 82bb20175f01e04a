package io.camelsmtp.smtp.relay.testbed;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import io.camelsmtp.smtp.common.DeliveryReport;
import io.camelsmtp.smtp.common.RecipientResult;
import io.camelsmtp.smtp.relay.SmtpDeliveryException;
import io.camelsmtp.smtp.relay.SmtpRelayConstants;
import org.apache.camel.Exchange;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.support.jsse.KeyManagersParameters;
import org.apache.camel.support.jsse.KeyStoreParameters;
import org.apache.camel.support.jsse.SSLContextParameters;
import org.apache.camel.support.jsse.TrustManagersParameters;
import org.apache.camel.test.junit5.CamelTestSupport;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Base of the tests that drive {@code smtp-relay} against the {@link Testbed}: route {@code direct:relay} sends to
 * {@link #MX} (the test zone's DNS, loopback allowed, 1 s timeouts); subclasses add routes in {@link #routes}.
 */
@ExtendWith(TestbedExtension.class)
public abstract class PeerTestSupport extends CamelTestSupport {

    /** MX delivery through the test zone, with 1 s timeouts everywhere so that failure cases stay fast. */
    public static final String MX = "smtp-relay:mx?dnsServers=" + Testbed.DNS_SERVER
                                    + "&dnsTimeout=1s&allowPrivateAddresses=true&connectTimeout=1s&commandTimeout=1s"
                                    + "&dataTimeout=1s&heloName=relay.test";

    private static final AtomicInteger COUNTER = new AtomicInteger();

    protected static Testbed testbed;

    private String testName = "test";

    @BeforeAll
    static void useTestbed(Testbed tb) {
        testbed = tb;
    }

    @BeforeEach
    void rememberName(TestInfo info) {
        testName = info.getTestMethod().map(Method::getName).orElse("test");
    }

    @Override
    protected RoutesBuilder createRouteBuilder() {
        return new RouteBuilder() {
            @Override
            public void configure() throws Exception {
                from("direct:relay").routeId("relay").to(MX);
                routes(this);
            }
        };
    }

    /** More routes for a test class (receivers, relays with other options). */
    protected void routes(RouteBuilder builder) throws Exception {
    }

    /** A recipient no other test uses, so that what the receivers dumped can be told apart. */
    protected String rcpt(String domain) {
        return testName + "-" + COUNTER.incrementAndGet() + "@" + domain;
    }

    /** Sends a small message with envelope {@code from} / {@code to} through {@code route}. */
    protected Exchange send(String route, String from, String... to) {
        return sendPadded(route, "", from, to);
    }

    /** Like {@link #send}, with {@code padding} appended to the body. */
    protected Exchange sendPadded(String route, String padding, String from, String... to) {
        return sendWith(route, e -> { }, padding, from, to);
    }

    /** Like {@link #sendPadded}, {@code more} setting what else the Exchange carries (properties, headers). */
    protected Exchange sendWith(String route, Consumer<Exchange> more, String padding, String from, String... to) {
        return template.send(route, e -> {
            e.getMessage().setHeader(SmtpRelayConstants.ENVELOPE_FROM, from);
            e.getMessage().setHeader(SmtpRelayConstants.ENVELOPE_TO, new ArrayList<>(List.of(to)));
            e.getMessage().setBody(message(from, to[0], padding));
            more.accept(e);
        });
    }

    /** Raw RFC 5322 message; {@code padding} lengthens the body. */
    protected String message(String from, String to, String padding) {
        return "From: <" + (from.isEmpty() ? "MAILER-DAEMON@relay.test" : from) + ">\r\n"
               + "To: <" + to + ">\r\n"
               + "Subject: " + testName + "\r\n"
               + "Message-ID: <" + testName + "." + COUNTER.incrementAndGet() + "@relay.test>\r\n"
               + "\r\n"
               + "hello from " + testName + "\r\n"
               + ".a line that starts with a dot\r\n"
               + padding;
    }

    protected static DeliveryReport report(Exchange exchange) {
        DeliveryReport report = exchange.getMessage().getHeader(SmtpRelayConstants.DELIVERY_REPORT, DeliveryReport.class);
        assertNotNull(report, () -> "no delivery report; exception: " + exchange.getException());
        return report;
    }

    /** Asserts one recipient's outcome and returns it. */
    protected static RecipientResult assertResult(DeliveryReport report, String recipient, RecipientResult.Status status,
            int code, String enhancedStatus) {
        RecipientResult r = report.get(recipient);
        assertNotNull(r, () -> "no result for <" + recipient + "> in:\n" + report);
        assertEquals(status, r.getStatus(), () -> "status of <" + recipient + "> in:\n" + report);
        assertEquals(code, r.getCode(), () -> "code of <" + recipient + "> in:\n" + report);
        assertEquals(enhancedStatus, r.getEnhancedStatus(), () -> "enhanced status of <" + recipient + "> in:\n" + report);
        return r;
    }

    /** The single recipient's result, after checking that the Exchange completed normally. */
    protected static RecipientResult delivered(Exchange exchange, String recipient) {
        if (exchange.getException() != null) {
            fail("not delivered: " + exchange.getException().getMessage(), exchange.getException());
        }
        DeliveryReport report = report(exchange);
        assertEquals(1, report.getResults().size(), report::toString);
        RecipientResult r = report.get(recipient);
        assertNotNull(r, report::toString);
        assertEquals(RecipientResult.Status.DELIVERED, r.getStatus(), report::toString);
        assertEquals(250, r.getCode(), report::toString);
        return r;
    }

    /** The SmtpDeliveryException the Exchange failed with, checking whether it says to try again. */
    protected static SmtpDeliveryException failure(Exchange exchange, boolean transientExpected) {
        SmtpDeliveryException e = assertInstanceOf(SmtpDeliveryException.class, exchange.getException(),
                () -> "expected a delivery failure, got " + exchange.getException());
        assertEquals(transientExpected, e.isTransient(), e::getMessage);
        return e;
    }

    /** Asserts that no connection reached a host: DNS or policy decided alone. */
    protected static void assertNoHost(RecipientResult r) {
        assertNull(r.getHost(), r::toString);
        assertNull(r.getAddress(), r::toString);
        assertNull(r.getTlsProtocol(), r::toString);
    }

    /** What a dumping smtp-sink received for {@code recipient}, waiting a little for the dump file to appear. */
    protected static List<String> dumpedEventually(String receiver, String recipient, int expected) throws InterruptedException {
        return testbed.dumpedEventually(receiver, recipient, expected);
    }

    /** Server side of the test certificate (mx.tls.test, 127.0.0.17), for an in-JVM smtp-server. */
    public static SSLContextParameters serverTls() {
        KeyStoreParameters ks = new KeyStoreParameters();
        ks.setResource("classpath:testbed/tls.p12");
        ks.setPassword("changeit");
        ks.setType("PKCS12");
        KeyManagersParameters km = new KeyManagersParameters();
        km.setKeyStore(ks);
        km.setKeyPassword("changeit");
        SSLContextParameters p = new SSLContextParameters();
        p.setKeyManagers(km);
        return p;
    }

    /** Trust for the relay that accepts the test certificate (and nothing else). */
    public static SSLContextParameters trustTestCertificate() {
        KeyStoreParameters ks = new KeyStoreParameters();
        ks.setResource("classpath:testbed/trust.p12");
        ks.setPassword("changeit");
        ks.setType("PKCS12");
        TrustManagersParameters tm = new TrustManagersParameters();
        tm.setKeyStore(ks);
        SSLContextParameters p = new SSLContextParameters();
        p.setTrustManagers(tm);
        return p;
    }
}

package io.camelsmtp.smtp.relay;

import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import io.camelsmtp.smtp.common.DeliveryReport;
import io.camelsmtp.smtp.common.RecipientResult;
import io.camelsmtp.smtp.relay.support.InJvmDns;
import io.camelsmtp.smtp.server.SmtpRejectException;
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

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The relay end to end in one JVM: MX look-ups answered by an in-JVM DNS responder, delivery to this project's own
 * smtp-server (a real SMTP server over TCP), per-recipient reports. Tests through dnsmasq and Postfix's smtp-sink
 * live in the testbed package.
 */
class SmtpRelayProducerTest extends CamelTestSupport {

    private static InJvmDns dns;
    private final int mxPort = AvailablePortFinder.getNextAvailable();
    private final int dsnPort = AvailablePortFinder.getNextAvailable();
    private final AtomicInteger flaky = new AtomicInteger();

    @BeforeAll
    static void startDns() throws Exception {
        dns = new InJvmDns()
                .add("example.test. 0 IN MX 10 mx.example.test.")
                .add("mx.example.test. 0 IN A 127.0.0.1")
                .add("other.test. 0 IN MX 10 mx.example.test.")
                .add("nullmx.test. 0 IN MX 0 .");
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
                from("smtp-server:127.0.0.1:" + mxPort + "?acceptedDomains=*&rcptPolicy=direct:rcpt&maxMessageSize=5000"
                     + "&maxConnectionsPerIp=0")
                        .to("mock:mx");
                from("direct:rcpt")
                        .choice()
                            .when(header("CamelSmtpRecipient").startsWith("nobody@"))
                                .throwException(new SmtpRejectException(550, "5.1.1", "No such user"))
                            .when(header("CamelSmtpRecipient").startsWith("flaky@"))
                                .process(e -> {
                                    if (flaky.getAndIncrement() == 0) {
                                        throw new SmtpRejectException(451, "4.2.0", "Try again");
                                    }
                                });
                // a receiver that offers DSN, so the relay puts RET, ENVID, NOTIFY and ORCPT on its command lines
                from("smtp-server:127.0.0.1:" + dsnPort + "?acceptedDomains=*&dsn=true&maxConnectionsPerIp=0")
                        .to("mock:dsn");
                from("direct:relay-dsn")
                        .to("smtp-relay:127.0.0.1:" + dsnPort + "?heloName=relay.test&connectTimeout=2s&commandTimeout=5s");
                from("direct:relay")
                        .to("smtp-relay:mx?port=" + mxPort + "&dnsServers=" + dns.server()
                            + "&allowPrivateAddresses=true&heloName=relay.test&connectTimeout=2s&commandTimeout=5s");
            }
        };
    }

    private Exchange send(String from, List<String> to, Object body) {
        return template.send("direct:relay", e -> {
            e.getMessage().setHeader("CamelSmtpEnvelopeFrom", from);
            e.getMessage().setHeader("CamelSmtpEnvelopeTo", to);
            e.getMessage().setBody(body);
        });
    }

    private static String message(String subject) {
        return "From: a@sender.test\r\nTo: b@example.test\r\nSubject: " + subject + "\r\n\r\nbody of " + subject + "\r\n";
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "CamelSmtpDsnRet    | FULL\\r\\nRCPT TO:<mallory@example.test>",
        "CamelSmtpDsnEnvid  | id\\r\\nRCPT TO:<mallory@example.test>",
        "CamelSmtpDsnNotify | NEVER\\r\\nRCPT TO:<mallory@example.test>",
        "CamelSmtpDsnOrcpt  | rfc822\\r\\nRCPT TO:<mallory@example.test>;b@example.test" })
    void dsnValuesFromOutsideCannotReachTheCommandLine(String header, String value) throws Exception {
        // a bridge (HTTP, Kafka) that copied these headers from its input used to let them onto MAIL and RCPT as they
        // were: a CRLF added a recipient of the attacker's choosing
        MockEndpoint received = getMockEndpoint("mock:dsn");
        received.expectedMessageCount(0);
        String v = value.replace("\\r\\n", "\r\n");
        Exchange e = template.send("direct:relay-dsn", x -> {
            x.getMessage().setHeader("CamelSmtpEnvelopeFrom", "a@sender.test");
            x.getMessage().setHeader("CamelSmtpEnvelopeTo", List.of("b@example.test"));
            x.getMessage().setHeader(header, header.endsWith("Notify") || header.endsWith("Orcpt") ? List.of(v) : v);
            x.getMessage().setBody(message("dsn injection"));
        });
        IllegalArgumentException refused = assertInstanceOf(IllegalArgumentException.class, e.getException());
        assertTrue(refused.getMessage().startsWith("invalid DSN"), refused.getMessage());
        assertFalse(refused.getMessage().contains("\r") || refused.getMessage().contains("\n"), refused.getMessage());
        Thread.sleep(300);
        received.assertIsSatisfied();
    }

    @Test
    void deliversAndReportsEveryRecipient() throws Exception {
        MockEndpoint mx = getMockEndpoint("mock:mx");
        mx.expectedMessageCount(1);
        Exchange e = send("a@sender.test", List.of("b@example.test", "c@example.test"), message("hello"));
        assertNull(e.getException());
        mx.assertIsSatisfied();
        Exchange got = mx.getExchanges().get(0);
        assertEquals("a@sender.test", got.getMessage().getHeader("CamelSmtpEnvelopeFrom"));
        assertEquals(List.of("b@example.test", "c@example.test"), got.getMessage().getHeader("CamelSmtpEnvelopeTo"));
        assertEquals("relay.test", got.getMessage().getHeader("CamelSmtpHelo"));
        assertTrue(got.getMessage().getBody(String.class).endsWith("Subject: hello\r\n\r\nbody of hello\r\n"));
        DeliveryReport report = e.getMessage().getHeader(SmtpRelayConstants.DELIVERY_REPORT, DeliveryReport.class);
        assertEquals(2, report.getDelivered().size());
        RecipientResult r = report.getResults().get(0);
        assertEquals("b@example.test", r.getRecipient());
        assertEquals(250, r.getCode());
        assertEquals("2.0.0", r.getEnhancedStatus());
        assertEquals("mx.example.test", r.getHost());
        assertEquals("127.0.0.1", r.getAddress());
        assertNull(r.getTlsProtocol());
    }

    @Test
    void oneRefusedRecipientFailsOnlyItself() throws Exception {
        MockEndpoint mx = getMockEndpoint("mock:mx");
        mx.expectedMessageCount(1);
        Exchange e = send("a@sender.test", List.of("b@example.test", "nobody@example.test", "c@example.test"), message("three"));
        SmtpDeliveryException x = assertInstanceOf(SmtpDeliveryException.class, e.getException());
        assertFalse(x.isTransient());
        mx.assertIsSatisfied();
        DeliveryReport report = x.getReport();
        assertEquals(RecipientResult.Status.DELIVERED, report.get("b@example.test").getStatus());
        assertEquals(RecipientResult.Status.FAILED, report.get("nobody@example.test").getStatus());
        assertEquals("550 5.1.1 No such user", report.get("nobody@example.test").getReply().toString());
        assertEquals(RecipientResult.Status.DELIVERED, report.get("c@example.test").getStatus());
        assertEquals(List.of(), e.getMessage().getHeader("CamelSmtpEnvelopeTo"), "nothing left to retry");
    }

    @Test
    void deferredRecipientIsRetriedAloneByTheErrorHandler() throws Exception {
        context.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:retrying")
                        .errorHandler(defaultErrorHandler().maximumRedeliveries(2).redeliveryDelay(10))
                        .to("smtp-relay:mx?port=" + mxPort + "&dnsServers=" + dns.server() + "&allowPrivateAddresses=true");
            }
        });
        MockEndpoint mx = getMockEndpoint("mock:mx");
        mx.expectedMessageCount(2);
        Exchange e = template.send("direct:retrying", x -> {
            x.getMessage().setHeader("CamelSmtpEnvelopeFrom", "a@sender.test");
            x.getMessage().setHeader("CamelSmtpEnvelopeTo", List.of("b@example.test", "flaky@example.test"));
            x.getMessage().setBody(message("retry"));
        });
        assertNull(e.getException());
        mx.assertIsSatisfied();
        assertEquals(List.of("b@example.test"), mx.getExchanges().get(0).getMessage().getHeader("CamelSmtpEnvelopeTo"));
        assertEquals(List.of("flaky@example.test"), mx.getExchanges().get(1).getMessage().getHeader("CamelSmtpEnvelopeTo"),
                "the retry went to the deferred recipient alone");
    }

    @Test
    void transientExceptionCarriesOnlyThePending() {
        Exchange e = send("a@sender.test", List.of("b@example.test", "flaky@example.test"), message("pending"));
        SmtpDeliveryException x = assertInstanceOf(SmtpDeliveryException.class, e.getException());
        assertTrue(x.isTransient());
        assertEquals(List.of("flaky@example.test"), x.getPendingRecipients());
        assertEquals("451 4.2.0 Try again", x.getReport().get("flaky@example.test").getReply().toString());
        assertEquals(List.of("flaky@example.test"), e.getMessage().getHeader("CamelSmtpEnvelopeTo"));
    }

    @Test
    void nullMxAndBadAddressesFailWithoutAConnection() {
        MockEndpoint mx = getMockEndpoint("mock:mx");
        Exchange e = send("a@sender.test", List.of("x@nullmx.test", "not an address"), message("nowhere"));
        SmtpDeliveryException x = assertInstanceOf(SmtpDeliveryException.class, e.getException());
        assertEquals("556 5.1.10", x.getReport().get("x@nullmx.test").getReply().toString().substring(0, 10));
        assertEquals(553, x.getReport().get("not an address").getCode());
        assertEquals(0, mx.getReceivedCounter());
    }

    @Test
    void barePostmasterGoesToASmartHostButHasNoDomainForAnMxLookUp() throws Exception {
        MockEndpoint mx = getMockEndpoint("mock:mx");
        mx.expectedMessageCount(2);
        Exchange byMx = send("a@sender.test", List.of("b@example.test", "Postmaster"), message("by mx"));
        SmtpDeliveryException x = assertInstanceOf(SmtpDeliveryException.class, byMx.getException());
        assertFalse(x.isTransient());
        assertEquals(RecipientResult.Status.DELIVERED, x.getReport().get("b@example.test").getStatus());
        assertEquals("553 5.1.3", x.getReport().get("Postmaster").getReply().toString().substring(0, 9));

        Exchange bySmartHost = template.send("smtp-relay:127.0.0.1:" + mxPort + "?tls=none", e -> {
            e.getMessage().setHeader("CamelSmtpEnvelopeFrom", "a@sender.test");
            e.getMessage().setHeader("CamelSmtpEnvelopeTo", List.of("postmaster"));
            e.getMessage().setBody(message("smart host"));
        });
        assertNull(bySmartHost.getException());
        mx.assertIsSatisfied();
        assertEquals(List.of("postmaster"), mx.getExchanges().get(1).getMessage().getHeader("CamelSmtpEnvelopeTo"));
    }

    @Test
    void badInputFailsBeforeAnyNetworkIo() {
        assertInstanceOf(IllegalArgumentException.class,
                send("a@sender.test", List.of(), message("no rcpt")).getException());
        assertInstanceOf(IllegalArgumentException.class,
                send("a@sender.test", List.of("b@example.test"), "just some words, no headers").getException());
        assertInstanceOf(IllegalArgumentException.class,
                send("not a sender", List.of("b@example.test"), message("bad sender")).getException());
        assertEquals(0, getMockEndpoint("mock:mx").getReceivedCounter());
    }

    @Test
    void envelopeFromTheMessageWhenNoHeadersAndBccIsStripped() throws Exception {
        MockEndpoint mx = getMockEndpoint("mock:mx");
        mx.expectedMessageCount(1);
        Exchange e = template.send("direct:relay", x -> x.getMessage().setBody(
                "From: Alice <alice@sender.test>\r\nTo: b@example.test\r\nCc: c@example.test\r\nBcc: secret@example.test\r\n"
                + "Subject: derived\r\n\r\nhi\r\n"));
        assertNull(e.getException());
        mx.assertIsSatisfied();
        Exchange got = mx.getExchanges().get(0);
        assertEquals("alice@sender.test", got.getMessage().getHeader("CamelSmtpEnvelopeFrom"));
        assertEquals(List.of("b@example.test", "c@example.test", "secret@example.test"),
                got.getMessage().getHeader("CamelSmtpEnvelopeTo"));
        assertFalse(got.getMessage().getBody(String.class).contains("Bcc"), "Bcc is not sent");
    }

    @Test
    void plainTextWithHeadersBecomesAMimeMessage() throws Exception {
        MockEndpoint mx = getMockEndpoint("mock:mx");
        mx.expectedMessageCount(1);
        Exchange e = template.send("direct:relay", x -> {
            x.getMessage().setHeaders(Map.of("From", "alice@sender.test", "To", "b@example.test", "Subject", "Grüße"));
            x.getMessage().setBody("Hallo, schöne Grüße\n");
        });
        assertNull(e.getException());
        mx.assertIsSatisfied();
        jakarta.mail.internet.MimeMessage got = mx.getExchanges().get(0).getMessage().getBody(jakarta.mail.internet.MimeMessage.class);
        assertEquals("Grüße", got.getSubject());
        assertTrue(got.getMessageID() != null && got.getSentDate() != null);
        assertEquals("Hallo, schöne Grüße\n", got.getContent().toString().replace("\r\n", "\n"));
    }

    @Test
    void messageOverThePeersSizeFailsWithoutBeingSent() {
        Exchange e = send("a@sender.test", List.of("b@example.test"), message("big") + "x".repeat(6000) + "\r\n");
        SmtpDeliveryException x = assertInstanceOf(SmtpDeliveryException.class, e.getException());
        assertEquals("5.3.4", x.getReport().get("b@example.test").getEnhancedStatus());
        assertEquals(552, x.getReport().get("b@example.test").getCode());
        assertEquals(0, getMockEndpoint("mock:mx").getReceivedCounter());
    }

    @Test
    void utf8EnvelopeUsesSmtpUtf8() throws Exception {
        MockEndpoint mx = getMockEndpoint("mock:mx");
        mx.expectedMessageCount(1);
        assertNull(send("jörg@sender.test", List.of("müller@example.test"), message("utf8")).getException());
        mx.assertIsSatisfied();
        assertEquals(Boolean.TRUE, mx.getExchanges().get(0).getMessage().getHeader("CamelSmtpUtf8"));
    }

    @Test
    void connectionsAreReusedForTheNextMessage() throws Exception {
        MockEndpoint mx = getMockEndpoint("mock:mx");
        mx.expectedMessageCount(3);
        for (int i = 0; i < 3; i++) {
            assertNull(send("a@sender.test", List.of("b@example.test"), message("reuse " + i)).getException());
        }
        mx.assertIsSatisfied();
        Object session = mx.getExchanges().get(0).getMessage().getHeader("CamelSmtpSessionId");
        assertEquals(session, mx.getExchanges().get(2).getMessage().getHeader("CamelSmtpSessionId"),
                "one SMTP session carried all three messages");
    }

    @Test
    void smartHostNameIsResolvedWithTheConfiguredDns() throws Exception {
        MockEndpoint mx = getMockEndpoint("mock:mx");
        mx.expectedMessageCount(1);
        Exchange e = template.send("smtp-relay:mx.example.test:" + mxPort + "?dnsServers=" + dns.server() + "&tls=none",
                x -> {
                    x.getMessage().setHeader("CamelSmtpEnvelopeFrom", "a@sender.test");
                    x.getMessage().setHeader("CamelSmtpEnvelopeTo", List.of("someone@anywhere.test"));
                    x.getMessage().setBody(message("smart host"));
                });
        assertNull(e.getException());
        mx.assertIsSatisfied();
        assertEquals("mx.example.test", e.getMessage().getHeader(SmtpRelayConstants.DELIVERY_REPORT, DeliveryReport.class)
                .getResults().get(0).getHost());
    }

    @Test
    void deadHostIsDeferred() {
        int nobody = AvailablePortFinder.getNextAvailable();
        Exchange e = template.send("smtp-relay:mx?port=" + nobody + "&dnsServers=" + dns.server()
                                   + "&allowPrivateAddresses=true&connectTimeout=1s", x -> {
                                       x.getMessage().setHeader("CamelSmtpEnvelopeFrom", "a@sender.test");
                                       x.getMessage().setHeader("CamelSmtpEnvelopeTo", List.of("b@example.test"));
                                       x.getMessage().setBody(message("dead"));
                                   });
        SmtpDeliveryException x = assertInstanceOf(SmtpDeliveryException.class, e.getException());
        assertTrue(x.isTransient());
        RecipientResult r = x.getReport().get("b@example.test");
        assertEquals("4.4.1", r.getEnhancedStatus());
        assertTrue(r.getText().contains("Connection refused"), r.getText());
        assertThrows(Exception.class, () -> context.getEndpoint("smtp-relay:mx").createConsumer(ex -> { }));
    }
}

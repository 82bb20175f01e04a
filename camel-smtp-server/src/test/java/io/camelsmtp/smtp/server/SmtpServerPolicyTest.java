package io.camelsmtp.smtp.server;

import java.util.List;

import io.camelsmtp.smtp.server.support.Messages;
import io.camelsmtp.smtp.server.support.SmtpDialogue;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.mock.MockEndpoint;
import org.apache.camel.test.AvailablePortFinder;
import org.apache.camel.test.junit5.CamelTestSupport;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Policy routes at each stage, acceptedDomains, and the never-an-open-relay default. */
class SmtpServerPolicyTest extends CamelTestSupport {

    private final int port = AvailablePortFinder.getNextAvailable();
    private final int domainsPort = AvailablePortFinder.getNextAvailable();
    private final int defaultPort = AvailablePortFinder.getNextAvailable();
    private final int refusingPort = AvailablePortFinder.getNextAvailable();

    @Override
    protected RoutesBuilder createRouteBuilder() {
        return new RouteBuilder() {
            @Override
            public void configure() {
                from("smtp-server:127.0.0.1:" + port + "?connectPolicy=direct:connect&heloPolicy=direct:helo"
                     + "&mailPolicy=direct:mail&rcptPolicy=direct:rcpt&acceptedDomains=example.org,.corp.example")
                        .to("mock:inbox");
                from("direct:connect").to("mock:connect");
                from("direct:helo")
                        .filter(header("CamelSmtpHelo").isEqualTo("spammer.test"))
                        .throwException(new SmtpRejectException(550, "5.7.1", "Go away"));
                from("direct:mail")
                        .filter(header("CamelSmtpEnvelopeFrom").endsWith("@blocked.test"))
                        .setHeader("CamelSmtpReply", constant("550 5.7.1 Sender blocked"));
                from("direct:rcpt")
                        .to("mock:rcpt")
                        .choice()
                            .when(header("CamelSmtpRecipient").startsWith("nobody@"))
                                .throwException(new SmtpRejectException(550, "5.1.1", "No such user"))
                            .when(header("CamelSmtpRecipient").startsWith("full@"))
                                .setHeader("CamelSmtpReply", constant("452 4.2.2 Mailbox full"))
                            .when(header("CamelSmtpRecipient").startsWith("broken@"))
                                .throwException(new IllegalStateException("directory down"));
                from("smtp-server:127.0.0.1:" + domainsPort + "?acceptedDomains=Example.ORG")
                        .to("mock:domains");
                from("smtp-server:127.0.0.1:" + refusingPort + "?acceptedDomains=*&connectPolicy=direct:deny")
                        .to("mock:never");
                from("direct:deny").setHeader("CamelSmtpReply", constant("554 5.7.1 No SMTP service for you"));
                from("smtp-server:127.0.0.1:" + defaultPort).to("mock:default");
            }
        };
    }

    @Test
    void connectPolicySeesTheClient() throws Exception {
        MockEndpoint connect = getMockEndpoint("mock:connect");
        connect.expectedMessageCount(1);
        connect.expectedHeaderReceived("CamelSmtpStage", "connect");
        connect.expectedHeaderReceived("CamelSmtpRemoteAddress", "127.0.0.1");
        try (SmtpDialogue s = SmtpDialogue.open(port)) {
            assertTrue(s.greeting().startsWith("220 "));
        }
        connect.assertIsSatisfied();
    }

    @Test
    void connectPolicyRefusalIsTheGreetingAndCloses() throws Exception {
        try (SmtpDialogue s = SmtpDialogue.open(refusingPort)) {
            assertEquals("554 5.7.1 No SMTP service for you", s.greeting());
            assertTrue(s.closedByServer());
        }
    }

    @Test
    void heloAndMailPolicies() throws Exception {
        try (SmtpDialogue s = SmtpDialogue.open(port)) {
            assertEquals("550 5.7.1 Go away", s.cmd("EHLO spammer.test"));
            assertEquals("503 5.5.1 Error: send HELO/EHLO first", s.cmd("MAIL FROM:<a@client.test>"),
                    "a refused HELO does not count as a greeting");
            s.ehlo("client.test");
            assertEquals("550 5.7.1 Sender blocked", s.cmd("MAIL FROM:<x@blocked.test>"));
            assertEquals("250 2.1.0 Ok", s.cmd("MAIL FROM:<x@fine.test>"), "a refused MAIL leaves no transaction");
        }
    }

    @Test
    void rcptPolicyDecidesPerRecipient() throws Exception {
        MockEndpoint inbox = getMockEndpoint("mock:inbox");
        inbox.expectedMessageCount(1);
        MockEndpoint rcpt = getMockEndpoint("mock:rcpt");
        try (SmtpDialogue s = SmtpDialogue.open(port).ehlo("client.test")) {
            s.cmd("MAIL FROM:<a@client.test>");
            assertEquals("250 2.1.5 Ok", s.cmd("RCPT TO:<bob@example.org>"));
            assertEquals("550 5.1.1 No such user", s.cmd("RCPT TO:<nobody@example.org>"));
            assertEquals("452 4.2.2 Mailbox full", s.cmd("RCPT TO:<full@example.org>"));
            assertEquals("451 4.3.0 Temporary failure, try again later", s.cmd("RCPT TO:<broken@example.org>"));
            assertEquals("250 2.1.5 Ok", s.cmd("RCPT TO:<carol@dev.corp.example>"));
            assertEquals("554 5.7.1 <x@elsewhere.test>: Relay access denied", s.cmd("RCPT TO:<x@elsewhere.test>"),
                    "acceptedDomains is checked before the policy");
            s.cmd("DATA");
            assertTrue(s.data(Messages.simple("policy")).startsWith("250 "));
        }
        inbox.assertIsSatisfied();
        assertEquals(List.of("bob@example.org", "carol@dev.corp.example"),
                inbox.getExchanges().get(0).getMessage().getHeader(SmtpServerConstants.ENVELOPE_TO));
        assertEquals("rcpt", rcpt.getExchanges().get(0).getMessage().getHeader(SmtpServerConstants.STAGE));
        assertEquals("bob@example.org", rcpt.getExchanges().get(0).getMessage().getHeader(SmtpServerConstants.RECIPIENT));
        assertEquals("a@client.test", rcpt.getExchanges().get(0).getMessage().getHeader(SmtpServerConstants.ENVELOPE_FROM));
    }

    @Test
    void acceptedDomainsIgnoreCaseAndAlwaysAcceptPostmaster() throws Exception {
        try (SmtpDialogue s = SmtpDialogue.open(domainsPort).ehlo("client.test")) {
            s.cmd("MAIL FROM:<a@client.test>");
            assertEquals("250 2.1.5 Ok", s.cmd("RCPT TO:<Bob@EXAMPLE.org>"));
            assertEquals("250 2.1.5 Ok", s.cmd("RCPT TO:<postmaster>"));
            assertEquals("554 5.7.1 <bob@sub.example.org>: Relay access denied", s.cmd("RCPT TO:<bob@sub.example.org>"));
        }
    }

    @Test
    void withoutDomainsOrPolicyNothingIsRelayed() throws Exception {
        try (SmtpDialogue s = SmtpDialogue.open(defaultPort).ehlo("client.test")) {
            s.cmd("MAIL FROM:<a@client.test>");
            assertEquals("554 5.7.1 <b@example.org>: Relay access denied", s.cmd("RCPT TO:<b@example.org>"));
        }
    }
}

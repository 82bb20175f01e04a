package io.camelsmtp.smtp.server;

import java.util.List;

import io.camelsmtp.smtp.common.SmtpReply;
import io.camelsmtp.smtp.server.support.Messages;
import io.camelsmtp.smtp.server.support.SmtpDialogue;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.test.AvailablePortFinder;
import org.apache.camel.test.junit5.CamelTestSupport;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * CamelSmtpReply at every stage, on the wire: what is not a valid reply is a temporary failure ({@code 421 4.3.0}
 * at connect, which closes; {@code 451 4.3.0} elsewhere), multi-line replies are proper continuation lines, and bare
 * text that is clearly not a reply is still a {@code 250}.
 */
class SmtpServerRouteReplyTest extends CamelTestSupport {

    private static final String TEMPORARY = "451 4.3.0 Temporary failure, try again later";
    private final int multiLineConnectPort = AvailablePortFinder.getNextAvailable();
    private final int brokenConnectPort = AvailablePortFinder.getNextAvailable();
    private final int port = AvailablePortFinder.getNextAvailable();

    @Override
    protected RoutesBuilder createRouteBuilder() {
        return new RouteBuilder() {
            @Override
            public void configure() {
                from("smtp-server:127.0.0.1:" + multiLineConnectPort + "?connectPolicy=direct:connect-multi").to("mock:a");
                from("direct:connect-multi")
                        .setHeader("CamelSmtpReply", constant(SmtpReply.of(554, "5.7.1", "No\nSee policy")));
                from("smtp-server:127.0.0.1:" + brokenConnectPort + "?connectPolicy=direct:connect-newline").to("mock:b");
                from("direct:connect-newline").setHeader("CamelSmtpReply", constant("554 5.7.1 No\nSee policy"));
                from("smtp-server:127.0.0.1:" + port + "?acceptedDomains=example.org&heloPolicy=direct:helo")
                        .choice()
                            .when(header("CamelSmtpEnvelopeFrom").isEqualTo("newline@client.test"))
                                .setHeader("CamelSmtpReply", constant("554 5.7.1 No\r\n250 2.0.0 Forged"))
                            .when(header("CamelSmtpEnvelopeFrom").isEqualTo("digits@client.test"))
                                .setHeader("CamelSmtpReply", constant("2 recipients accepted"))
                            .when(header("CamelSmtpEnvelopeFrom").isEqualTo("trailing@client.test"))
                                .setHeader("CamelSmtpReply", constant("554 5.7.1 No\n"))
                            .when(header("CamelSmtpEnvelopeFrom").isEqualTo("mixed@client.test"))
                                .setHeader("CamelSmtpReply", constant(List.of("554 5.7.1 No", "250 2.0.0 Yes")))
                            .when(header("CamelSmtpEnvelopeFrom").isEqualTo("text@client.test"))
                                .setHeader("CamelSmtpReply", constant("Thanks, filed as ticket 42"))
                        .end()
                        .to("mock:inbox");
                from("direct:helo")
                        .choice()
                            .when(header("CamelSmtpHelo").isEqualTo("typo.test"))
                                .setHeader("CamelSmtpReply", constant("55O 5.7.1 typo"))
                            .when(header("CamelSmtpHelo").isEqualTo("multi.test"))
                                .setHeader("CamelSmtpReply",
                                        constant(List.of("550-5.7.1 Your name", "550 5.7.1 is refused")));
            }
        };
    }

    @Test
    void aMultiLineRefusalAtConnectIsSentAsContinuationLines() throws Exception {
        try (SmtpDialogue s = SmtpDialogue.open(multiLineConnectPort)) {
            assertEquals("554-5.7.1 No\n554 5.7.1 See policy", s.greeting());
            assertTrue(s.closedByServer());
        }
    }

    @Test
    void anInvalidReplyAtConnectIs421AndCloses() throws Exception {
        try (SmtpDialogue s = SmtpDialogue.open(brokenConnectPort)) {
            assertEquals("421 4.3.0 Temporary failure, try again later", s.greeting());
            assertTrue(s.closedByServer());
        }
    }

    @Test
    void anInvalidReplyAtHeloIs451() throws Exception {
        try (SmtpDialogue s = SmtpDialogue.open(port)) {
            assertEquals(TEMPORARY, s.cmd("EHLO typo.test"));
            assertEquals("550-5.7.1 Your name\n550 5.7.1 is refused", s.cmd("EHLO multi.test"));
            assertEquals("503 5.5.1 Error: send HELO/EHLO first", s.cmd("MAIL FROM:<a@client.test>"));
        }
    }

    @Test
    void anInvalidReplyAfterDataIs451AndNeverForgesALine() throws Exception {
        try (SmtpDialogue s = SmtpDialogue.open(port).ehlo("client.test")) {
            assertEquals(TEMPORARY, s.send("newline@client.test", "b@example.org", Messages.simple("a")));
            assertEquals(TEMPORARY, s.send("digits@client.test", "b@example.org", Messages.simple("b")));
            assertEquals(TEMPORARY, s.send("mixed@client.test", "b@example.org", Messages.simple("c")));
            assertEquals("554 5.7.1 No", s.send("trailing@client.test", "b@example.org", Messages.simple("d")));
            assertEquals("250 2.0.0 Thanks, filed as ticket 42", s.send("text@client.test", "b@example.org",
                    Messages.simple("e")));
            assertEquals("250 2.0.0 Ok", s.cmd("NOOP"), "nothing left unread: the session goes on in step");
        }
    }
}

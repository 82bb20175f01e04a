package io.camelsmtp.smtp.server;

import java.nio.charset.StandardCharsets;
import java.util.List;

import io.camelsmtp.smtp.server.support.Messages;
import io.camelsmtp.smtp.server.support.SmtpDialogue;
import org.apache.camel.Exchange;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.mock.MockEndpoint;
import org.apache.camel.test.AvailablePortFinder;
import org.apache.camel.test.junit5.CamelTestSupport;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every protocol error path: the exact reply, the session still usable (or cleanly closed), nothing handed on. */
class SmtpServerProtocolTest extends CamelTestSupport {

    private final int port = AvailablePortFinder.getNextAvailable();
    private final int dsnPort = AvailablePortFinder.getNextAvailable();

    @Override
    protected RoutesBuilder createRouteBuilder() {
        return new RouteBuilder() {
            @Override
            public void configure() {
                from("smtp-server:127.0.0.1:" + port + "?acceptedDomains=example.org&hostName=mx.example.org"
                     + "&maxMessageSize=2000&maxRecipients=3&maxErrors=6&maxLineLength=200")
                        .to("mock:inbox");
                from("smtp-server:127.0.0.1:" + dsnPort + "?acceptedDomains=example.org&dsn=true&chunking=false"
                     + "&allowBareLineFeeds=true")
                        .to("mock:dsn");
            }
        };
    }

    private MockEndpoint inbox() {
        return getMockEndpoint("mock:inbox");
    }

    @Test
    void ehloAdvertisesWhatWeImplement() throws Exception {
        try (SmtpDialogue s = SmtpDialogue.open(port)) {
            assertEquals(String.join("\n", "250-mx.example.org", "250-PIPELINING", "250-SIZE 2000", "250-8BITMIME",
                    "250-ENHANCEDSTATUSCODES", "250-SMTPUTF8", "250 CHUNKING"), s.cmd("EHLO client.test"));
            assertEquals("250 mx.example.org", s.cmd("HELO client.test"));
            assertEquals("501 5.5.4 Syntax: EHLO hostname", s.cmd("EHLO"));
        }
        try (SmtpDialogue s = SmtpDialogue.open(dsnPort)) {
            String ehlo = s.cmd("EHLO client.test");
            assertTrue(ehlo.contains("\n250 DSN"), ehlo);
            assertFalse(ehlo.contains("CHUNKING"), ehlo);
        }
    }

    @Test
    void commandsOutOfSequence() throws Exception {
        try (SmtpDialogue s = SmtpDialogue.open(port)) {
            assertEquals("503 5.5.1 Error: send HELO/EHLO first", s.cmd("MAIL FROM:<a@client.test>"));
            s.ehlo("client.test");
            assertEquals("503 5.5.1 Error: need MAIL command", s.cmd("RCPT TO:<b@example.org>"));
            assertEquals("503 5.5.1 Error: need MAIL command", s.cmd("DATA"));
            assertEquals("250 2.1.0 Ok", s.cmd("MAIL FROM:<a@client.test>"));
            assertEquals("503 5.5.1 Error: nested MAIL command", s.cmd("MAIL FROM:<a@client.test>"));
            assertEquals("503 5.5.1 Error: need RCPT command", s.cmd("DATA"));
            assertEquals("250 2.0.0 Ok", s.cmd("RSET"));
            assertEquals("503 5.5.1 Error: need MAIL command", s.cmd("RCPT TO:<b@example.org>"));
        }
    }

    @Test
    void syntaxErrors() throws Exception {
        try (SmtpDialogue s = SmtpDialogue.open(dsnPort).ehlo("client.test")) {
            assertEquals("501 5.5.4 Syntax: MAIL FROM:<address> [parameters]", s.cmd("MAIL TO:<a@client.test>"));
            assertEquals("501 5.5.4 Syntax: MAIL FROM:<address> [parameters]", s.cmd("MAIL FROM:<a@client.test"));
            assertEquals("501 5.1.7 Bad sender address syntax", s.cmd("MAIL FROM:<not an address>"));
            assertEquals("501 5.1.7 Bad sender address syntax", s.cmd("MAIL FROM:<a@@b>"));
            assertEquals("555 5.5.4 Unsupported parameter FOO", s.cmd("MAIL FROM:<a@client.test> FOO=1"));
            assertEquals("501 5.5.4 Unsupported BODY type; use 7BIT or 8BITMIME",
                    s.cmd("MAIL FROM:<a@client.test> BODY=BINARYMIME"));
            assertEquals("501 5.5.4 Bad SIZE parameter", s.cmd("MAIL FROM:<a@client.test> SIZE=big"));
            assertEquals("501 5.5.4 Bad RET parameter; use FULL or HDRS", s.cmd("MAIL FROM:<a@client.test> RET=ALL"));
            assertEquals("250 2.1.0 Ok", s.cmd("MAIL FROM: <a@client.test>"));
            assertEquals("501 5.1.3 Bad recipient address syntax", s.cmd("RCPT TO:<b@>"));
            assertEquals("501 5.5.4 Syntax: RCPT TO:<address> [parameters]", s.cmd("RCPT <b@example.org>"));
            assertEquals("501 5.5.4 Bad NOTIFY parameter; use NEVER or SUCCESS,FAILURE,DELAY",
                    s.cmd("RCPT TO:<b@example.org> NOTIFY=SOMETIMES"));
            assertEquals("501 5.5.4 Syntax: DATA takes no arguments", s.cmd("DATA now"));
            assertEquals("250 2.0.0 Ok", s.cmd("NOOP"));
        }
    }

    @Test
    void unknownCommandsAndLongLines() throws Exception {
        try (SmtpDialogue s = SmtpDialogue.open(port)) {
            assertEquals("500 5.5.2 Error: command not recognized", s.cmd("WHAT is this"));
            assertEquals("500 5.5.2 Error: command not recognized", s.cmd("STARTFOO"));
            assertEquals("500 5.5.6 Line too long", s.cmd("NOOP " + "x".repeat(600)));
            assertEquals("250 2.0.0 Ok", s.cmd("NOOP"));
            assertEquals("252 2.5.2 Cannot VRFY user, but will accept message and attempt delivery", s.cmd("VRFY bob"));
            assertEquals("502 5.5.1 Error: EXPN not supported", s.cmd("EXPN staff"));
            assertEquals("221 2.0.0 Bye", s.cmd("QUIT"));
            assertTrue(s.closedByServer());
        }
        try (SmtpDialogue s = SmtpDialogue.open(port)) {
            assertEquals("502 5.5.1 Error: command not implemented", s.cmd("STARTTLS"));
            assertEquals("503 5.5.1 Error: authentication not enabled", s.cmd("AUTH PLAIN"));
            assertEquals("214 2.0.0 See RFC 5321", s.cmd("HELP"));
        }
    }

    @Test
    void httpRequestEndsTheSession() throws Exception {
        try (SmtpDialogue s = SmtpDialogue.open(port)) {
            assertEquals("221 2.7.0 Error: this is an SMTP server, not an HTTP server; goodbye", s.cmd("GET / HTTP/1.1"));
            assertTrue(s.closedByServer());
        }
    }

    @Test
    void tooManyErrorsCloseTheSession() throws Exception {
        try (SmtpDialogue s = SmtpDialogue.open(port)) {
            for (int i = 0; i < 5; i++) {
                assertEquals("500 5.5.2 Error: command not recognized", s.cmd("BOGUS " + i));
            }
            assertEquals("500 5.5.2 Error: command not recognized\n421 4.7.0 Too many errors, closing connection",
                    s.cmd("BOGUS 6") + "\n" + s.reply());
            assertTrue(s.closedByServer());
        }
    }

    @Test
    void declaredSizeOverTheLimitIsRefusedAtMail() throws Exception {
        try (SmtpDialogue s = SmtpDialogue.open(port).ehlo("client.test")) {
            assertEquals("552 5.3.4 Message size exceeds fixed maximum message size of 2000 octets",
                    s.cmd("MAIL FROM:<a@client.test> SIZE=2001"));
            assertEquals("250 2.1.0 Ok", s.cmd("MAIL FROM:<a@client.test> SIZE=1999"));
        }
    }

    @Test
    void messageOverTheLimitIsDrainedThenRefusedAndNothingIsHandedOn() throws Exception {
        inbox().expectedMessageCount(1);
        try (SmtpDialogue s = SmtpDialogue.open(port).ehlo("client.test")) {
            String big = Messages.simple("big") + ("x".repeat(70) + "\r\n").repeat(40);
            assertEquals("552 5.3.4 Message size exceeds fixed maximum message size of 2000 octets",
                    s.send("a@client.test", "b@example.org", big));
            assertTrue(s.send("a@client.test", "b@example.org", Messages.simple("small")).startsWith("250 2.0.0"),
                    "the session goes on after the refusal");
        }
        inbox().assertIsSatisfied();
        assertTrue(inbox().getExchanges().get(0).getMessage().getBody(String.class).contains("Hello small"));
    }

    @Test
    void tooManyRecipients() throws Exception {
        try (SmtpDialogue s = SmtpDialogue.open(port).ehlo("client.test")) {
            s.cmd("MAIL FROM:<a@client.test>");
            for (int i = 0; i < 3; i++) {
                assertEquals("250 2.1.5 Ok", s.cmd("RCPT TO:<u" + i + "@example.org>"));
            }
            assertEquals("452 4.5.3 Error: too many recipients", s.cmd("RCPT TO:<u9@example.org>"));
        }
    }

    @Test
    void bareLineFeedIsRefusedAfterTheWholeMessageAndTheSessionGoesOn() throws Exception {
        inbox().expectedMessageCount(1);
        try (SmtpDialogue s = SmtpDialogue.open(port).ehlo("client.test")) {
            s.cmd("MAIL FROM:<a@client.test>");
            s.cmd("RCPT TO:<b@example.org>");
            assertEquals("354 End data with <CR><LF>.<CR><LF>", s.cmd("DATA"));
            s.write("Subject: smuggle\r\n\r\nline one\nline two\r\n.\r\n");
            assertEquals("550 5.6.0 Message contains a bare CR or LF; lines must end with CRLF (RFC 5321 section 2.3.8)",
                    s.reply());
            assertTrue(s.send("a@client.test", "b@example.org", Messages.simple("after")).startsWith("250 "));
        }
        inbox().assertIsSatisfied();
    }

    /**
     * SMTP smuggling: "\n.\n" or "\n.\r\n" must not end DATA. Were it to, the "MAIL FROM" after it would start a second,
     * forged message. The whole thing is one message with bare LFs, so it is refused and no forged message appears.
     */
    @Test
    void smugglingAttemptIsOneRefusedMessage() throws Exception {
        inbox().expectedMessageCount(0);
        try (SmtpDialogue s = SmtpDialogue.open(port).ehlo("client.test")) {
            s.cmd("MAIL FROM:<a@client.test>");
            s.cmd("RCPT TO:<b@example.org>");
            s.cmd("DATA");
            s.write("Subject: hi\r\n\r\nhi\n.\nMAIL FROM:<admin@example.org>\r\nRCPT TO:<b@example.org>\r\nDATA\r\n"
                    + "Subject: forged\r\n\r\nforged\r\n\r.\rmore\n.\r\nend\r\n.\r\n");
            assertTrue(s.reply().startsWith("550 5.6.0"));
            assertEquals("250 2.0.0 Ok", s.cmd("NOOP"), "no smuggled command was executed");
        }
        inbox().assertIsSatisfied();
    }

    @Test
    void bareLineFeedsAreNormalisedWhenAllowedAndStillNeverEndData() throws Exception {
        MockEndpoint dsn = getMockEndpoint("mock:dsn");
        dsn.expectedMessageCount(1);
        try (SmtpDialogue s = SmtpDialogue.open(dsnPort).ehlo("client.test")) {
            s.cmd("MAIL FROM:<a@client.test>");
            s.cmd("RCPT TO:<b@example.org>");
            s.cmd("DATA");
            s.write("Subject: lf\r\n\r\none\ntwo\n.\nthree\r\n.\r\n");
            String reply = s.reply();
            assertTrue(reply.startsWith("250 2.0.0"), reply);
        }
        dsn.assertIsSatisfied();
        String body = dsn.getExchanges().get(0).getMessage().getBody(String.class);
        assertTrue(body.endsWith("\r\n\r\none\r\ntwo\r\n.\r\nthree\r\n"), body.replace("\r", "<CR>").replace("\n", "<LF>"));
    }

    @Test
    void dotStuffingIsUndoneAndPipelinedCommandsAfterDataSurvive() throws Exception {
        inbox().expectedMessageCount(1);
        try (SmtpDialogue s = SmtpDialogue.open(port).ehlo("client.test")) {
            s.write("MAIL FROM:<a@client.test>\r\nRCPT TO:<b@example.org>\r\nDATA\r\n");
            assertEquals("250 2.1.0 Ok", s.reply());
            assertEquals("250 2.1.5 Ok", s.reply());
            assertEquals("354 End data with <CR><LF>.<CR><LF>", s.reply());
            s.write("Subject: dots\r\n\r\n..leading dot\r\n.\r\nNOOP\r\nQUIT\r\n");
            assertTrue(s.reply().startsWith("250 2.0.0 Ok: queued as "));
            assertEquals("250 2.0.0 Ok", s.reply());
            assertEquals("221 2.0.0 Bye", s.reply());
        }
        inbox().assertIsSatisfied();
        assertTrue(inbox().getExchanges().get(0).getMessage().getBody(String.class).endsWith("\r\n\r\n.leading dot\r\n"));
    }

    @Test
    void longTextLineIsRefused() throws Exception {
        inbox().expectedMessageCount(0);
        try (SmtpDialogue s = SmtpDialogue.open(port).ehlo("client.test")) {
            assertEquals("550 5.6.0 Message contains a line longer than 200 octets (RFC 5321 section 4.5.3.1.6)",
                    s.send("a@client.test", "b@example.org", "Subject: long\r\n\r\n" + "y".repeat(199) + "\r\n"));
        }
        inbox().assertIsSatisfied();
    }

    @Test
    void abruptDisconnectInsideDataHandsNothingOn() throws Exception {
        inbox().expectedMessageCount(0);
        try (SmtpDialogue s = SmtpDialogue.open(port).ehlo("client.test")) {
            s.cmd("MAIL FROM:<a@client.test>");
            s.cmd("RCPT TO:<b@example.org>");
            s.cmd("DATA");
            s.write("Subject: cut\r\n\r\nhalf a mess");
        }
        Thread.sleep(300);
        inbox().assertIsSatisfied();
        try (SmtpDialogue s = SmtpDialogue.open(port)) {
            assertEquals("250 2.0.0 Ok", s.cmd("NOOP"), "the server goes on");
        }
    }

    @Test
    void nullSenderAndPostmaster() throws Exception {
        inbox().expectedMessageCount(1);
        try (SmtpDialogue s = SmtpDialogue.open(port).ehlo("client.test")) {
            assertEquals("250 2.1.0 Ok", s.cmd("MAIL FROM:<>"));
            assertEquals("250 2.1.5 Ok", s.cmd("RCPT TO:<Postmaster>"));
            assertEquals("354 End data with <CR><LF>.<CR><LF>", s.cmd("DATA"));
            assertTrue(s.data(Messages.simple("bounce")).startsWith("250 "));
        }
        inbox().assertIsSatisfied();
        Exchange e = inbox().getExchanges().get(0);
        assertEquals("", e.getMessage().getHeader(SmtpServerConstants.ENVELOPE_FROM));
        assertEquals(List.of("Postmaster"), e.getMessage().getHeader(SmtpServerConstants.ENVELOPE_TO));
    }

    @Test
    void smtpUtf8() throws Exception {
        inbox().expectedMessageCount(1);
        try (SmtpDialogue s = SmtpDialogue.open(port).ehlo("client.test")) {
            assertEquals("553 5.6.7 Non-ASCII address needs the SMTPUTF8 parameter", s.cmd("MAIL FROM:<jörg@client.test>"));
            assertEquals("250 2.1.0 Ok", s.cmd("MAIL FROM:<jörg@client.test> SMTPUTF8 BODY=8BITMIME"));
            assertEquals("250 2.1.5 Ok", s.cmd("RCPT TO:<müller@example.org>"));
            s.cmd("DATA");
            assertTrue(s.data("Subject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe?=\r\n\r\nGrüße\r\n").startsWith("250 "));
        }
        inbox().assertIsSatisfied();
        Exchange e = inbox().getExchanges().get(0);
        assertEquals("jörg@client.test", e.getMessage().getHeader(SmtpServerConstants.ENVELOPE_FROM));
        assertEquals(List.of("müller@example.org"), e.getMessage().getHeader(SmtpServerConstants.ENVELOPE_TO));
        assertEquals(Boolean.TRUE, e.getMessage().getHeader(SmtpServerConstants.UTF8));
        assertEquals("8BITMIME", e.getMessage().getHeader(SmtpServerConstants.BODY_TYPE));
        String body = new String(e.getMessage().getBody(byte[].class), StandardCharsets.UTF_8);
        assertTrue(body.contains("Grüße"));
        assertTrue(body.contains(" with UTF8SMTP id "), "RFC 6531 protocol keyword: " + body);
    }

    @Test
    void dsnParametersBecomeHeaders() throws Exception {
        MockEndpoint dsn = getMockEndpoint("mock:dsn");
        dsn.expectedMessageCount(1);
        try (SmtpDialogue s = SmtpDialogue.open(dsnPort).ehlo("client.test")) {
            assertEquals("250 2.1.0 Ok", s.cmd("MAIL FROM:<a@client.test> RET=HDRS ENVID=QQ+2B314 SIZE=100"));
            assertEquals("250 2.1.5 Ok", s.cmd("RCPT TO:<b@example.org> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;b+40example.org"));
            assertEquals("250 2.1.5 Ok", s.cmd("RCPT TO:<c@example.org>"));
            s.cmd("DATA");
            assertTrue(s.data(Messages.simple("dsn")).startsWith("250 "));
        }
        dsn.assertIsSatisfied();
        Exchange e = dsn.getExchanges().get(0);
        assertEquals("HDRS", e.getMessage().getHeader(SmtpServerConstants.DSN_RET));
        assertEquals("QQ+314", e.getMessage().getHeader(SmtpServerConstants.DSN_ENVID));
        assertEquals(100L, e.getMessage().getHeader(SmtpServerConstants.DECLARED_SIZE));
        assertEquals(java.util.Arrays.asList("SUCCESS,FAILURE", null), e.getMessage().getHeader(SmtpServerConstants.DSN_NOTIFY));
        assertEquals(java.util.Arrays.asList("rfc822;b@example.org", null), e.getMessage().getHeader(SmtpServerConstants.DSN_ORCPT));
        String body = e.getMessage().getBody(String.class);
        assertTrue(body.startsWith("Received: from client.test ([127.0.0.1])\r\n\tby "), body);
        assertFalse(body.substring(0, body.indexOf(';')).contains("\tfor <"), "no 'for' clause with two recipients");
    }

    @Test
    void dsnParametersCannotDecodeToLineEnds() throws Exception {
        try (SmtpDialogue s = SmtpDialogue.open(dsnPort).ehlo("client.test")) {
            assertEquals("501 5.5.4 Bad ENVID parameter", s.cmd("MAIL FROM:<a@client.test> ENVID=QQ+0D+0ABcc:+20x"));
            assertEquals("250 2.1.0 Ok", s.cmd("MAIL FROM:<a@client.test>"));
            assertEquals("501 5.5.4 Bad ORCPT parameter; use addr-type;xtext",
                    s.cmd("RCPT TO:<b@example.org> ORCPT=rfc822;b@example.org+0D+0AX-Injected:+20yes"));
        }
    }

    @Test
    void dsnParametersAreRefusedWhenDsnIsOff() throws Exception {
        try (SmtpDialogue s = SmtpDialogue.open(port).ehlo("client.test")) {
            assertEquals("555 5.5.4 Unsupported parameter RET", s.cmd("MAIL FROM:<a@client.test> RET=FULL"));
            s.cmd("MAIL FROM:<a@client.test>");
            assertEquals("555 5.5.4 Unsupported parameter NOTIFY", s.cmd("RCPT TO:<b@example.org> NOTIFY=NEVER"));
        }
    }

    @Test
    void bdatChunks() throws Exception {
        inbox().expectedMessageCount(1);
        try (SmtpDialogue s = SmtpDialogue.open(port).ehlo("client.test")) {
            String part1 = "Subject: chunks\r\n\r\nfirst ";
            String part2 = "second\r\n.not stuffed\r\n";
            s.write("BDAT 5\r\nhello");
            assertEquals("503 5.5.1 Error: need MAIL command", s.reply(), "a refused chunk is drained");
            s.cmd("MAIL FROM:<a@client.test>");
            s.cmd("RCPT TO:<b@example.org>");
            s.write("BDAT " + part1.length() + "\r\n" + part1);
            assertEquals("250 2.0.0 " + part1.length() + " octets received", s.reply());
            assertEquals("503 5.5.1 Error: DATA after BDAT", s.cmd("DATA"));
            s.write("BDAT " + part2.length() + " LAST\r\n" + part2);
            assertTrue(s.reply().startsWith("250 2.0.0 Ok: queued as "));
            assertEquals("501 5.5.4 Syntax: BDAT size [LAST]; closing connection", s.cmd("BDAT x"));
            assertTrue(s.closedByServer());
        }
        inbox().assertIsSatisfied();
        assertTrue(inbox().getExchanges().get(0).getMessage().getBody(String.class)
                .endsWith("\r\n\r\nfirst second\r\n.not stuffed\r\n"));
    }

    @Test
    void bdatOverTheLimitIsRefused() throws Exception {
        inbox().expectedMessageCount(0);
        try (SmtpDialogue s = SmtpDialogue.open(port).ehlo("client.test")) {
            s.cmd("MAIL FROM:<a@client.test>");
            s.cmd("RCPT TO:<b@example.org>");
            String chunk = ("z".repeat(98) + "\r\n").repeat(25);
            s.write("BDAT " + chunk.length() + " LAST\r\n" + chunk);
            assertEquals("552 5.3.4 Message size exceeds fixed maximum message size of 2000 octets", s.reply());
            assertEquals("250 2.0.0 Ok", s.cmd("NOOP"));
        }
        inbox().assertIsSatisfied();
    }
}

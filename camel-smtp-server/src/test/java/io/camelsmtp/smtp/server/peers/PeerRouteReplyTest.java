package io.camelsmtp.smtp.server.peers;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.camelsmtp.smtp.server.support.LogLines;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.test.AvailablePortFinder;
import org.apache.camel.test.junit5.CamelTestSupport;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A route's CamelSmtpReply that is not a valid reply fails closed, seen through Python's smtplib: a refusal with a
 * line break in it, or with a mistyped code ({@code 55O}), reaches the client as {@code 451 4.3.0} (never as the
 * {@code 250} it used to become) and is logged as one ERROR line naming the listener's route, the stage and the
 * policy route; a multi-line refusal given as a List of lines arrives as proper {@code 554-}/{@code 554 } lines.
 */
class PeerRouteReplyTest extends CamelTestSupport {

    private static final int MAIL_PORT = AvailablePortFinder.getNextAvailable();
    private static final int RCPT_PORT = AvailablePortFinder.getNextAvailable();
    private static final int DATA_PORT = AvailablePortFinder.getNextAvailable();
    private static final Duration LIMIT = Duration.ofSeconds(30);

    private Path python;
    private Path script;

    @BeforeEach
    void findPython() throws Exception {
        python = PeerProcess.require("python3", "python3", "/usr/bin/python3", "python3");
        script = PeerTls.resource("peers/smtplib_client.py");
    }

    @Override
    protected RoutesBuilder createRouteBuilder() {
        return new RouteBuilder() {
            @Override
            public void configure() {
                from("smtp-server:127.0.0.1:" + MAIL_PORT + "?acceptedDomains=example.org&mailPolicy=direct:mail-check")
                        .routeId("replies-mail").to("mock:mail");
                from("direct:mail-check").routeId("mail-newline")
                        .setHeader("CamelSmtpReply", constant("554 5.7.1 No\nSee policy"));
                from("smtp-server:127.0.0.1:" + RCPT_PORT + "?acceptedDomains=example.org&rcptPolicy=direct:rcpt-check")
                        .routeId("replies-rcpt").to("mock:rcpt");
                from("direct:rcpt-check").routeId("rcpt-typo")
                        .setHeader("CamelSmtpReply", constant("55O 5.7.1 typo"));
                from("smtp-server:127.0.0.1:" + DATA_PORT + "?acceptedDomains=example.org")
                        .routeId("replies-data")
                        .setHeader("CamelSmtpReply", constant(List.of("554-5.7.1 No", "554 5.7.1 See policy")))
                        .to("mock:data");
            }
        };
    }

    private PeerProcess.Result smtplib(int port) throws Exception {
        PeerProcess.Result r = PeerProcess.run(LIMIT,
                List.of(python.toString(), script.toString(), "plain", "127.0.0.1", String.valueOf(port)), null,
                Map.of("PYTHONNOUSERSITE", "1", "PYTHONPATH", "", "PYTHONIOENCODING", "utf-8"));
        assertFalse(r.timedOut(), r.describe());
        return r;
    }

    @Test
    void refusalWithALineBreakIsATemporaryFailureNotAnAcceptance() throws Exception {
        getMockEndpoint("mock:mail").expectedMessageCount(0);
        try (LogLines log = LogLines.capture()) {
            PeerProcess.Result r = smtplib(MAIL_PORT);
            assertEquals(1, r.exitCode(), r.describe());
            assertTrue(r.stdout().contains("REPLY 451 4.3.0 Temporary failure, try again later"), r.describe());
            assertTrue(r.stdout().contains("ERROR SMTPSenderRefused (451, "), r.describe());
            assertFalse(r.stdout().contains("REPLY 250 2.0.0 554"), r.describe());
            assertErrorLines(1, log, "stage mail", "'replies-mail'", "'mail-newline'", "(mailPolicy direct:mail-check)",
                    "554 5.7.1 No\\nSee policy");
        }
        getMockEndpoint("mock:mail").assertIsSatisfied(200);
    }

    @Test
    void mistypedReplyCodeIsATemporaryFailureNotAnAcceptance() throws Exception {
        getMockEndpoint("mock:rcpt").expectedMessageCount(0);
        try (LogLines log = LogLines.capture()) {
            PeerProcess.Result r = smtplib(RCPT_PORT);
            assertEquals(1, r.exitCode(), r.describe());
            assertTrue(r.stdout().contains("ERROR SMTPRecipientsRefused"), r.describe());
            assertEquals(2, r.stdout().lines().filter(l -> l.equals("REPLY 451 4.3.0 Temporary failure, try again later"))
                    .count(), r.describe());
            assertFalse(r.stdout().contains("REPLY 250 2.0.0 55O"), r.describe());
            // one for each of the two recipients smtplib tried
            assertErrorLines(2, log, "stage rcpt", "'replies-rcpt'", "'rcpt-typo'", "55O 5.7.1 typo");
        }
        getMockEndpoint("mock:rcpt").assertIsSatisfied(200);
    }

    @Test
    void listOfLinesIsAMultiLineReply() throws Exception {
        getMockEndpoint("mock:data").expectedMessageCount(1);
        PeerProcess.Result r = smtplib(DATA_PORT);
        assertEquals(1, r.exitCode(), r.describe());
        // smtplib reads continuation lines only while the fourth character is '-' and the code is the same
        assertTrue(r.stdout().contains("REPLY 554 5.7.1 No | 5.7.1 See policy"), r.describe());
        assertTrue(r.stdout().contains("ERROR SMTPDataError (554, b'5.7.1 No\\n5.7.1 See policy')"), r.describe());
        getMockEndpoint("mock:data").assertIsSatisfied();
    }

    /** {@code count} ERROR events mention all of {@code parts}, and each is one line. */
    private static void assertErrorLines(int count, LogLines log, String... parts) {
        List<String> errors = log.events().stream().filter(e -> e.startsWith("ERROR "))
                .filter(e -> List.of(parts).stream().allMatch(e::contains)).toList();
        assertEquals(count, errors.size(), "ERROR events naming " + List.of(parts) + ": " + log.events());
        for (String line : errors) {
            assertEquals(line.length() - 1, line.indexOf('\n'), "one line: " + line);
            assertFalse(line.contains("\r"), line);
        }
    }
}

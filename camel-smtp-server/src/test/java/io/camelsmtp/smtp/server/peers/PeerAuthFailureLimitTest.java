package io.camelsmtp.smtp.server.peers;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import io.camelsmtp.smtp.server.auth.MapAuthenticator;
import io.camelsmtp.smtp.server.support.LogLines;
import io.camelsmtp.smtp.server.support.SmtpDialogue;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.spi.Registry;
import org.apache.camel.test.AvailablePortFinder;
import org.apache.camel.test.junit5.CamelTestSupport;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Failed AUTH is counted per client address across sessions, as Postfix's anvil does with
 * {@code smtpd_client_auth_rate_limit}: swaks guesses a password in one connection after another until the address
 * gets {@code 421 4.7.0} at connect, even with the right password, until the window has passed. The loopback
 * address is not exempt unless configured. A user name with CR LF in it stays one log line.
 */
class PeerAuthFailureLimitTest extends CamelTestSupport {

    private static final String BLOCKED = "421 4.7.0 Too many failed authentications from your address, try again later";
    private static final int DEFAULTS_PORT = AvailablePortFinder.getNextAvailable();
    private static final int WINDOW_PORT = AvailablePortFinder.getNextAvailable();
    private static final int EXEMPT_PORT = AvailablePortFinder.getNextAvailable();
    private static final Duration LIMIT = Duration.ofSeconds(30);

    private Path swaks;

    @BeforeEach
    void findSwaks() {
        swaks = PeerProcess.require("swaks", "swaks", "swaks", "/usr/bin/swaks");
    }

    @Override
    protected void bindToRegistry(Registry registry) throws Exception {
        registry.bind("users", new MapAuthenticator(Map.of("alice", "secret")));
    }

    @Override
    protected RoutesBuilder createRouteBuilder() {
        return new RouteBuilder() {
            @Override
            public void configure() {
                String auth = "?acceptedDomains=example.org&authenticator=#users&allowAuthWithoutTls=true"
                              + "&authFailureDelay=0";
                // the defaults: 10 failures per 5 minutes
                from("smtp-server:127.0.0.1:" + DEFAULTS_PORT + auth).routeId("auth-defaults").to("mock:defaults");
                from("smtp-server:127.0.0.1:" + WINDOW_PORT + auth + "&maxAuthFailuresPerIp=2&authFailureWindow=1500ms")
                        .routeId("auth-window").to("mock:window");
                from("smtp-server:127.0.0.1:" + EXEMPT_PORT + auth + "&maxAuthFailuresPerIp=2"
                     + "&authFailureLimitExemptNetworks=127.0.0.0/8")
                        .routeId("auth-exempt").to("mock:exempt");
            }
        };
    }

    private PeerProcess.Result swaks(int port, String user, String password) throws Exception {
        List<String> command = new ArrayList<>(List.of(swaks.toString(), "--server", "127.0.0.1", "--port",
                String.valueOf(port), "--helo", "client.test", "--from", "sender@client.test", "--to",
                "a@example.org", "--timeout", "20s", "--auth", "PLAIN", "--auth-user", user, "--auth-password", password,
                "--quit-after", "AUTH"));
        PeerProcess.Result r = PeerProcess.run(LIMIT, command);
        assertFalse(r.timedOut(), r.describe());
        return r;
    }

    private void failAuth(int port, int times) throws Exception {
        for (int i = 0; i < times; i++) {
            PeerProcess.Result r = swaks(port, "alice", "guess" + i);
            assertEquals(28, r.exitCode(), "swaks exit code for an AUTH failure, attempt " + (i + 1) + "\n" + r.describe());
            assertTrue(r.stdout().contains("<~  535 5.7.8 Authentication credentials invalid")
                       || r.stdout().contains("<** 535 5.7.8 Authentication credentials invalid"), r.describe());
        }
    }

    private static String greeting(int port) throws Exception {
        try (SmtpDialogue s = SmtpDialogue.open(port)) {
            return s.greeting();
        }
    }

    @Test
    void tenFailuresFromOneAddressGet421AtConnectEvenFromLoopback() throws Exception {
        failAuth(DEFAULTS_PORT, 10);
        PeerProcess.Result right = swaks(DEFAULTS_PORT, "alice", "secret");
        assertTrue(right.stdout().contains(BLOCKED), right.describe());
        assertFalse(right.stdout().contains("235 2.7.0"), right.describe());
        assertEquals(BLOCKED, greeting(DEFAULTS_PORT));
    }

    @Test
    void theAddressIsServedAgainOnceTheWindowHasPassed() throws Exception {
        failAuth(WINDOW_PORT, 2);
        assertEquals(BLOCKED, greeting(WINDOW_PORT));
        Thread.sleep(1700);
        PeerProcess.Result r = swaks(WINDOW_PORT, "alice", "secret");
        assertEquals(0, r.exitCode(), r.describe());
        assertTrue(r.stdout().contains("235 2.7.0 Authentication successful"), r.describe());
    }

    @Test
    void theLimitEndsTheSessionThatReachesIt() throws Exception {
        try (SmtpDialogue s = SmtpDialogue.open(WINDOW_PORT).ehlo("client.test")) {
            assertEquals("535 5.7.8 Authentication credentials invalid", s.cmd("AUTH PLAIN " + plain("alice", "one")));
            assertEquals("535 5.7.8 Authentication credentials invalid", s.cmd("AUTH PLAIN " + plain("alice", "two")));
            assertEquals(BLOCKED.replace("try again later", "closing connection"),
                    s.cmd("AUTH PLAIN " + plain("alice", "secret")));
            assertTrue(s.closedByServer());
        }
    }

    @Test
    void exemptNetworksAreNotLimited() throws Exception {
        failAuth(EXEMPT_PORT, 4);
        assertTrue(greeting(EXEMPT_PORT).startsWith("220 "));
    }

    @Test
    void aUserNameWithCrLfIsOneLogLine() throws Exception {
        try (LogLines log = LogLines.capture()) {
            PeerProcess.Result r = swaks(DEFAULTS_PORT, "mallory\r\nFAKE log line", "x");
            assertEquals(28, r.exitCode(), r.describe());
            List<String> lines = log.containing("mallory");
            assertEquals(1, lines.size(), log.events().toString());
            String line = lines.get(0);
            assertEquals(line.length() - 1, line.indexOf('\n'), "one line: " + line);
            assertFalse(line.contains("\r"), line);
            assertTrue(line.contains("mallory\\r\\nFAKE log line"), line);
        }
    }

    private static String plain(String user, String password) {
        return Base64.getEncoder().encodeToString(("\0" + user + "\0" + password).getBytes(StandardCharsets.UTF_8));
    }
}

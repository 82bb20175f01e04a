package io.camelsmtp.smtp.server;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.camelsmtp.smtp.server.peers.PeerProcess;
import io.camelsmtp.smtp.server.peers.PeerTls;
import io.camelsmtp.smtp.server.support.Messages;
import io.camelsmtp.smtp.server.support.SmtpDialogue;
import io.camelsmtp.smtp.server.support.TestTls;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.mock.MockEndpoint;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.main.Main;
import org.apache.camel.test.AvailablePortFinder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Component-level defaults: {@code camel.component.smtp-server.*} in a real application.properties loaded by Camel
 * Main (component-defaults/), and a component configured in Java. Every endpoint inherits them, an endpoint's own
 * options override them, and a client sees the result: the name in the greeting, SIZE in the EHLO reply, 552 for a
 * message over the limit, 554 for a recipient outside the accepted domains.
 */
class SmtpServerComponentDefaultsTest {

    private static final int INHERITS_PORT = AvailablePortFinder.getNextAvailable();
    private static final int OVERRIDES_PORT = AvailablePortFinder.getNextAvailable();
    private static final String TOO_BIG_2000 = "552 5.3.4 Message size exceeds fixed maximum message size of 2000 octets";

    private static Main main;

    @BeforeAll
    static void startMain() throws Exception {
        main = new Main();
        main.setPropertyPlaceholderLocations("classpath:component-defaults/application.properties");
        main.addInitialProperty("inherits.port", Integer.toString(INHERITS_PORT));
        main.addInitialProperty("overrides.port", Integer.toString(OVERRIDES_PORT));
        main.bind("tls", TestTls.serverParameters());
        main.start();
    }

    @AfterAll
    static void stopMain() {
        main.stop();
    }

    @Test
    void anEndpointInheritsTheComponentsDefaults() throws Exception {
        MockEndpoint inbox = main.getCamelContext().getEndpoint("mock:inherits", MockEndpoint.class);
        inbox.reset();
        inbox.expectedMessageCount(1);
        try (SmtpDialogue s = SmtpDialogue.open(INHERITS_PORT)) {
            assertEquals("220 mx.test ESMTP camel-smtp", s.greeting());
            String ehlo = s.cmd("EHLO client.test");
            assertTrue(ehlo.startsWith("250-mx.test"), ehlo);
            assertTrue(ehlo.contains("\n250-SIZE 2000\n"), ehlo);
            assertTrue(ehlo.lines().anyMatch(l -> l.substring(4).equals("STARTTLS")), "sslContextParameters=#bean:tls: " + ehlo);
            assertEquals(TOO_BIG_2000, s.cmd("MAIL FROM:<a@client.test> SIZE=2001"));
            assertEquals("250 2.1.0 Ok", s.cmd("MAIL FROM:<a@client.test>"));
            assertEquals("554 5.7.1 <x@elsewhere.test>: Relay access denied", s.cmd("RCPT TO:<x@elsewhere.test>"));
            assertEquals("250 2.1.5 Ok", s.cmd("RCPT TO:<bob@example.test>"));
            assertTrue(s.cmd("DATA").startsWith("354"));
            // announced without SIZE=: the limit is enforced while the message streams in
            assertEquals(TOO_BIG_2000, s.data(Messages.simple("big") + "x".repeat(70).concat("\r\n").repeat(40)));
            assertTrue(s.send("a@client.test", "bob@example.test", Messages.simple("small")).startsWith("250 2.0.0 Ok"));
        }
        inbox.assertIsSatisfied();
        SmtpServerConfiguration options = endpoint(main.getCamelContext(), "inherits").getConfiguration();
        assertEquals(45_000L, options.getIdleTimeout(), "a Duration in application.properties");
    }

    @Test
    void anEndpointOptionOverridesTheComponentsDefault() throws Exception {
        try (SmtpDialogue s = SmtpDialogue.open(OVERRIDES_PORT)) {
            assertEquals("220 mx.override.test ESMTP camel-smtp", s.greeting());
            String ehlo = s.cmd("EHLO client.test");
            assertTrue(ehlo.contains("\n250-SIZE 5000\n"), ehlo);
            assertEquals("250 2.1.0 Ok", s.cmd("MAIL FROM:<a@client.test> SIZE=3000"));
            // acceptedDomains is not overridden: still the component's
            assertEquals("554 5.7.1 <x@elsewhere.test>: Relay access denied", s.cmd("RCPT TO:<x@elsewhere.test>"));
        }
        // each endpoint has its own copy: the override reached neither the component nor the other endpoint
        SmtpServerComponent component = main.getCamelContext().getComponent("smtp-server", SmtpServerComponent.class);
        assertEquals("mx.test", component.getConfiguration().getHostName());
        assertEquals(2000, component.getConfiguration().getMaxMessageSize());
        assertEquals("mx.test", endpoint(main.getCamelContext(), "inherits").getConfiguration().getHostName());
    }

    /** Python's smtplib sees the defaults too: it sends SIZE= from our EHLO and gets 552; a foreign domain gets 554. */
    @Test
    void pythonSmtplibSeesTheDefaults() throws Exception {
        Path python = PeerProcess.require("python3", "python3", "/usr/bin/python3", "python3");
        Path script = PeerTls.resource("peers/smtplib_client.py");

        PeerProcess.Result tooBig = smtplib(python, script, "sized", "bob@example.test", "3000");
        assertEquals(1, tooBig.exitCode(), tooBig.describe());
        assertTrue(tooBig.stdout().contains("REPLY 220 mx.test ESMTP camel-smtp"), tooBig.describe());
        assertTrue(tooBig.stdout().contains(" | SIZE 2000 | "), tooBig.describe());
        assertTrue(tooBig.stdout().contains("ERROR SMTPSenderRefused (552, b'5.3.4 Message size exceeds fixed maximum"
                                            + " message size of 2000 octets'"), tooBig.describe());

        PeerProcess.Result relay = smtplib(python, script, "sized", "x@elsewhere.test", "500");
        assertEquals(1, relay.exitCode(), relay.describe());
        assertTrue(relay.stdout().contains("ERROR SMTPRecipientsRefused {'x@elsewhere.test': (554, b'5.7.1"
                                           + " <x@elsewhere.test>: Relay access denied')}"), relay.describe());

        MockEndpoint inbox = main.getCamelContext().getEndpoint("mock:inherits", MockEndpoint.class);
        inbox.reset();
        inbox.expectedMessageCount(1);
        PeerProcess.Result fits = smtplib(python, script, "sized", "bob@example.test", "1500");
        assertEquals(0, fits.exitCode(), fits.describe());
        assertTrue(fits.stdout().contains("RESULT refused={}"), fits.describe());
        inbox.assertIsSatisfied();
    }

    /** A component bean configured in Java: its endpoints inherit its configuration the same way. */
    @Test
    void componentConfiguredInJava() throws Exception {
        int port = AvailablePortFinder.getNextAvailable();
        SmtpServerComponent component = new SmtpServerComponent();
        component.getConfiguration().setHostName("mx.java.test");
        component.getConfiguration().setMaxMessageSize(4096);
        component.getConfiguration().setAcceptedDomains("example.test");
        try (CamelContext context = new DefaultCamelContext()) {
            context.addComponent("smtp-server", component);
            context.addRoutes(new RouteBuilder() {
                @Override
                public void configure() {
                    from("smtp-server:127.0.0.1:" + port).routeId("java").to("mock:java");
                }
            });
            context.start();
            try (SmtpDialogue s = SmtpDialogue.open(port)) {
                assertEquals("220 mx.java.test ESMTP camel-smtp", s.greeting());
                assertTrue(s.cmd("EHLO client.test").contains("\n250-SIZE 4096\n"));
                assertEquals("250 2.1.0 Ok", s.cmd("MAIL FROM:<a@client.test>"));
                assertEquals("554 5.7.1 <x@elsewhere.test>: Relay access denied", s.cmd("RCPT TO:<x@elsewhere.test>"));
            }
            SmtpServerConfiguration options = endpoint(context, "java").getConfiguration();
            assertFalse(options == component.getConfiguration(), "the endpoint works on a copy");
            assertNull(options.getSslContextParameters());
        }
    }

    /** The component as a bean in the YAML DSL, with its configuration's options as nested properties. */
    @Test
    void componentBeanInYaml() throws Exception {
        int port = AvailablePortFinder.getNextAvailable();
        Main yaml = new Main();
        yaml.configure().withRoutesIncludePattern("classpath:component-defaults/component-bean.camel.yaml");
        yaml.addInitialProperty("yaml.port", Integer.toString(port));
        yaml.start();
        try (SmtpDialogue s = SmtpDialogue.open(port)) {
            assertEquals("220 mx.yaml.test ESMTP camel-smtp", s.greeting());
            assertTrue(s.cmd("EHLO client.test").contains("\n250-SIZE 3000\n"));
            assertEquals("250 2.1.0 Ok", s.cmd("MAIL FROM:<a@client.test>"));
            assertEquals("554 5.7.1 <x@elsewhere.test>: Relay access denied", s.cmd("RCPT TO:<x@elsewhere.test>"));
        } finally {
            yaml.stop();
        }
    }

    private static PeerProcess.Result smtplib(Path python, Path script, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(python.toString(), script.toString(), args[0],
                "127.0.0.1", String.valueOf(INHERITS_PORT)));
        command.addAll(List.of(args).subList(1, args.length));
        PeerProcess.Result r = PeerProcess.run(Duration.ofSeconds(30), command, null,
                Map.of("PYTHONNOUSERSITE", "1", "PYTHONPATH", "", "PYTHONIOENCODING", "utf-8"));
        assertFalse(r.timedOut(), r.describe());
        return r;
    }

    private static SmtpServerEndpoint endpoint(CamelContext context, String routeId) {
        return (SmtpServerEndpoint) context.getRoute(routeId).getEndpoint();
    }
}

package io.camelsmtp.smtp.relay;

import java.util.ArrayList;
import java.util.List;

import io.camelsmtp.smtp.relay.testbed.Testbed;
import io.camelsmtp.smtp.relay.testbed.TestbedExtension;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.main.Main;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Component-level defaults from a real {@code application.properties} (test resources {@code component-defaults/}),
 * loaded by Camel Main: {@code camel.component.smtp-relay.dns-servers}, {@code helo-name},
 * {@code allow-private-addresses} and the time-outs reach endpoints whose URIs say nothing, and an endpoint's URI
 * option overrides one. What smtp-sink (mx1.multi.test, 127.0.0.2) dumped shows it: the message arrived, so the MX
 * look-up went to the test bed's dnsmasq and the loopback MX was allowed, and its {@code X-Helo-Args} is the name the
 * relay said EHLO with.
 */
@ExtendWith(TestbedExtension.class)
class SmtpRelayComponentDefaultsTest {

    private static Testbed testbed;

    private Main main;
    private ProducerTemplate template;

    @BeforeAll
    static void useTestbed(Testbed tb) {
        testbed = tb;
    }

    @BeforeEach
    void startMain() throws Exception {
        main = new Main();
        main.setPropertyPlaceholderLocations("classpath:component-defaults/application.properties");
        main.start();
        template = main.getCamelContext().createProducerTemplate();
    }

    @AfterEach
    void stopMain() throws Exception {
        if (template != null) {
            template.close();
        }
        main.stop();
    }

    @Test
    void anEndpointWithoutOptionsUsesTheComponentsHeloNameAndDnsServers() throws Exception {
        String to = "inherits-" + System.nanoTime() + "@multi.test";
        Exchange e = send("direct:inherits", to);
        assertNull(e.getException(), () -> "not delivered: " + e.getException());

        List<String> dumped = testbed.dumpedEventually("mx1", to, 1);
        assertEquals(1, dumped.size(), "smtp-sink on mx1.multi.test got it through dnsmasq's MX answer");
        assertTrue(dumped.get(0).contains("X-Helo-Args: relay.test\n"), dumped.get(0));

        SmtpRelayEndpoint endpoint = relayEndpoint("smtp-relay:mx");
        assertEquals(Testbed.DNS_SERVER, endpoint.getConfiguration().getDnsServers());
        assertEquals(1000, endpoint.getConfiguration().getConnectTimeout());
        assertEquals(2000, endpoint.getConfiguration().getCommandTimeout());
    }

    @Test
    void anEndpointOptionOverridesTheComponentDefault() throws Exception {
        String to = "overrides-" + System.nanoTime() + "@multi.test";
        Exchange e = send("direct:overrides", to);
        assertNull(e.getException(), () -> "not delivered: " + e.getException());

        List<String> dumped = testbed.dumpedEventually("mx1", to, 1);
        assertEquals(1, dumped.size(), "still resolved through the inherited dnsServers");
        assertTrue(dumped.get(0).contains("X-Helo-Args: override.test\n"), dumped.get(0));

        // the override lives in the endpoint's copy: the component's default and the other endpoint keep theirs
        SmtpRelayComponent component = main.getCamelContext().getComponent("smtp-relay", SmtpRelayComponent.class);
        assertEquals("relay.test", component.getConfiguration().getHeloName());
        assertEquals("relay.test", relayEndpoint("smtp-relay:mx").getConfiguration().getHeloName());
        assertEquals("override.test", relayEndpoint("smtp-relay:mx?heloName=override.test").getConfiguration().getHeloName());
    }

    private Exchange send(String route, String to) {
        return template.send(route, x -> {
            x.getMessage().setHeader(SmtpRelayConstants.ENVELOPE_FROM, "sender@origin.test");
            x.getMessage().setHeader(SmtpRelayConstants.ENVELOPE_TO, new ArrayList<>(List.of(to)));
            x.getMessage().setBody("From: <sender@origin.test>\r\nTo: <" + to + ">\r\nSubject: component defaults\r\n\r\n"
                                   + "sent with the component's defaults\r\n");
        });
    }

    /** The route's endpoint: the context keeps one per URI, so this is the one the route sends to. */
    private SmtpRelayEndpoint relayEndpoint(String uri) {
        return main.getCamelContext().getEndpoint(uri, SmtpRelayEndpoint.class);
    }
}

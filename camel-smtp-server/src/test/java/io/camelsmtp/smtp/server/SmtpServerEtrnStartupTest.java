package io.camelsmtp.smtp.server;

import io.camelsmtp.smtp.server.support.SmtpDialogue;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.test.AvailablePortFinder;
import org.apache.camel.test.junit5.CamelTestSupport;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * ETRN's options as the listener checks them at start: etrnQueue must name something that can flush a domain (an
 * smtp-queue endpoint; this module has none, so every queue here is wrong) and needs an etrnPolicy; without etrnQueue
 * ETRN is neither advertised nor accepted. The ETRN dialogue itself, with a real queue, is smtp-queue's QueueEtrnTest.
 */
class SmtpServerEtrnStartupTest extends CamelTestSupport {

    private final int port = AvailablePortFinder.getNextAvailable();

    @Override
    protected RoutesBuilder createRouteBuilder() {
        return new RouteBuilder() {
            @Override
            public void configure() {
                from("smtp-server:127.0.0.1:" + port + "?acceptedDomains=*").routeId("plain").to("mock:inbox");
                from("direct:etrn-policy").log("etrn");
            }
        };
    }

    @Test
    void withoutEtrnQueueEtrnIsNotAdvertisedAndGets502() throws Exception {
        try (SmtpDialogue s = SmtpDialogue.open(port)) {
            String ehlo = s.cmd("EHLO client.test");
            assertFalse(ehlo.contains("ETRN"), ehlo);
            assertEquals("502 5.5.1 Error: ETRN not supported", s.cmd("ETRN example.test"));
        }
    }

    @Test
    void etrnQueueWithoutEtrnPolicyFailsTheStart() {
        String why = startFailure("smtp-server:127.0.0.1:0?acceptedDomains=*&etrnQueue=mock:queue");
        assertTrue(why.contains("smtp-server option etrnQueue=mock:queue needs etrnPolicy"), why);
    }

    @Test
    void etrnQueueThatIsNoQueueFailsTheStart() {
        String why = startFailure("smtp-server:127.0.0.1:0?acceptedDomains=*&etrnQueue=mock:queue"
                                  + "&etrnPolicy=direct:etrn-policy");
        assertTrue(why.contains("smtp-server option etrnQueue=mock:queue names a MockEndpoint, which cannot start "
                                + "delivery for a domain; name a queue, e.g. smtp-queue:outbound"), why);
    }

    @Test
    void etrnQueueThatDoesNotResolveFailsTheStart() {
        String why = startFailure("smtp-server:127.0.0.1:0?acceptedDomains=*&etrnQueue=nosuchscheme:outbound"
                                  + "&etrnPolicy=direct:etrn-policy");
        assertTrue(why.contains("smtp-server option etrnQueue=nosuchscheme:outbound does not resolve to an endpoint"), why);
    }

    /** Adds a route from {@code uri}; returns the messages of the start failure, causes included. */
    private String startFailure(String uri) {
        Exception e = assertThrows(Exception.class, () -> context.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from(uri).routeId("etrn").to("mock:never");
            }
        }));
        StringBuilder messages = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            messages.append(t.getMessage()).append(" | ");
        }
        return messages.toString();
    }
}

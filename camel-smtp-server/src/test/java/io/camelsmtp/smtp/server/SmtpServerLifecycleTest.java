package io.camelsmtp.smtp.server;

import java.io.IOException;
import java.net.ConnectException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.camelsmtp.smtp.server.support.Messages;
import io.camelsmtp.smtp.server.support.SmtpDialogue;
import org.apache.camel.Consumer;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.test.AvailablePortFinder;
import org.apache.camel.test.junit5.CamelTestSupport;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The listener follows its route: start, stop with a graceful drain, suspend, resume, restart. */
class SmtpServerLifecycleTest extends CamelTestSupport {

    private final int port = AvailablePortFinder.getNextAvailable();

    @Override
    protected RoutesBuilder createRouteBuilder() {
        return new RouteBuilder() {
            @Override
            public void configure() {
                from("smtp-server:127.0.0.1:" + port + "?acceptedDomains=*&shutdownGracePeriod=5s").routeId("smtp")
                        .filter(header("CamelSmtpEnvelopeFrom").isEqualTo("slow@client.test"))
                            .delay(1500)
                        .end()
                        .to("mock:inbox");
            }
        };
    }

    @Test
    void stopDrainsSessionsInsideDataAndClosesIdleOnes() throws Exception {
        getMockEndpoint("mock:inbox").expectedMessageCount(1);
        try (SmtpDialogue busy = SmtpDialogue.open(port).ehlo("client.test");
             SmtpDialogue idle = SmtpDialogue.open(port).ehlo("client.test")) {
            busy.cmd("MAIL FROM:<slow@client.test>");
            busy.cmd("RCPT TO:<b@example.org>");
            busy.cmd("DATA");
            CompletableFuture<String> reply = CompletableFuture.supplyAsync(() -> {
                try {
                    return busy.data(Messages.simple("drain"));
                } catch (IOException e) {
                    return e.toString();
                }
            });
            Thread.sleep(300);
            CompletableFuture<Void> stop = CompletableFuture.runAsync(() -> {
                try {
                    context.getRouteController().stopRoute("smtp");
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            assertEquals("421 4.3.2 Service shutting down, closing connection", idle.reply(),
                    "an idle session is told at once");
            Thread.sleep(200);
            assertThrows(ConnectException.class, () -> SmtpDialogue.open(port), "no new connections while draining");
            assertTrue(reply.get(5, TimeUnit.SECONDS).startsWith("250 2.0.0 Ok: queued as"), "DATA in progress finishes");
            stop.get(10, TimeUnit.SECONDS);
        }
        getMockEndpoint("mock:inbox").assertIsSatisfied();
    }

    @Test
    void stopBeforeInitIsQuiet() throws Exception {
        // a context whose start fails (another component refuses its options) stops consumers it never initialized;
        // that stop must not throw over the real failure
        Consumer never = context.getEndpoint("smtp-server:127.0.0.1:0?acceptedDomains=*")
                .createConsumer(exchange -> { });
        assertDoesNotThrow(never::stop);
    }

    @Test
    void suspendAndResume() throws Exception {
        context.getRouteController().suspendRoute("smtp");
        assertThrows(ConnectException.class, () -> SmtpDialogue.open(port));
        context.getRouteController().resumeRoute("smtp");
        try (SmtpDialogue s = SmtpDialogue.open(port).ehlo("client.test")) {
            assertTrue(s.send("a@client.test", "b@example.org", Messages.simple("resumed")).startsWith("250 "));
        }
    }

    @Test
    void restartsMoreThanOnce() throws Exception {
        for (int i = 0; i < 3; i++) {
            context.getRouteController().stopRoute("smtp");
            context.getRouteController().startRoute("smtp");
            try (SmtpDialogue s = SmtpDialogue.open(port)) {
                assertEquals("250 2.0.0 Ok", s.cmd("NOOP"));
            }
        }
    }

    @Test
    void portInUseFailsTheRouteWithAClearMessage() throws Exception {
        Exception e = assertThrows(Exception.class, () -> context.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("smtp-server:127.0.0.1:" + port).routeId("second").to("mock:never");
            }
        }));
        Throwable t = e;
        StringBuilder messages = new StringBuilder();
        while (t != null) {
            messages.append(t.getMessage()).append(" | ");
            t = t.getCause();
        }
        assertTrue(messages.toString().contains("smtp-server cannot listen on 127.0.0.1:" + port), messages.toString());
    }
}

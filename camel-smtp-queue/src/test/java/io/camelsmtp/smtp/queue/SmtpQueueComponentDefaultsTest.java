package io.camelsmtp.smtp.queue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;

import io.camelsmtp.smtp.common.SmtpReply;
import io.camelsmtp.smtp.common.SmtpReplyException;
import io.camelsmtp.smtp.relay.testbed.Swaks;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.main.Main;
import org.apache.camel.test.AvailablePortFinder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Component-level defaults: {@code camel.component.smtp-queue.*} in a Camel Main application.properties reach every
 * smtp-queue endpoint, and an endpoint's URI option overrides one. Mail comes in from swaks through a real listener;
 * a short retry (the inherited minBackoff, where the default would wait five minutes) and the Reporting-MTA of a
 * bounce show the defaults at work.
 */
class SmtpQueueComponentDefaultsTest {

    @TempDir
    Path root;

    private final List<DeliveryEvent> events = new CopyOnWriteArrayList<>();
    private final List<String> notifications = new CopyOnWriteArrayList<>();
    private final Set<String> deferredOnce = ConcurrentHashMap.newKeySet();

    @Test
    void applicationPropertiesSetTheDefaultsOfEveryEndpoint() throws Exception {
        int port = AvailablePortFinder.getNextAvailable();
        Main main = new Main();
        main.setDefaultPropertyPlaceholderLocation("classpath:queue-defaults/application.properties");
        main.addInitialProperty("spool.root", root.toString());
        main.addInitialProperty("smtp.port", Integer.toString(port));
        main.configure().addRoutesBuilder(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:events").process(e -> events.add(e.getMessage().getBody(DeliveryEvent.class)));
                from("direct:deliver").process(e -> {
                    if ("dsn".equals(e.getMessage().getHeader(SmtpQueueConstants.KIND))) {
                        notifications.add(e.getMessage().getBody(String.class));
                        return;
                    }
                    List<?> to = e.getMessage().getHeader(SmtpQueueConstants.ENVELOPE_TO, List.class);
                    String rcpt = to.get(0).toString();
                    if (rcpt.startsWith("nobody")) {
                        throw new SmtpReplyException(SmtpReply.of(550, "5.1.1", "No such user"));
                    }
                    if (rcpt.startsWith("later") && deferredOnce.add(rcpt)) {
                        throw new SmtpReplyException(SmtpReply.of(451, "4.3.0", "Try again"));
                    }
                });
            }
        });
        main.start();
        try {
            CamelContext context = main.getCamelContext();
            SmtpQueueEndpoint delivery = (SmtpQueueEndpoint) context.getRoute("delivery").getEndpoint();
            assertEquals(1, delivery.getConfiguration().getConcurrency(), "the URI option overrides the default");
            assertEquals(200, delivery.getConfiguration().getMinBackoff());
            assertEquals("defaults.test", delivery.getConfiguration().getReportingMta());
            assertTrue(Files.exists(root.resolve("defaults").resolve("lock")), "the spool is under spool-root/NAME");

            swaks(port, "later@example.test");
            await("the deferred recipient delivered by the second attempt, 200 ms later",
                    () -> events.stream().anyMatch(e -> e.type().equals("delivered") && e.recipient().equals("later@example.test")));
            assertEquals(1, events.stream().filter(e -> e.type().equals("deferred")).count(), events.toString());

            swaks(port, "nobody@example.test");
            await("the bounce delivered through the route", () -> !notifications.isEmpty());
            assertTrue(notifications.get(0).contains("Reporting-MTA: dns; defaults.test"), notifications.get(0));
        } finally {
            main.stop();
        }
    }

    @Test
    void aComponentConfiguredInJavaIsInheritedAndOverridden() throws Exception {
        SmtpQueueComponent component = new SmtpQueueComponent();
        component.setSpoolRoot(root.toString());
        component.getConfiguration().setMaxPerDomain(2);
        component.getConfiguration().setPostmaster("postmaster@defaults.test");
        try (CamelContext context = new DefaultCamelContext()) {
            context.addComponent("smtp-queue", component);
            context.start();
            SmtpQueueEndpoint inherits = context.getEndpoint("smtp-queue:a", SmtpQueueEndpoint.class);
            SmtpQueueEndpoint overrides = context.getEndpoint("smtp-queue:b?maxPerDomain=7", SmtpQueueEndpoint.class);
            assertEquals(2, inherits.getConfiguration().getMaxPerDomain());
            assertEquals(7, overrides.getConfiguration().getMaxPerDomain());
            assertEquals(2, component.getConfiguration().getMaxPerDomain(), "an endpoint changes its own copy only");
            assertEquals("postmaster@defaults.test", overrides.getConfiguration().getPostmaster());
        }
    }

    private static void swaks(int port, String to) throws Exception {
        Swaks.accepted(port, "alice@origin.test", to);
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long end = System.currentTimeMillis() + 15_000;
        while (!condition.getAsBoolean()) {
            if (System.currentTimeMillis() > end) {
                fail("timed out waiting for: " + what);
            }
            Thread.sleep(50);
        }
    }
}

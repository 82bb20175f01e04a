package io.camelsmtp.smtp.queue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.camelsmtp.smtp.common.SmtpReply;
import io.camelsmtp.smtp.common.SmtpReplyException;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.test.junit5.CamelTestSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The queue's meters in a MeterRegistry found in the Camel registry: they move as mail is queued and delivered. */
class QueueMetricsTest extends CamelTestSupport {

    @TempDir
    Path spool;

    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

    @Override
    protected CamelContext createCamelContext() throws Exception {
        CamelContext ctx = super.createCamelContext();
        ctx.getRegistry().bind("meters", MeterRegistry.class, meters);
        return ctx;
    }

    @Override
    protected RouteBuilder createRouteBuilder() {
        return new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:in").to("smtp-queue:m?spoolDirectory=" + spool);
                from("smtp-queue:m?spoolDirectory=" + spool + "&minBackoff=60s").routeId("deliver").process(e -> {
                    if (e.getMessage().getHeader(SmtpQueueConstants.ENVELOPE_TO, List.class).toString().contains("later")) {
                        throw new SmtpReplyException(SmtpReply.of(451, "4.4.1", "No answer from host"));
                    }
                });
            }
        };
    }

    @Test
    void countersMoveWithTheMail() throws Exception {
        send("now@example.net", "also@example.net");
        send("later@example.net");
        await(() -> counter("smtp.queue.deliveries", "delivered") == 2 && counter("smtp.queue.deliveries", "deferred") == 1);
        assertEquals(2, meters.get("smtp.queue.queued").tag("queue", "m").functionCounter().count());
        assertEquals(3, meters.get("smtp.queue.queued.recipients").counter().count());
        assertEquals(2, meters.get("smtp.queue.attempts").counter().count(), "one attempt per message");
        assertEquals(1, meters.get("smtp.queue.messages").gauge().value(), "the deferred one waits");
        assertEquals(1, meters.get("smtp.queue.recipients").gauge().value());
        assertEquals(0, meters.get("smtp.queue.held").gauge().value());
        assertEquals(2, meters.get("smtp.queue.delivery.delay").tag("outcome", "delivered").timer().count());
        assertEquals(2, meters.get("smtp.queue.spool.writes").functionCounter().count());
        long syncs = meters.get("smtp.queue.sync").timer().count();
        assertTrue(syncs >= 1 && syncs <= 2, "a sync per group commit: " + syncs);
        assertEquals(2, meters.get("smtp.queue.sync.messages").summary().totalAmount(), "every message in some sync");
        assertTrue(meters.get("smtp.queue.sync").timer().totalTime(TimeUnit.NANOSECONDS) > 0);

        context.stop();
        assertNull(meters.find("smtp.queue.messages").gauge(), "a closed queue's meters are removed");
    }

    private void send(String... to) {
        template.sendBodyAndHeaders("direct:in", "Subject: x\r\n\r\nhi\r\n",
                Map.of("CamelSmtpEnvelopeFrom", "a@example.org", "CamelSmtpEnvelopeTo", new java.util.ArrayList<>(List.of(to))));
    }

    private double counter(String name, String outcome) {
        var c = meters.find(name).tag("outcome", outcome).functionCounter();
        return c == null ? -1 : c.count();
    }

    private void await(java.util.function.BooleanSupplier done) throws InterruptedException {
        long end = System.currentTimeMillis() + 10_000;
        while (!done.getAsBoolean() && System.currentTimeMillis() < end) {
            Thread.sleep(20);
        }
        assertTrue(done.getAsBoolean(), () -> "counters did not move in time: " + meters.getMetersAsString());
    }
}

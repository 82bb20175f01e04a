package io.camelsmtp.smtp.queue;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;

import javax.management.MBeanServer;
import javax.management.ObjectName;

import io.camelsmtp.smtp.common.SmtpReply;
import io.camelsmtp.smtp.common.SmtpReplyException;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.health.HealthCheck;
import org.apache.camel.health.HealthCheckHelper;
import org.apache.camel.health.HealthCheckRegistry;
import org.apache.camel.impl.health.DefaultHealthCheckRegistry;
import org.apache.camel.test.junit5.CamelTestSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The queue as operators see it: its JMX operations and attributes, and its readiness in Camel's health checks. */
class QueueManagementTest extends CamelTestSupport {

    @TempDir
    Path spool;

    @Override
    protected boolean useJmx() {
        return true;
    }

    @Override
    protected CamelContext createCamelContext() throws Exception {
        CamelContext ctx = super.createCamelContext();
        ctx.getCamelContextExtension().addContextPlugin(HealthCheckRegistry.class, new DefaultHealthCheckRegistry(ctx));
        return ctx;
    }

    @Override
    protected RouteBuilder createRouteBuilder() {
        return new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:in").to("smtp-queue:ops?spoolDirectory=" + spool);
                from("smtp-queue:ops?spoolDirectory=" + spool + "&minBackoff=60s").routeId("deliver")
                        .throwException(new SmtpReplyException(SmtpReply.of(451, "4.4.1", "No answer from host")));
            }
        };
    }

    @Test
    void jmxListsFlushesHoldsReleasesAndDeletes() throws Exception {
        template.sendBodyAndHeaders("direct:in", "Subject: x\r\n\r\nhi\r\n",
                java.util.Map.of("CamelSmtpEnvelopeFrom", "a@example.org", "CamelSmtpEnvelopeTo", new ArrayList<>(List.of("b@example.net"))));
        MBeanServer mbs = ManagementFactory.getPlatformMBeanServer();
        Set<ObjectName> names = mbs.queryNames(new ObjectName("org.apache.camel:context=" + context.getManagementName()
                                                              + ",type=consumers,*"), null);
        ObjectName queue = names.stream().filter(n -> n.toString().contains("SmtpQueueConsumer")).findFirst().orElseThrow(
                () -> new AssertionError("no SmtpQueueConsumer MBean among " + names));
        long end = System.currentTimeMillis() + 10_000;
        while ((Long) mbs.getAttribute(queue, "DeferredTotal") < 1 && System.currentTimeMillis() < end) {
            Thread.sleep(20);
        }
        assertEquals(1, mbs.getAttribute(queue, "QueueSize"));
        assertEquals(1.0, mbs.getAttribute(queue, "MessagesPerSync"), "one message, one sync");
        String mailq = (String) mbs.invoke(queue, "mailq", null, null);
        assertTrue(mailq.contains("b@example.net") && mailq.contains("(451 4.4.1 No answer from host)"), mailq);
        String id = mailq.lines().skip(1).findFirst().orElseThrow().split("\\s+")[0];
        assertEquals(true, mbs.invoke(queue, "hold", new Object[] { id }, new String[] { "java.lang.String" }));
        assertEquals(1, mbs.getAttribute(queue, "HeldCount"));
        assertEquals(0, mbs.invoke(queue, "flush", null, null));
        assertEquals(true, mbs.invoke(queue, "release", new Object[] { id }, new String[] { "java.lang.String" }));
        assertEquals(true, mbs.invoke(queue, "delete", new Object[] { id }, new String[] { "java.lang.String" }));
        end = System.currentTimeMillis() + 10_000;
        while ((Integer) mbs.getAttribute(queue, "QueueSize") > 0 && System.currentTimeMillis() < end) {
            Thread.sleep(20);
        }
        assertEquals(0, mbs.getAttribute(queue, "QueueSize"));
        assertEquals("Mail queue is empty\n", mbs.invoke(queue, "mailq", null, null));
    }

    @Test
    void theQueueReportsItsReadiness() {
        Collection<HealthCheck.Result> results = HealthCheckHelper.invokeReadiness(context);
        HealthCheck.Result mine = results.stream()
                .filter(r -> r.getCheck().getId().equals("smtp-queue-ops"))
                .findFirst().orElseThrow(() -> new AssertionError("no queue check among "
                                                                  + results.stream().map(r -> r.getCheck().getId()).toList()));
        assertEquals(HealthCheck.State.UP, mine.getState());
        assertEquals(0, mine.getDetails().get("queue.size"));
    }
}

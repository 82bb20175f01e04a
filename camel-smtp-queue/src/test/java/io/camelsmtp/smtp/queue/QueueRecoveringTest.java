package io.camelsmtp.smtp.queue;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;

import io.camelsmtp.smtp.queue.spool.BacklogWriter;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.mock.MockEndpoint;
import org.apache.camel.health.HealthCheck;
import org.apache.camel.health.HealthCheckHelper;
import org.apache.camel.health.HealthCheckRegistry;
import org.apache.camel.impl.health.DefaultHealthCheckRegistry;
import org.apache.camel.spi.ThreadPoolProfile;
import org.apache.camel.support.DefaultThreadPoolFactory;
import org.apache.camel.test.junit5.CamelTestSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The queue while it has not read its backlog yet: the reading thread (from Camel's executor service manager) is
 * held back until the test lets it go, so what is observed is exactly "started, nothing read". New mail is stored and
 * delivered; readiness is UP and says {@code recovering 0 so far}; mailq says so; delete, hold and release of an id
 * not read yet fail with a message saying why, and change nothing. Once the reading runs, the backlog is all there.
 */
class QueueRecoveringTest extends CamelTestSupport {

    private static final int BACKLOG = 300;

    @TempDir
    Path tmp;

    private final CountDownLatch letItRead = new CountDownLatch(1);

    @AfterEach
    void release() {
        letItRead.countDown();
    }

    @Override
    protected CamelContext createCamelContext() throws Exception {
        CamelContext ctx = super.createCamelContext();
        ctx.getCamelContextExtension().addContextPlugin(HealthCheckRegistry.class, new DefaultHealthCheckRegistry(ctx));
        ctx.getExecutorServiceManager().setThreadPoolFactory(new DefaultThreadPoolFactory() {
            @Override
            public ExecutorService newThreadPool(ThreadPoolProfile profile, ThreadFactory factory) {
                return super.newThreadPool(profile, r -> {
                    Thread t = factory.newThread(r);
                    if (!t.getName().contains("-recovery")) {
                        return t;
                    }
                    return factory.newThread(() -> {
                        try {
                            letItRead.await(30, TimeUnit.SECONDS);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                        r.run();
                    });
                });
            }
        });
        return ctx;
    }

    @Override
    protected boolean useJmx() {
        return false;
    }

    @Test
    void newMailIsTakenAndOperationsOnUnreadIdsAnswerClearly() throws Exception {
        Path spool = tmp.resolve("spool");
        List<String> backlog = BacklogWriter.write(spool, BACKLOG, 1000, 3_600_000, "later.test");
        context.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:in").to("smtp-queue:q?spoolDirectory=" + spool);
                from("smtp-queue:q?spoolDirectory=" + spool).to("mock:out");
            }
        });
        MailQueue q = context.getComponent("smtp-queue", SmtpQueueComponent.class).getQueue("q");
        assertTrue(q.recovering(), "the reading is held back");
        assertEquals(0, q.size());

        MockEndpoint out = getMockEndpoint("mock:out");
        out.expectedMessageCount(1);
        Exchange sent = template.request("direct:in", e -> {
            e.getMessage().setHeader(SmtpQueueConstants.ENVELOPE_FROM, "new@client.test");
            e.getMessage().setHeader(SmtpQueueConstants.ENVELOPE_TO, List.of("rcpt@now.test"));
            e.getMessage().setBody("Subject: new\r\n\r\nwhile the backlog waits\r\n");
        });
        assertFalse(sent.isFailed(), () -> String.valueOf(sent.getException()));
        out.assertIsSatisfied(10_000);

        HealthCheck.Result ready = readiness();
        assertEquals(HealthCheck.State.UP, ready.getState(), "storing works: ready");
        assertEquals("recovering 0 so far", ready.getMessage().orElse(""));
        assertEquals(Boolean.TRUE, ready.getDetails().get("queue.recovering"));
        assertTrue(QueueListing.format(q).contains("-- recovering: 0 waiting message(s) read"), QueueListing.format(q));

        String unread = backlog.get(7);
        for (String op : List.of("delete", "hold", "release")) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> {
                switch (op) {
                    case "delete" -> q.delete(unread);
                    case "hold" -> q.hold(unread);
                    default -> q.release(unread);
                }
            }, op);
            assertTrue(e.getMessage().contains("has not come to " + unread + " yet"), e.getMessage());
        }

        letItRead.countDown();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (q.recovering() && System.nanoTime() < end) {
            Thread.sleep(20);
        }
        assertFalse(q.recovering());
        assertEquals(BACKLOG, q.recoveredCount());
        assertEquals(BACKLOG, q.size(), "the backlog, untouched by the refused operations; the new message delivered");
        assertEquals("waiting", q.get(unread).status());
        assertEquals(HealthCheck.State.UP, readiness().getState());
        assertTrue(readiness().getMessage().isEmpty(), String.valueOf(readiness().getMessage()));
        assertTrue(q.delete(unread), "now it is known");
        assertEquals(BACKLOG - 1, q.size());
    }

    private HealthCheck.Result readiness() {
        return HealthCheckHelper.invokeReadiness(context, "full").stream()
                .filter(r -> r.getCheck().getId().equals("smtp-queue-q")).findFirst()
                .orElseThrow(() -> new AssertionError("no readiness check smtp-queue-q"));
    }
}

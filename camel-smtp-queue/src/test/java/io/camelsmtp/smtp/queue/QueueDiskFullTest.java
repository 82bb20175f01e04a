package io.camelsmtp.smtp.queue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import io.camelsmtp.smtp.common.SmtpReply;
import io.camelsmtp.smtp.common.SmtpReplyException;
import io.camelsmtp.smtp.queue.spool.Spool;
import io.camelsmtp.smtp.queue.spool.SpoolEntry;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.health.HealthCheck;
import org.apache.camel.health.HealthCheckHelper;
import org.apache.camel.health.HealthCheckRegistry;
import org.apache.camel.impl.health.DefaultHealthCheckRegistry;
import org.apache.camel.test.AvailablePortFinder;
import org.apache.camel.test.junit5.CamelTestSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A full disk for real: the spool lives on a 1 MiB tmpfs (mounting needs root, as in CI; without it the test is
 * skipped with a message). Python's smtplib sends 200 KB messages until the disk is full: each one either gets
 * {@code 250} and is in the spool, or gets {@code 452 4.3.1} and leaves nothing behind; the session stays usable.
 */
class QueueDiskFullTest extends CamelTestSupport {

    @TempDir
    Path tmp;

    private Path mount;
    private final int port = AvailablePortFinder.getNextAvailable();

    @BeforeEach
    void mountTinyDisk() throws Exception {
        mount = tmp.resolve("disk");
        Files.createDirectories(mount);
        Process p = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", mount.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        boolean mounted = p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
        assumeTrue(mounted, "SKIPPED: cannot mount a tmpfs to fill (needs root; CI runs as root): " + out);
    }

    @Override
    protected CamelContext createCamelContext() throws Exception {
        CamelContext ctx = super.createCamelContext();
        ctx.getCamelContextExtension().addContextPlugin(HealthCheckRegistry.class, new DefaultHealthCheckRegistry(ctx));
        return ctx;
    }

    @AfterEach
    void unmount() throws Exception {
        if (mount != null) {
            context.stop();
            new ProcessBuilder("umount", "-l", mount.toString()).start().waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void aFullDiskAnswers452AndKeepsWhatWasAcknowledged() throws Exception {
        context.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("smtp-server:127.0.0.1:" + port + "?acceptedDomains=*").to("smtp-queue:full?spoolDirectory=" + mount.resolve("spool"));
            }
        });
        String script = "import smtplib\n"
                        + "s = smtplib.SMTP('127.0.0.1', " + port + ", timeout=20)\n"
                        + "body = 'Subject: big\\r\\n\\r\\n' + ('x' * 998 + '\\r\\n') * 200\n"
                        + "for i in range(12):\n"
                        + "    try:\n"
                        + "        s.sendmail('a@example.org', ['b@example.net'], body)\n"
                        + "        print('ok', i)\n"
                        + "    except smtplib.SMTPDataError as e:\n"
                        + "        print('refused', i, e.smtp_code, e.smtp_error.decode())\n"
                        + "        print('after', s.rset()[0], s.noop()[0])\n"
                        + "print('quit', s.quit()[0])\n";
        Process p = new ProcessBuilder("python3", "-c", script).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), out);
        assertEquals(0, p.exitValue(), out);
        List<String> lines = out.lines().toList();
        long ok = lines.stream().filter(l -> l.startsWith("ok ")).count();
        assertTrue(ok >= 2 && ok < 12, "some fit, some not:\n" + out);
        assertTrue(out.contains("452 4.3.1 Insufficient system storage, try again later"), out);
        assertTrue(out.contains("after 250 250"), "the session stays usable after a 452:\n" + out);
        assertTrue(out.contains("quit 221"), out);
        HealthCheck.Result health = HealthCheckHelper.invokeReadiness(context).stream()
                .filter(r -> r.getCheck().getId().equals("smtp-queue-full")).findFirst().orElseThrow();
        assertEquals(HealthCheck.State.DOWN, health.getState(), "not ready while it cannot store");
        assertTrue(health.getMessage().orElse("").contains("cannot store"), health.getMessage().orElse(""));

        context.stop();
        Spool spool = new Spool(mount.resolve("spool"), 64 << 20);
        try {
            List<SpoolEntry> kept = spool.open();
            assertEquals(ok, kept.size(), "exactly the acknowledged messages are in the spool:\n" + out);
        } finally {
            spool.close();
        }
    }

    @Test
    void aBounceThatDoesNotFitOnAFullDiskIsNotLostAndIsSentOnceThereIsRoom() throws Exception {
        Path dir = mount.resolve("spool");
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch proceed = new CountDownLatch(1);
        List<String> bounces = new CopyOnWriteArrayList<>();
        List<String> bounced = new CopyOnWriteArrayList<>();
        context.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:in").to("smtp-queue:full?spoolDirectory=" + dir);
                from("direct:events").filter(simple("${header.CamelSmtpEventType} == 'bounced'"))
                        .process(e -> bounced.add(e.getMessage().getHeader("CamelSmtpEventRecipient", String.class)));
                from("smtp-queue:full?spoolDirectory=" + dir + "&minBackoff=150&maxBackoff=300&eventsUri=direct:events")
                        .process(e -> {
                            List<?> to = e.getMessage().getHeader(SmtpQueueConstants.ENVELOPE_TO, List.class);
                            if (to.contains("perm@example.net")) {
                                entered.countDown();
                                assertTrue(proceed.await(20, TimeUnit.SECONDS));
                                throw new SmtpReplyException(SmtpReply.of(550, "5.1.1", "No such user"));
                            }
                            bounces.add(e.getMessage().getBody(String.class));
                        });
            }
        });
        String body = "Subject: returned in full\r\n\r\n" + ("y".repeat(998) + "\r\n").repeat(8);
        Exchange sent = template.send("direct:in", e -> {
            e.getMessage().setHeader(SmtpQueueConstants.ENVELOPE_FROM, "alice@example.org");
            e.getMessage().setHeader(SmtpQueueConstants.ENVELOPE_TO, new ArrayList<>(List.of("perm@example.net")));
            e.getMessage().setHeader(SmtpQueueConstants.DSN_RET, "FULL"); // the bounce carries 8 KB: it needs new pages
            e.getMessage().setBody(body);
        });
        assertFalse(sent.isFailed(), () -> "enqueue failed: " + sent.getException());
        String id = sent.getMessage().getHeader(SmtpQueueConstants.QUEUE_ID, String.class);
        MailQueue queue = context.getComponent("smtp-queue", SmtpQueueComponent.class).getQueue("full");
        assertTrue(entered.await(10, TimeUnit.SECONDS), "the attempt never started");

        Path filler = mount.resolve("filler");
        try (OutputStream out = Files.newOutputStream(filler)) {
            byte[] page = new byte[4096];
            while (true) {
                out.write(page);
            }
        } catch (IOException full) {
            // the disk is full
        }
        proceed.countDown(); // the next hop answers 550: a bounce is owed, and there is no room for it
        await("the bounce failed to be stored", () -> queue.storageFailure() != null);
        Thread.sleep(500); // a few retries on the full disk
        assertEquals(List.of("perm@example.net"), queue.get(id).recipients(),
                "the recipient stays pending while its bounce cannot be stored");
        assertEquals(List.of(), bounced, "not reported as bounced before the bounce is stored");
        assertEquals(List.of(), bounces);

        Files.delete(filler);
        await("the bounce delivered", () -> bounces.size() == 1);
        assertTrue(bounces.get(0).contains("Final-Recipient: rfc822; perm@example.net"), bounces.get(0));
        await("the message left the queue", () -> queue.get(id) == null);
        assertEquals(List.of("perm@example.net"), bounced, "bounced once");
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long end = System.currentTimeMillis() + 15_000;
        while (!condition.getAsBoolean()) {
            if (System.currentTimeMillis() > end) {
                fail("timed out waiting for: " + what);
            }
            Thread.sleep(20);
        }
    }
}

package io.camelsmtp.smtp.queue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.camelsmtp.smtp.queue.spool.Spool;
import io.camelsmtp.smtp.queue.spool.SpoolEntry;
import org.apache.camel.CamelContext;
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
import static org.junit.jupiter.api.Assertions.assertTrue;
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
}

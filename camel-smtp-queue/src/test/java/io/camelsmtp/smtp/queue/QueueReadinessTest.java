package io.camelsmtp.smtp.queue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.apache.camel.CamelContext;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.health.HealthCheck;
import org.apache.camel.health.HealthCheckHelper;
import org.apache.camel.health.HealthCheckRegistry;
import org.apache.camel.impl.health.DefaultHealthCheckRegistry;
import org.apache.camel.test.junit5.CamelTestSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The queue's readiness says whether it can store before a client finds out: the spool on a 1 MiB tmpfs (mounting
 * needs root, as in CI; skipped otherwise) is DOWN once another file leaves it less than 64 KiB, without any write of
 * the queue failing, and UP again when the space is back.
 */
class QueueReadinessTest extends CamelTestSupport {

    @TempDir
    Path tmp;

    private Path mount;

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

    @AfterEach
    void unmount() throws Exception {
        context.stop();
        new ProcessBuilder("umount", "-l", mount.toString()).start().waitFor(10, TimeUnit.SECONDS);
    }

    @Override
    protected CamelContext createCamelContext() throws Exception {
        CamelContext ctx = super.createCamelContext();
        ctx.getCamelContextExtension().addContextPlugin(HealthCheckRegistry.class, new DefaultHealthCheckRegistry(ctx));
        return ctx;
    }

    @Override
    protected boolean useJmx() {
        return false;
    }

    @Test
    void downWhileTheSpoolsFileSystemIsAlmostFull() throws Exception {
        context.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:in").to("smtp-queue:tiny?spoolDirectory=" + mount.resolve("spool"));
            }
        });
        assertEquals(HealthCheck.State.UP, readiness().getState(), String.valueOf(readiness().getMessage()));

        Path filler = mount.resolve("filler");
        try (OutputStream out = Files.newOutputStream(filler)) {
            byte[] block = new byte[4096];
            while (Files.getFileStore(mount).getUsableSpace() >= 32 * 1024) {
                out.write(block);
                out.flush();
            }
        } catch (IOException full) {
            // the disk filled up before the loop noticed: just as good
        }
        HealthCheck.Result down = readiness();
        assertEquals(HealthCheck.State.DOWN, down.getState());
        assertTrue(down.getMessage().orElse("").contains("octets left on the file system"), down.getMessage().orElse(""));

        Files.delete(filler);
        assertEquals(HealthCheck.State.UP, readiness().getState(), "UP again once there is room");
    }

    private HealthCheck.Result readiness() {
        return HealthCheckHelper.invokeReadiness(context, "full").stream()
                .filter(r -> r.getCheck().getId().equals("smtp-queue-tiny")).findFirst()
                .orElseThrow(() -> new AssertionError("no readiness check smtp-queue-tiny"));
    }
}

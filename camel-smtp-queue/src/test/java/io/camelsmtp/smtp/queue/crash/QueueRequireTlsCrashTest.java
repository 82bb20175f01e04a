package io.camelsmtp.smtp.queue.crash;

import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

import io.camelsmtp.smtp.queue.SmtpQueueConstants;
import io.camelsmtp.smtp.queue.SmtpQueueConsumer;
import io.camelsmtp.smtp.relay.testbed.PeerTestSupport;
import io.camelsmtp.smtp.server.SmtpServerConstants;
import jakarta.mail.BodyPart;
import jakarta.mail.Multipart;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.mock.MockEndpoint;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.test.AvailablePortFinder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Crash safety of the REQUIRETLS flag: Python's smtplib submits over STARTTLS to smtp-server in a JVM of its own
 * ({@link RequireTlsQueueProcess}), two messages with {@code MAIL FROM ... REQUIRETLS} and one without; the queue
 * defers all three (its smart host refuses connections), then that JVM is killed with SIGKILL. The queue is opened
 * again on the same spool in this JVM and delivers through smtp-relay to two of our smtp-servers with STARTTLS (the
 * test certificate): one offers REQUIRETLS, one does not ({@code advertiseRequireTls=false}). The recovered
 * REQUIRETLS messages must still carry the flag: the one for the server with REQUIRETLS arrives with REQUIRETLS on its
 * MAIL FROM (recorded by that server), the one for the server without it is never sent and bounces with 5.7.30 and
 * headers only; the message without the flag goes to the server without REQUIRETLS as before.
 */
class QueueRequireTlsCrashTest {

    private static final String SECRET = "crash-safe secret body";

    @TempDir
    Path work;

    private Process child;
    private final List<String> childOut = new CopyOnWriteArrayList<>();
    private CamelContext restarted;

    @AfterEach
    void stop() throws Exception {
        if (child != null && child.isAlive()) {
            child.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
        if (restarted != null) {
            restarted.stop();
        }
    }

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void aRequireTlsMessageKeepsTheFlagThroughKillMinus9() throws Exception {
        assumeTrue(System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux"),
                "the crash test needs Linux (SIGKILL via Process.destroyForcibly)");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/python3")), "/usr/bin/python3 (smtplib) is the submitting client");
        Path spool = Files.createDirectories(work.resolve("spool"));
        int port = AvailablePortFinder.getNextAvailable();
        int closed = AvailablePortFinder.getNextAvailable();

        startChild(spool, port, closed);
        await("the queue JVM to start", 60, () -> childOut.contains("READY"));
        submit(port, "a@req.test", true);
        submit(port, "b@noreq.test", true);
        submit(port, "c@noreq.test", false);
        await("three deferrals in the queue JVM", 60,
                () -> childOut.stream().filter(l -> l.startsWith("EVENT deferred ")).count() == 3);
        Thread.sleep(300); // the deferral is written after the event; the kill may come a little later or not

        child.destroyForcibly(); // SIGKILL on Linux
        assertTrue(child.waitFor(30, TimeUnit.SECONDS), "the killed JVM is gone");
        assertEquals(137, child.exitValue(), "exit value of a JVM killed by SIGKILL is 128 + 9");
        long flags = requireTlsLines(spool);
        assertTrue(flags >= 2, "the spool holds the flag of the two REQUIRETLS messages: " + flags);

        int withRequireTls = AvailablePortFinder.getNextAvailable();
        int withoutRequireTls = AvailablePortFinder.getNextAvailable();
        restarted = restart(spool, withRequireTls, withoutRequireTls);
        SmtpQueueConsumer consumer = (SmtpQueueConsumer) restarted.getRoutes().stream()
                .filter(r -> r.getConsumer() instanceof SmtpQueueConsumer).findFirst().orElseThrow().getConsumer();
        consumer.flush(); // the recovered deferrals are due in a minute; now instead

        MockEndpoint req = restarted.getEndpoint("mock:req", MockEndpoint.class);
        MockEndpoint noreq = restarted.getEndpoint("mock:noreq", MockEndpoint.class);
        MockEndpoint bounces = restarted.getEndpoint("mock:bounces", MockEndpoint.class);
        await("the delivery and the bounce after the restart", 60,
                () -> req.getReceivedCounter() == 1 && noreq.getReceivedCounter() == 1 && bounces.getReceivedCounter() == 1);
        Thread.sleep(500); // nothing more may arrive
        assertEquals(1, req.getReceivedCounter());
        assertEquals(1, noreq.getReceivedCounter(), "only the message without REQUIRETLS went to the server without it");

        Exchange got = req.getExchanges().get(0);
        assertEquals(List.of("a@req.test"), got.getMessage().getHeader(SmtpServerConstants.ENVELOPE_TO, List.class));
        assertEquals(Boolean.TRUE, got.getMessage().getHeader(SmtpServerConstants.REQUIRE_TLS_OPTION),
                "the next hop received MAIL FROM ... REQUIRETLS for the recovered message");
        assertTrue(got.getMessage().getBody(String.class).contains(" with ESMTPS "), "over TLS");

        Exchange plain = noreq.getExchanges().get(0);
        assertEquals(List.of("c@noreq.test"), plain.getMessage().getHeader(SmtpServerConstants.ENVELOPE_TO, List.class));
        assertNull(plain.getMessage().getHeader(SmtpServerConstants.REQUIRE_TLS_OPTION), "the flag was not invented");

        Exchange dsn = bounces.getExchanges().get(0);
        assertEquals("dsn", dsn.getMessage().getHeader(SmtpQueueConstants.KIND));
        assertNull(dsn.getMessage().getHeader(SmtpQueueConstants.REQUIRE_TLS_OPTION), "a bounce goes without REQUIRETLS");
        byte[] raw = dsn.getMessage().getBody(byte[].class);
        MimeMessage m = new MimeMessage(Session.getInstance(new Properties()), new ByteArrayInputStream(raw));
        String status = part(m, 1);
        assertTrue(status.contains("b@noreq.test") && status.contains("Status: 5.7.30"), status);
        BodyPart returned = ((Multipart) m.getContent()).getBodyPart(2);
        assertTrue(returned.getContentType().startsWith("text/rfc822-headers"), returned.getContentType());
        assertFalse(new String(raw, StandardCharsets.UTF_8).contains(SECRET), "headers only for a REQUIRETLS message");
    }

    private void startChild(Path spool, int port, int closed) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-Djava.io.tmpdir=" + work, "-cp", System.getProperty("java.class.path"),
                RequireTlsQueueProcess.class.getName(), spool.toString(), String.valueOf(port), String.valueOf(closed)));
        child = new ProcessBuilder(cmd).directory(work.toFile()).redirectErrorStream(true).start();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    if (childOut.size() < 10_000) {
                        childOut.add(line);
                    }
                }
            } catch (IOException e) {
                // the process died: what it said is in childOut
            }
        }, "queue-jvm-output");
        reader.setDaemon(true);
        reader.start();
    }

    /** Python's smtplib: STARTTLS (the test certificate is not checked here), MAIL FROM with or without REQUIRETLS. */
    private void submit(int port, String to, boolean requireTls) throws Exception {
        String script = String.join("\n",
                "import smtplib, ssl, sys",
                "s = smtplib.SMTP('127.0.0.17', int(sys.argv[1]), timeout=20)",
                "s.starttls(context=ssl._create_unverified_context())",
                "s.ehlo('client.test')",
                "opts = ['REQUIRETLS'] if sys.argv[3] == 'yes' else []",
                "msg = 'From: <alice@origin.test>\\r\\nTo: <' + sys.argv[2] + '>\\r\\nSubject: crash\\r\\n\\r\\n"
                + SECRET + "\\r\\n'",
                "s.sendmail('alice@origin.test', [sys.argv[2]], msg, mail_options=opts)",
                "s.quit()",
                "print('SENT')");
        Process p = new ProcessBuilder("/usr/bin/python3", "-c", script, String.valueOf(port), to, requireTls ? "yes" : "no")
                .redirectErrorStream(true).start();
        boolean done = p.waitFor(30, TimeUnit.SECONDS);
        String out = new String(p.getInputStream().readNBytes(64 * 1024), StandardCharsets.UTF_8);
        if (!done) {
            p.destroyForcibly();
            fail("smtplib did not finish in 30 s: " + out);
        }
        assertTrue(p.exitValue() == 0 && out.contains("SENT"), () -> "smtplib to " + to + ": " + out + "\n" + childOut);
    }

    /** The queue again, in this JVM, on the spool the crash left; two receivers, one without REQUIRETLS. */
    private static CamelContext restart(Path spool, int withRequireTls, int withoutRequireTls) throws Exception {
        CamelContext c = new DefaultCamelContext();
        c.getRegistry().bind("serverTls", PeerTestSupport.serverTls());
        c.getRegistry().bind("trust", PeerTestSupport.trustTestCertificate());
        String receiver = "?hostName=mx.tls.test&acceptedDomains=*&sslContextParameters=#serverTls"
                          + "&maxConnectionsPerIp=0&shutdownGracePeriod=1s";
        String relay = "smtp-relay:127.0.0.17:%d?tls=required&sslContextParameters=#trust&heloName=relay.test"
                       + "&connectTimeout=2s&commandTimeout=5s&dataTimeout=5s&connectionReuse=false";
        c.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("smtp-server:127.0.0.17:" + withRequireTls + receiver).convertBodyTo(String.class).to("mock:req");
                from("smtp-server:127.0.0.17:" + withoutRequireTls + receiver + "&advertiseRequireTls=false")
                        .convertBodyTo(String.class).to("mock:noreq");
                from("smtp-queue:crash?spoolDirectory=" + spool + "&minBackoff=100&maxBackoff=200&reportingMta=mta.test")
                        .process(e -> {
                            String to = (String) e.getMessage().getHeader(SmtpQueueConstants.ENVELOPE_TO, List.class).get(0);
                            e.setProperty("target", to.endsWith("@req.test") ? relay.formatted(withRequireTls)
                                    : to.endsWith("@noreq.test") ? relay.formatted(withoutRequireTls) : "mock:bounces");
                        })
                        .toD("${exchangeProperty.target}");
            }
        });
        c.start();
        return c;
    }

    /** How many stored records say {@code requiretls: true}, in whatever file of the spool they are. */
    private static long requireTlsLines(Path spool) throws IOException {
        long n = 0;
        try (Stream<Path> files = Files.walk(spool)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                String s = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
                for (int i = s.indexOf("requiretls: true"); i >= 0; i = s.indexOf("requiretls: true", i + 1)) {
                    n++;
                }
            }
        }
        return n;
    }

    private static String part(MimeMessage m, int i) throws Exception {
        BodyPart p = ((Multipart) m.getContent()).getBodyPart(i);
        try (var in = p.getInputStream()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private void await(String what, int seconds, BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                fail("timed out waiting for: " + what + "; the queue JVM said: "
                     + childOut.subList(Math.max(0, childOut.size() - 30), childOut.size()));
            }
            Thread.sleep(50);
        }
    }
}

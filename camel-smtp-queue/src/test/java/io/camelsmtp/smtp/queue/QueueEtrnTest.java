package io.camelsmtp.smtp.queue;

import java.io.File;
import java.io.IOException;
import java.net.Socket;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

import io.camelsmtp.smtp.relay.testbed.Swaks;
import io.camelsmtp.smtp.server.SmtpServerConstants;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.test.AvailablePortFinder;
import org.apache.camel.test.junit5.CamelTestSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * ETRN (RFC 1985) end to end through real peers: swaks submits mail to smtp-server, which queues it; the queue
 * delivers through smtp-relay to a smart host on loopback, aiosmtpd, which is down at first, so every message is
 * deferred with a retry ten minutes away. Then aiosmtpd comes up and Python's smtplib sends ETRN: only ETRN can
 * explain a delivery within seconds. swaks itself cannot send ETRN (version 20201014 has no option for an arbitrary
 * command), so smtplib's {@code docmd} is the ETRN client.
 * <p>
 * The etrnPolicy lets 127.0.0.1 start nodes under etrn.test only; a client from 127.0.0.2 is refused with 459.
 */
class QueueEtrnTest extends CamelTestSupport {

    private static final String PYTHON = "/usr/bin/python3";

    @TempDir
    Path spool;
    @TempDir
    Path maildir;

    private final int port = AvailablePortFinder.getNextAvailable();
    private final int limitedPort = AvailablePortFinder.getNextAvailable();
    private final int plainPort = AvailablePortFinder.getNextAvailable();
    private final int receiverPort = AvailablePortFinder.getNextAvailable();
    private final List<DeliveryEvent> events = new CopyOnWriteArrayList<>();
    private Process receiver;

    @Override
    protected RoutesBuilder createRouteBuilder() {
        return new RouteBuilder() {
            @Override
            public void configure() {
                String etrn = "&etrnQueue=smtp-queue:etrn&etrnPolicy=direct:etrn-policy";
                String queue = "smtp-queue:etrn?spoolDirectory=" + spool;
                from("smtp-server:127.0.0.1:" + port + "?acceptedDomains=*&hostName=mta.test&maxEtrnPerMinute=100" + etrn)
                        .routeId("mx").to(queue);
                from("smtp-server:127.0.0.1:" + limitedPort + "?acceptedDomains=*&maxEtrnPerMinute=2" + etrn)
                        .routeId("limited").to(queue);
                from("smtp-server:127.0.0.1:" + plainPort + "?acceptedDomains=*").routeId("plain").to(queue);
                // a retry ten minutes away: within a test only ETRN (or the first attempt) delivers
                from(queue + "&minBackoff=10m&maxBackoff=10m&eventsUri=direct:events")
                        .routeId("delivery")
                        .to("smtp-relay:127.0.0.1:" + receiverPort + "?connectTimeout=1s&commandTimeout=5s&heloName=mta.test");
                from("direct:events").process(e -> events.add(e.getMessage().getBody(DeliveryEvent.class)));
                from("direct:etrn-policy").routeId("etrn-policy")
                        .choice()
                            .when(simple("${header." + SmtpServerConstants.REMOTE_ADDRESS + "} != '127.0.0.1'"))
                                .setHeader(SmtpServerConstants.REPLY,
                                        simple("459 4.7.1 Node ${header.CamelSmtpEtrnNode} not allowed: unknown client"))
                            .when(simple("${header.CamelSmtpEtrnNode} != 'etrn.test' "
                                         + "&& ${header.CamelSmtpEtrnNode} !endsWith '.etrn.test'"))
                                .setHeader(SmtpServerConstants.REPLY,
                                        simple("459 4.7.1 Node ${header.CamelSmtpEtrnNode} not allowed: not yours"))
                        .end();
            }
        };
    }

    @AfterEach
    void stopReceiver() throws InterruptedException {
        if (receiver != null) {
            receiver.descendants().forEach(ProcessHandle::destroyForcibly);
            receiver.destroyForcibly();
            receiver.waitFor(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void deferredMailIsDeliveredAtOnceAfterEtrnOnlyForTheNodeAsked() throws Exception {
        String one = "alice@one.etrn.test";
        String two = "bob@two.etrn.test";
        String other = "carol@other.test";
        for (String to : List.of(one, two, other)) {
            Swaks.accepted(port, "sender@client.test", to, "--header", "Subject: for " + to);
        }
        await("three first attempts deferred (receiver down)", () -> count(DeliveryEvent.DEFERRED) == 3);
        startReceiver();

        List<String> out = etrn("-", "EHLO site.etrn.test", "ETRN one.etrn.test");
        assertEquals("EHLO 250 etrn=True", out.get(0), "ETRN advertised: " + out);
        assertEquals("250 2.0.0 Queuing for node one.etrn.test started", out.get(1));
        long asked = System.currentTimeMillis();
        await("one.etrn.test delivered", () -> delivered(one));
        assertTrue(System.currentTimeMillis() - asked < 15_000, "delivered right after ETRN, not at the retry");
        Thread.sleep(1000);
        assertFalse(delivered(two), "ETRN one.etrn.test starts that node only");
        assertFalse(delivered(other));

        out = etrn("-", "EHLO site.etrn.test", "ETRN @etrn.test", "ETRN one.etrn.test", "ETRN @none.etrn.test");
        assertEquals("250 2.0.0 Queuing for node @etrn.test started", out.get(1), "subdomains of etrn.test: " + out);
        assertEquals("251 2.0.0 OK, no messages waiting for node one.etrn.test", out.get(2), "nothing left for it");
        assertEquals("251 2.0.0 OK, no messages waiting for node @none.etrn.test", out.get(3));
        await("two.etrn.test delivered", () -> delivered(two));
        Thread.sleep(1000);
        assertFalse(delivered(other), "other.test is no subdomain of etrn.test");
        assertEquals(1, count(DeliveryEvent.DELIVERED, one), "each message delivered once");
        assertEquals(1, count(DeliveryEvent.DELIVERED, two));
    }

    @Test
    void aClientThePolicyDoesNotKnowOrANodeThatIsNotItsIsRefusedWith459() throws Exception {
        Swaks.accepted(port, "sender@client.test", "dave@other.test");
        await("deferred", () -> count(DeliveryEvent.DEFERRED) == 1);
        startReceiver();
        List<String> out = etrn("127.0.0.2", "EHLO site.etrn.test", "ETRN other.test", "ETRN @etrn.test");
        assertEquals("459 4.7.1 Node other.test not allowed: unknown client", out.get(1), String.valueOf(out));
        assertEquals("459 4.7.1 Node etrn.test not allowed: unknown client", out.get(2));
        out = etrn("-", "EHLO site.etrn.test", "ETRN other.test");
        assertEquals("459 4.7.1 Node other.test not allowed: not yours", out.get(1));
        Thread.sleep(1500);
        assertFalse(delivered("dave@other.test"), "a refused ETRN starts nothing");
    }

    @Test
    void etrnIsRateLimitedPerClientAddress() throws Exception {
        List<String> out = limitedEtrn("EHLO site.etrn.test", "ETRN one.etrn.test", "ETRN one.etrn.test",
                "ETRN one.etrn.test");
        assertTrue(out.get(1).startsWith("251 "), String.valueOf(out));
        assertTrue(out.get(2).startsWith("251 "), String.valueOf(out));
        assertEquals("458 4.7.0 Unable to queue messages for node one.etrn.test: too many ETRN requests, try again later",
                out.get(3));
        out = limitedEtrn("EHLO site.etrn.test", "ETRN one.etrn.test");
        assertTrue(out.get(1).startsWith("458 4.7.0"), "counted across sessions: " + out);
        out = etrn("-", "EHLO site.etrn.test", "ETRN one.etrn.test");
        assertTrue(out.get(1).startsWith("251 "), "each listener counts for itself: " + out);
    }

    private List<String> limitedEtrn(String... commands) throws Exception {
        return run(limitedPort, "-", commands);
    }

    @Test
    void syntaxAndSequenceErrors() throws Exception {
        List<String> out = etrn("-", "EHLO site.etrn.test", "ETRN", "ETRN #queue1", "ETRN -bad-.etrn.test",
                "ETRN [127.0.0.1]", "ETRN a..etrn.test", "ETRN " + "a".repeat(64) + ".etrn.test", "ETRN one.etrn.test x",
                "MAIL FROM:<s@client.test>", "ETRN one.etrn.test", "RSET", "ETRN ONE.Etrn.Test");
        assertEquals("501 5.5.4 Syntax: ETRN domain or ETRN @domain", out.get(1), String.valueOf(out));
        assertEquals("501 5.5.4 Syntax: ETRN #queue is not supported; use ETRN domain or ETRN @domain", out.get(2));
        for (int i = 3; i <= 7; i++) {
            assertEquals("501 5.5.4 Syntax: ETRN domain or ETRN @domain: bad domain name", out.get(i), "line " + i + ": " + out);
        }
        assertTrue(out.get(8).startsWith("250 "), out.get(8));
        assertEquals("503 5.5.1 Error: MAIL transaction in progress", out.get(9));
        assertEquals("251 2.0.0 OK, no messages waiting for node one.etrn.test", out.get(11), "node names ignore case");

        out = etrn("-", "-", "ETRN one.etrn.test");
        assertEquals("503 5.5.1 Error: send HELO/EHLO first", out.get(0));
        out = etrn("-", "HELO site.etrn.test", "ETRN one.etrn.test");
        assertTrue(out.get(1).startsWith("251 "), "HELO is enough: " + out);
        out = run(limitedPort, "-", "EHLO site.etrn.test", "ETRN " + "x".repeat(600));
        assertTrue(out.get(1).startsWith("500 5.5.6"), "a line past 512 octets: " + out);
    }

    @Test
    void withoutEtrnQueueEtrnIsNeitherAdvertisedNorAccepted() throws Exception {
        List<String> out = run(plainPort, "-", "EHLO site.etrn.test", "ETRN one.etrn.test");
        assertEquals("EHLO 250 etrn=False", out.get(0));
        assertEquals("502 5.5.1 Error: ETRN not supported", out.get(1));
    }

    // ---- peers

    private List<String> etrn(String source, String... commands) throws Exception {
        return run(port, source, commands);
    }

    /** Runs etrn_client.py against {@code port}: greeting first, then the commands; its output lines. */
    private List<String> run(int target, String source, String... commands) throws Exception {
        assumeTrue(new File(PYTHON).canExecute(), "Debian's python3 (/usr/bin/python3) is needed for smtplib");
        List<String> cmd = new ArrayList<>(List.of(PYTHON, script(), "127.0.0.1", String.valueOf(target), source));
        cmd.addAll(List.of(commands));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try {
            assertTrue(p.waitFor(30, TimeUnit.SECONDS), "etrn_client.py did not finish");
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, p.exitValue(), out);
            return out.lines().toList();
        } finally {
            p.destroyForcibly();
        }
    }

    private static String script() throws URISyntaxException {
        return Path.of(QueueEtrnTest.class.getResource("/etrn/etrn_client.py").toURI()).toString();
    }

    /** aiosmtpd on the smart host's port, writing each message into a Maildir. */
    private void startReceiver() throws Exception {
        if (!new File(PYTHON).canExecute()) {
            System.err.println("*** SKIPPED: /usr/bin/python3 with aiosmtpd is needed (apt-get install python3-aiosmtpd)");
            assumeTrue(false, "/usr/bin/python3 with aiosmtpd is needed (apt-get install python3-aiosmtpd)");
        }
        receiver = new ProcessBuilder(PYTHON, "-m", "aiosmtpd", "-n", "-l", "127.0.0.1:" + receiverPort, "-c",
                "aiosmtpd.handlers.Mailbox", maildir.resolve("box").toString()).redirectErrorStream(true)
                .redirectOutput(spool.resolve("aiosmtpd.log").toFile()).start();
        long end = System.currentTimeMillis() + 10_000;
        while (true) {
            try (Socket s = new Socket("127.0.0.1", receiverPort)) {
                return;
            } catch (IOException e) {
                if (!receiver.isAlive()) {
                    String log = Files.readString(spool.resolve("aiosmtpd.log"));
                    assumeTrue(!log.contains("No module named aiosmtpd"), "aiosmtpd is not installed: " + log);
                    fail("aiosmtpd exited: " + log);
                }
                if (System.currentTimeMillis() > end) {
                    fail("aiosmtpd did not listen on " + receiverPort);
                }
                Thread.sleep(50);
            }
        }
    }

    /** True once the receiver's Maildir holds a message for {@code recipient}. */
    private boolean delivered(String recipient) {
        Path dir = maildir.resolve("box/new"); // Python's mailbox.Maildir makes box/ with tmp, new, cur
        if (!Files.isDirectory(dir)) {
            return false;
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.anyMatch(f -> {
                try {
                    return Files.readString(f, StandardCharsets.ISO_8859_1).contains("X-RcptTo: " + recipient);
                } catch (IOException e) {
                    return false;
                }
            });
        } catch (IOException e) {
            return false;
        }
    }

    private long count(String type) {
        return events.stream().filter(e -> e.type().equals(type)).count();
    }

    private long count(String type, String recipient) {
        return events.stream().filter(e -> e.type().equals(type) && e.recipient().equals(recipient)).count();
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long end = System.currentTimeMillis() + 20_000;
        while (!condition.getAsBoolean()) {
            if (System.currentTimeMillis() > end) {
                fail("timed out waiting for: " + what);
            }
            Thread.sleep(50);
        }
    }
}

package io.camelsmtp.smtp.server.peers;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.camelsmtp.smtp.server.SmtpServerConstants;
import org.apache.camel.Exchange;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.test.AvailablePortFinder;
import org.apache.camel.test.junit5.CamelTestSupport;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Postfix's load generator smtp-source: 2000 messages of 4096 octets over 50 parallel sessions, once with a new
 * connection per message and once reusing connections (-d). Every message must be acknowledged (smtp-source exits 0
 * and prints nothing: it reports every unexpected reply) and reach the route exactly once (2000 Exchanges with 2000
 * distinct queue ids), with nothing lost or doubled under concurrency. Also: the per-IP connection limit refuses
 * the excess with 421 4.7.0 and gives every slot back, and stopping the route under load loses no message that
 * smtp-source saw accepted.
 */
class PeerPostfixSmtpSourceTest extends CamelTestSupport {

    private static final Logger LOG = LoggerFactory.getLogger(PeerPostfixSmtpSourceTest.class);
    private static final int PORT = AvailablePortFinder.getNextAvailable();
    private static final int LIMITED_PORT = AvailablePortFinder.getNextAvailable();
    private static final int PER_IP_LIMIT = 20;
    private static final int STOP_PORT = AvailablePortFinder.getNextAvailable();
    private static final int SESSIONS = 50;
    private static final int MESSAGES = 2000;
    private static final int LENGTH = 4096;
    private static final Duration LIMIT = Duration.ofSeconds(120);

    private final Set<String> queueIds = ConcurrentHashMap.newKeySet();
    private final AtomicInteger exchanges = new AtomicInteger();
    private final AtomicInteger wrong = new AtomicInteger();
    private final Set<String> problems = ConcurrentHashMap.newKeySet();
    private Path smtpSource;

    @BeforeEach
    void findSmtpSource() {
        smtpSource = PeerProcess.require("smtp-source (Postfix)", "postfix", "/usr/sbin/smtp-source", "smtp-source");
    }

    @Override
    protected RoutesBuilder createRouteBuilder() {
        return new RouteBuilder() {
            @Override
            public void configure() {
                from("smtp-server:127.0.0.1:" + PORT + "?acceptedDomains=*&maxConnectionsPerIp=0")
                        .routeId("load").process(PeerPostfixSmtpSourceTest.this::count);
                // smtp-source connects from loopback, which is exempt from maxConnectionsPerIp unless the list is emptied
                from("smtp-server:127.0.0.1:" + LIMITED_PORT + "?acceptedDomains=*&maxConnectionsPerIp=" + PER_IP_LIMIT
                     + "&connectionLimitExemptNetworks=")
                        .routeId("limited").process(PeerPostfixSmtpSourceTest.this::count);
                // a slow route, so that sessions are caught inside DATA when the route stops
                from("smtp-server:127.0.0.1:" + STOP_PORT + "?acceptedDomains=*&shutdownGracePeriod=5s")
                        .routeId("stopping").process(PeerPostfixSmtpSourceTest.this::count).delay(20);
            }
        };
    }

    private void count(Exchange e) {
        exchanges.incrementAndGet();
        queueIds.add(e.getIn().getHeader(SmtpServerConstants.MESSAGE_ID, String.class));
        byte[] body = e.getIn().getBody(byte[].class);
        String from = e.getIn().getHeader(SmtpServerConstants.ENVELOPE_FROM, String.class);
        List<?> to = e.getIn().getHeader(SmtpServerConstants.ENVELOPE_TO, List.class);
        if (!"a@x.test".equals(from) || !List.of("b@y.test").equals(to) || body == null || body.length < LENGTH) {
            wrong.incrementAndGet();
            if (problems.size() < 5) {
                problems.add("from=" + from + " to=" + to + " size=" + (body == null ? null : body.length));
            }
        }
    }

    private PeerProcess.Result smtpSource(int port, int sessions, int messages, String... extra) throws Exception {
        List<String> command = new ArrayList<>(List.of(smtpSource.toString()));
        command.addAll(List.of(extra));
        command.addAll(List.of("-s", String.valueOf(sessions), "-m", String.valueOf(messages), "-l",
                String.valueOf(LENGTH), "-f", "a@x.test", "-t", "b@y.test", "127.0.0.1:" + port));
        long start = System.nanoTime();
        PeerProcess.Result r = PeerProcess.run(LIMIT, command);
        LOG.info("{}: exit {} after {} ms", String.join(" ", command), r.exitCode(),
                (System.nanoTime() - start) / 1_000_000);
        assertFalse(r.timedOut(), r.describe());
        return r;
    }

    private void assertAllDeliveredOnce(PeerProcess.Result r, int messages, String routeId) throws Exception {
        assertEquals(0, r.exitCode(), r.describe());
        assertEquals("", r.output(), "smtp-source reports every unexpected reply\n" + r.describe());
        // every 250 was sent after its route completed, so the counts are final once smtp-source is done
        assertEquals(messages, exchanges.get(), "Exchanges at the route");
        assertEquals(messages, queueIds.size(), "distinct queue ids");
        assertEquals(0, wrong.get(), "messages with the wrong envelope or size, e.g. " + problems);
        PeerRoutes.assertNoSessionsLeft(context, routeId);
    }

    private void load(String... extra) throws Exception {
        assertAllDeliveredOnce(smtpSource(PORT, SESSIONS, MESSAGES, extra), MESSAGES, "load");
    }

    @Test
    void connectionPerMessage() throws Exception {
        load();
    }

    @Test
    void connectionReuse() throws Exception {
        load("-d");
    }

    @Test
    void stoppingTheRouteUnderLoadLosesNoAcknowledgedMessage() throws Exception {
        ExecutorService runner = Executors.newSingleThreadExecutor();
        try {
            // -c: smtp-source prints a running count of messages that got a 2xx after the final dot
            Future<PeerProcess.Result> load = runner.submit(() -> smtpSource(STOP_PORT, 20, 100_000, "-c", "-d"));
            assertTrue(PeerRoutes.await(Duration.ofSeconds(30), () -> exchanges.get() >= 200),
                    "no load arrived: " + exchanges.get());
            context.getRouteController().stopRoute("stopping");
            PeerProcess.Result r = load.get(LIMIT.toSeconds() + 10, TimeUnit.SECONDS);

            // smtp-source gives up at the first 421 (idle sessions are told "4.3.2 shutting down")
            assertEquals(1, r.exitCode(), r.describe());
            assertTrue(r.stderr().contains("421 4.3.2"), r.describe());
            Matcher counter = Pattern.compile("(\\d+)\\s*$").matcher(r.stdout().replace('\r', '\n').strip());
            assertTrue(counter.find(), r.describe());
            int acknowledged = Integer.parseInt(counter.group(1));
            LOG.info("stopped under load: {} messages acknowledged, {} Exchanges", acknowledged, exchanges.get());
            // every message the client saw accepted reached the route; sessions inside DATA were let finish, so
            // the route may have seen a few more whose 250 the client, already exiting, never read
            assertTrue(exchanges.get() >= acknowledged, exchanges.get() + " Exchanges < " + acknowledged + " acknowledged");
            assertTrue(acknowledged >= 200, r.describe());
            assertEquals(exchanges.get(), queueIds.size(), "distinct queue ids");
        } finally {
            runner.shutdownNow();
        }
    }

    @Test
    void exactlyThePerIpLimitWithAConnectionPerMessage() throws Exception {
        for (int i = 0; i < 5; i++) {
            exchanges.set(0);
            queueIds.clear();
            assertAllDeliveredOnce(smtpSource(LIMITED_PORT, PER_IP_LIMIT, 3000), 3000, "limited");
        }
    }

    @Test
    void perIpLimitRefusesTheExcessAndFreesItsSlots() throws Exception {
        // twice as many parallel sessions as allowed: smtp-source gives up at the first 421 greeting
        PeerProcess.Result over = smtpSource(LIMITED_PORT, 2 * PER_IP_LIMIT, 400, "-d");
        assertEquals(1, over.exitCode(), over.describe());
        assertTrue(over.stderr().contains("421 4.7.0 Too many connections from your address"), over.describe());
        PeerRoutes.assertNoSessionsLeft(context, "limited");

        // every slot, refused or aborted, was given back: exactly the limit now works without a single refusal
        exchanges.set(0);
        queueIds.clear();
        assertAllDeliveredOnce(smtpSource(LIMITED_PORT, PER_IP_LIMIT, 400, "-d"), 400, "limited");
    }
}

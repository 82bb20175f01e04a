package io.camelsmtp.examples;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.camelsmtp.examples.app.MailRouter;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.main.Main;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static io.camelsmtp.examples.support.Peers.freePort;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Two nodes from routes/multi-node/node.camel.yaml, each with its own spool, relaying to one smart host (an
 * smtp-server in this JVM). While the smart host is down both queue; node 1 is then stopped, the smart host comes
 * up: node 2 delivers its own mail, node 1's waits in its spool and is delivered when node 1 returns, once. The nodes
 * take mail for example.net only (smtp.acceptedDomains); swaks's attempt to relay elsewhere gets 554 5.7.1.
 */
class MultiNodeTest {

    @TempDir
    Path data;

    private final List<Main> nodes = new ArrayList<>();
    private CamelContext receiver;
    private final List<String> received = Collections.synchronizedList(new ArrayList<>());

    private Main node(String name, int smtpPort, int relayPort) throws Exception {
        Main main = MailRouter.create("file:routes/multi-node/node.camel.yaml");
        main.addInitialProperty("smtp.port", String.valueOf(smtpPort));
        main.addInitialProperty("admin.port", String.valueOf(freePort()));
        main.addInitialProperty("data.dir", data.resolve(name).toString()); // its admin.token
        main.addInitialProperty("node.name", name);
        main.addInitialProperty("smtp.acceptedDomains", "example.net");
        main.addInitialProperty("spool.dir", data.resolve(name).toString());
        main.addInitialProperty("retry.min", "200");
        main.addInitialProperty("relay.uri", "smtp-relay:127.0.0.1:" + relayPort + "?tls=none&connectTimeout=1s");
        main.start();
        nodes.add(main);
        return main;
    }

    private void startReceiver(int port) throws Exception {
        receiver = new DefaultCamelContext();
        // a lambda, not a RouteBuilder class: the nodes' Camel Main loads every RouteBuilder class it finds in the
        // app's package (io.camelsmtp.examples.app), and the receiver must never become a route of a node
        RouteBuilder.addRoutes(receiver, rb -> rb.from("smtp-server:127.0.0.1:" + port + "?acceptedDomains=*&maxConnectionsPerIp=0")
                .process(e -> received.add(e.getMessage().getBody(String.class))));
        receiver.start();
    }

    @AfterEach
    void stopAll() {
        nodes.forEach(Main::stop);
        if (receiver != null) {
            receiver.stop();
        }
    }

    private static void swaks(int port, String subject) throws Exception {
        String out = swaks(port, "bob@example.net", subject);
        assertTrue(out.contains("250 2.0.0 Ok: queued as"), out);
    }

    private static String swaks(int port, String to, String subject) throws Exception {
        Process p = new ProcessBuilder("swaks", "--server", "127.0.0.1", "--port", String.valueOf(port), "--from",
                "alice@example.org", "--to", to, "--header", "Subject: " + subject)
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), out);
        return out;
    }

    private long count(String subjectPrefix) {
        synchronized (received) {
            return received.stream().filter(m -> m.contains("Subject: " + subjectPrefix)).count();
        }
    }

    private void await(String what, long expected, String prefix) throws InterruptedException {
        long end = System.currentTimeMillis() + 20_000;
        while (count(prefix) < expected) {
            if (System.currentTimeMillis() > end) {
                fail("timed out waiting for " + what + ": " + count(prefix) + " of " + expected);
            }
            Thread.sleep(50);
        }
    }

    /** A node relays by MX: mail for a domain that is not in smtp.acceptedDomains is refused, from anyone. */
    @Test
    void anOutsideRecipientGets554AndNothingIsQueued() throws Exception {
        int relayPort = freePort();
        int port = freePort();
        node("node1", port, relayPort);
        String out = swaks(port, "you@example.org", "relay attempt");
        assertTrue(out.contains("<** 554 5.7.1 <you@example.org>: Relay access denied"), out);
        assertFalse(out.contains("queued as"), out);
        startReceiver(relayPort);
        Thread.sleep(1000); // a queued message would be delivered by now (retry.min is 200 ms)
        assertEquals(0, received.size(), "nothing relayed");
    }

    @Test
    void eachNodeDeliversItsOwnSpoolAndTheOthersGoOn() throws Exception {
        int relayPort = freePort();
        int port1 = freePort();
        int port2 = freePort();
        Main node1 = node("node1", port1, relayPort);
        node("node2", port2, relayPort);
        for (int i = 0; i < 3; i++) {
            swaks(port1, "from-node1-" + i);
            swaks(port2, "from-node2-" + i);
        }
        Thread.sleep(500); // both have tried and deferred: the smart host is not there yet
        node1.stop();
        nodes.remove(node1);

        startReceiver(relayPort);
        await("node 2's mail", 3, "from-node2-");
        Thread.sleep(500);
        assertEquals(0, count("from-node1-"), "node 1's mail waits in node 1's spool");

        node("node1", port1, relayPort);
        await("node 1's mail after its restart", 3, "from-node1-");
        Thread.sleep(500);
        assertEquals(6, received.size(), "every message once");
    }
}

package io.camelsmtp.smtp.queue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import org.apache.camel.Exchange;
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

/**
 * One dead destination must not take every delivery worker. The slow domain's MX is a socket that accepts and never
 * greets (each attempt there hangs for the relay's 5-minute command time-out); the healthy domain's MX is an
 * smtp-server. With the default options, 500 messages to the healthy domain are delivered while 500 to the slow one
 * are still being tried.
 */
class QueueDomainFairnessTest extends CamelTestSupport {

    @TempDir
    Path spool;

    private final int healthyPort = AvailablePortFinder.getNextAvailable();
    private ServerSocket silent;
    private final List<Socket> held = new CopyOnWriteArrayList<>();
    private final AtomicInteger received = new AtomicInteger();

    @AfterEach
    void closeTheSilentMx() throws IOException {
        if (silent != null) {
            silent.close();
        }
        for (Socket s : held) {
            s.close(); // the relay's hanging reads end, so the context stops at once
        }
    }

    private void startSilentMx() throws IOException {
        silent = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(() -> {
            while (!silent.isClosed()) {
                try {
                    held.add(silent.accept()); // accepted, never answered
                } catch (IOException closed) {
                    return;
                }
            }
        }, "silent-mx");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    @Test
    void aDomainWhoseMxNeverAnswersLeavesWorkersForTheOthers() throws Exception {
        startSilentMx();
        context.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("smtp-server:127.0.0.1:" + healthyPort + "?acceptedDomains=*&maxConnectionsPerIp=0")
                        .process(e -> received.addAndGet(e.getMessage().getHeader("CamelSmtpEnvelopeTo", List.class).size()));
                from("direct:in").to("smtp-queue:fair?spoolDirectory=" + spool);
                // default concurrency and maxPerDomain: the point of the test
                from("smtp-queue:fair?spoolDirectory=" + spool + "&minBackoff=1h&stopTimeout=2s")
                        .errorHandler(noErrorHandler())
                        .choice()
                            .when(simple("${header.CamelSmtpEnvelopeTo[0]} ends with '@slow.example'"))
                                .to("smtp-relay:127.0.0.1:" + silent.getLocalPort() + "?tls=none")
                            .otherwise()
                                .to("smtp-relay:127.0.0.1:" + healthyPort + "?tls=none");
            }
        });
        ExecutorService senders = Executors.newFixedThreadPool(8);
        try {
            List<Future<Exchange>> sent = new ArrayList<>();
            for (int i = 0; i < 500; i++) {
                for (String domain : List.of("slow.example", "ok.example")) {
                    String to = "user" + i + "@" + domain;
                    sent.add(senders.submit(() -> template.send("direct:in", e -> {
                        e.getMessage().setHeader(SmtpQueueConstants.ENVELOPE_FROM, "alice@example.org");
                        e.getMessage().setHeader(SmtpQueueConstants.ENVELOPE_TO, new ArrayList<>(List.of(to)));
                        e.getMessage().setBody("Subject: fairness\r\n\r\nhello " + to + "\r\n");
                    })));
                }
            }
            for (Future<Exchange> f : sent) {
                assertFalse(f.get().isFailed(), () -> "enqueue failed");
            }
        } finally {
            senders.shutdown();
        }
        await("500 messages to the healthy domain delivered", () -> received.get() == 500);
        MailQueue queue = context.getComponent("smtp-queue", SmtpQueueComponent.class).getQueue("fair");
        List<QueueItem> left = queue.list();
        assertEquals(500, left.size(), "only the slow domain's messages wait");
        assertTrue(left.stream().allMatch(i -> i.recipients().get(0).endsWith("@slow.example")), "slow ones only");
        assertTrue(left.stream().anyMatch(i -> "active".equals(i.status())), "the slow domain is still being tried");
        assertTrue(held.size() <= 5, "at most maxPerDomain (5) attempts hang on the slow MX: " + held.size());
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long end = System.currentTimeMillis() + 25_000;
        while (!condition.getAsBoolean()) {
            if (System.currentTimeMillis() > end) {
                fail("timed out waiting for: " + what);
            }
            Thread.sleep(50);
        }
    }
}

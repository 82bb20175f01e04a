package io.camelsmtp.examples.console;

import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.camelsmtp.smtp.queue.DeliveryEvent;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerResponse;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A browser that stops reading its event stream: the server keeps at most {@link EventStreams#BUFFERED} events for it
 * plus a capped write queue, drops the rest, and says how many once the browser reads again; every event offered is
 * either written or counted as dropped. A real Vert.x server and a real socket that does not read.
 */
class EventStreamBoundTest {

    private static final int EVENTS = 100_000;
    private static final Pattern DROPPED = Pattern.compile("event: dropped\ndata: \\{\"dropped\":(\\d+)\\}\n\n");
    private static final String DELIVERY = "event: delivery\n";

    @Test
    void aStalledReaderCostsABoundedBufferAndHearsWhatWasDropped() throws Exception {
        Vertx vertx = Vertx.vertx();
        try {
            CompletableFuture<EventStreams.Stream> made = new CompletableFuture<>();
            HttpServer server = vertx.createHttpServer().requestHandler(req -> {
                HttpServerResponse res = req.response();
                res.setChunked(true).setWriteQueueMaxSize(64 * 1024).putHeader("Content-Type", "text/event-stream");
                res.write("retry: 5000\n\n");
                made.complete(new EventStreams.Stream(res, vertx.getOrCreateContext()));
            });
            int port = server.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture()
                    .get(10, TimeUnit.SECONDS).actualPort();
            try (Socket browser = new Socket()) {
                browser.setReceiveBufferSize(4096); // a small window: the server's write queue fills soon
                browser.connect(new InetSocketAddress("127.0.0.1", port), 5000);
                browser.setSoTimeout(10_000);
                browser.getOutputStream().write(("GET /queue/q/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                EventStreams.Stream stream = made.get(10, TimeUnit.SECONDS);
                // the delivering side: never blocks, however stalled the reader
                long start = System.nanoTime();
                for (int i = 0; i < EVENTS; i++) {
                    stream.accept(new DeliveryEvent(DeliveryEvent.DEFERRED, "ID" + i, "a@example.org", "b@example.net",
                            1, 451, "4.4.1", "No answer from host " + "x".repeat(200), null, null, null,
                            Instant.EPOCH, Instant.EPOCH, null, null));
                    assertTrue(stream.buffered() <= EventStreams.BUFFERED);
                }
                assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(20), "offering never waits");

                // the browser reads again: it gets what was kept, and how many were dropped
                InputStream in = browser.getInputStream();
                byte[] chunk = new byte[65536];
                StringBuilder text = new StringBuilder();
                long delivered = 0;
                long dropped = 0;
                long end = System.currentTimeMillis() + 30_000;
                while (delivered + dropped < EVENTS && System.currentTimeMillis() < end) {
                    int n = in.read(chunk);
                    if (n < 0) {
                        break;
                    }
                    text.append(new String(chunk, 0, n, StandardCharsets.UTF_8));
                    int cut = text.lastIndexOf("\n\n");
                    if (cut < 0) {
                        continue;
                    }
                    String complete = text.substring(0, cut + 2);
                    text.delete(0, cut + 2);
                    for (int i = complete.indexOf(DELIVERY); i >= 0; i = complete.indexOf(DELIVERY, i + 1)) {
                        delivered++;
                    }
                    Matcher m = DROPPED.matcher(complete);
                    while (m.find()) {
                        dropped += Long.parseLong(m.group(1));
                    }
                }
                assertTrue(dropped > 0, "a stalled reader loses events: " + delivered + " written");
                assertTrue(delivered > 0);
                assertEquals(EVENTS, delivered + dropped, "each event written or counted as dropped");
            }
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }
}

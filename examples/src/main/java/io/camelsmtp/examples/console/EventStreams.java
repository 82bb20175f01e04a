package io.camelsmtp.examples.console;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import io.camelsmtp.smtp.queue.DeliveryEvent;
import io.camelsmtp.smtp.queue.MailQueue;
import io.camelsmtp.smtp.queue.SmtpQueueComponent;
import io.vertx.core.Context;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.apache.camel.CamelContext;

/**
 * {@code GET /queue/{name}/events}: the queue's delivery events as server-sent events ({@code text/event-stream}),
 * one {@code event: delivery} per {@link DeliveryEvent} with its JSON as data. The admin token is needed like on every
 * {@code /queue} path (the console reads the stream with fetch(), since EventSource cannot send a header).
 * <p>
 * Bounded on every side: at most {@code console.maxStreams} streams at once (503 beyond); per stream at most
 * {@value #BUFFERED} events wait for a browser that reads slowly or not at all, and Vert.x's write queue of that
 * connection is capped too; what does not fit is dropped and counted, and the stream says so with an
 * {@code event: dropped} ({@code {"dropped": n}}) once it can write again. Delivery never waits for a browser: the
 * queue's listener only offers the event to the buffer. A comment line every 15 s finds closed connections.
 */
public final class EventStreams {

    /** Events kept per stream while its browser does not read. */
    static final int BUFFERED = 256;
    private static final int WRITE_QUEUE_OCTETS = 64 * 1024;
    private static final long HEARTBEAT_MILLIS = 15_000;

    private final CamelContext context;
    private final int maxStreams;
    private final AtomicInteger open = new AtomicInteger();

    public EventStreams(CamelContext context, int maxStreams) {
        if (maxStreams < 1 || maxStreams > 1000) {
            throw new IllegalArgumentException("console.maxStreams must be 1 to 1000: " + maxStreams);
        }
        this.context = context;
        this.maxStreams = maxStreams;
    }

    /** Adds the route; the guard, installed first, checks Host and the admin token. */
    public void install(Router router) {
        router.get("/queue/:name/events").handler(this::open);
    }

    /** Streams open now. */
    int open() {
        return open.get();
    }

    private void open(RoutingContext ctx) {
        String name = ctx.pathParam("name");
        SmtpQueueComponent component = context.getComponent("smtp-queue", SmtpQueueComponent.class);
        MailQueue queue = component == null || name == null ? null : component.getQueue(name);
        HttpServerResponse res = ctx.response();
        if (queue == null) {
            res.setStatusCode(404).putHeader("Content-Type", "application/json").end("{\"error\":\"no such queue\"}");
            return;
        }
        if (open.incrementAndGet() > maxStreams) {
            open.decrementAndGet();
            res.setStatusCode(503).putHeader("Retry-After", "10").putHeader("Content-Type", "application/json")
                    .end("{\"error\":\"already " + maxStreams + " event streams open (console.maxStreams)\"}");
            return;
        }
        res.setChunked(true).setWriteQueueMaxSize(WRITE_QUEUE_OCTETS)
                .putHeader("Content-Type", "text/event-stream; charset=utf-8")
                .putHeader("Cache-Control", "no-store")
                .putHeader("X-Content-Type-Options", "nosniff");
        Stream stream = new Stream(res, ctx.vertx().getOrCreateContext());
        AtomicBoolean closed = new AtomicBoolean();
        long timer = ctx.vertx().setPeriodic(HEARTBEAT_MILLIS, t -> {
            if (!res.writeQueueFull()) {
                stream.write(": keep-alive\n\n");
            }
        });
        Runnable close = () -> {
            if (closed.compareAndSet(false, true)) {
                queue.removeEventListener(stream);
                ctx.vertx().cancelTimer(timer);
                open.decrementAndGet();
            }
        };
        res.closeHandler(v -> close.run());
        res.exceptionHandler(e -> close.run());
        res.write("retry: 5000\n: events of queue " + name + "\n\n");
        queue.addEventListener(stream);
    }

    /** One browser's stream: a bounded buffer between the delivering threads and the connection's event loop. */
    static final class Stream implements Consumer<DeliveryEvent> {

        private final HttpServerResponse res;
        private final Context loop;
        private final ArrayBlockingQueue<DeliveryEvent> buffer = new ArrayBlockingQueue<>(BUFFERED);
        private final AtomicBoolean scheduled = new AtomicBoolean();
        private final AtomicLong dropped = new AtomicLong();

        Stream(HttpServerResponse res, Context loop) {
            this.res = res;
            this.loop = loop;
        }

        /** On a delivering thread: never blocks. */
        @Override
        public void accept(DeliveryEvent event) {
            if (!buffer.offer(event)) {
                dropped.incrementAndGet();
            }
            if (scheduled.compareAndSet(false, true)) {
                loop.runOnContext(v -> drain());
            }
        }

        /** On the event loop: writes what the connection takes, waits for it to drain for the rest. */
        private void drain() {
            scheduled.set(false);
            if (res.closed() || res.ended()) {
                buffer.clear();
                return;
            }
            DeliveryEvent e;
            while (!res.writeQueueFull()) {
                long lost = dropped.getAndSet(0);
                if (lost > 0) {
                    write("event: dropped\ndata: {\"dropped\":" + lost + "}\n\n");
                    continue;
                }
                if ((e = buffer.poll()) == null) {
                    return;
                }
                write("event: delivery\ndata: " + e.toJson() + "\n\n");
            }
            res.drainHandler(v -> {
                if (scheduled.compareAndSet(false, true)) {
                    drain();
                }
            });
        }

        /** Events waiting for the connection now. */
        int buffered() {
            return buffer.size();
        }

        void write(String text) {
            if (!res.closed() && !res.ended()) {
                res.write(Buffer.buffer(text.getBytes(StandardCharsets.UTF_8)));
            }
        }
    }
}

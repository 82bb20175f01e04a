package io.camelsmtp.examples.console;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.camelsmtp.smtp.queue.MailQueue;
import io.camelsmtp.smtp.queue.SmtpQueueComponent;
import org.apache.camel.CamelContext;
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Samples every open queue at a fixed interval (10 s by default, {@code console.sampleInterval} in seconds) into a
 * ring buffer per queue that holds one hour: the console's chart of queue size and delivery rates. Memory is bounded
 * by the number of queues times the samples of an hour (360 of 8 numbers each by default); a queue that closes keeps
 * its buffer until it opens again, so nothing grows with traffic.
 */
public final class QueueSampler extends ServiceSupport {

    private static final Logger LOG = LoggerFactory.getLogger(QueueSampler.class);
    private static final long HOUR_SECONDS = 3600;
    /** Names of the columns of each sample, in order. */
    public static final List<String> COLUMNS =
            List.of("time", "size", "held", "queued", "delivered", "deferred", "bounced", "expired");

    private final CamelContext context;
    private final long intervalSeconds;
    private final int capacity;
    private final Map<String, Ring> rings = new HashMap<>();
    private ScheduledExecutorService executor;

    public QueueSampler(CamelContext context, long intervalSeconds) {
        if (intervalSeconds < 1 || intervalSeconds > HOUR_SECONDS) {
            throw new IllegalArgumentException("console.sampleInterval must be 1 to 3600 seconds: " + intervalSeconds);
        }
        this.context = context;
        this.intervalSeconds = intervalSeconds;
        this.capacity = (int) (HOUR_SECONDS / intervalSeconds) + 1;
    }

    private static final class Ring {
        final long[][] samples;
        int next;
        int count;

        Ring(int capacity) {
            samples = new long[capacity][];
        }

        void add(long[] sample) {
            samples[next] = sample;
            next = (next + 1) % samples.length;
            count = Math.min(count + 1, samples.length);
        }

        List<long[]> inOrder() {
            List<long[]> out = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                out.add(samples[(next - count + i + samples.length) % samples.length]);
            }
            return out;
        }
    }

    @Override
    protected void doStart() throws Exception {
        executor = context.getExecutorServiceManager().newSingleThreadScheduledExecutor(this, "ConsoleSampler");
        executor.scheduleAtFixedRate(this::sampleSafely, 0, intervalSeconds, TimeUnit.SECONDS);
    }

    @Override
    protected void doStop() throws Exception {
        if (executor != null) {
            context.getExecutorServiceManager().shutdownNow(executor);
            executor = null;
        }
    }

    private void sampleSafely() {
        try {
            sample();
        } catch (RuntimeException e) {
            LOG.warn("Console sampler: {}", e.toString()); // the next tick tries again
        }
    }

    /** Takes one sample of every open queue now. */
    void sample() {
        SmtpQueueComponent component = context.getComponent("smtp-queue", SmtpQueueComponent.class);
        if (component == null) {
            return;
        }
        long now = System.currentTimeMillis();
        for (String name : component.queueNames()) {
            MailQueue q = component.getQueue(name);
            if (q == null) {
                continue;
            }
            long[] s = { now, q.size(), q.heldCount(), q.queuedTotal(), q.deliveredTotal(), q.deferredTotal(),
                         q.bouncedTotal(), q.expiredTotal() };
            synchronized (this) {
                rings.computeIfAbsent(name, n -> new Ring(capacity)).add(s);
            }
        }
    }

    /** The last hour of one queue: {@code intervalSeconds}, {@code columns} and {@code samples}, oldest first. */
    public synchronized Map<String, Object> series(String queue) {
        Ring r = rings.get(queue);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("queue", queue);
        m.put("intervalSeconds", intervalSeconds);
        m.put("columns", COLUMNS);
        m.put("samples", r == null ? List.of() : r.inOrder());
        return m;
    }
}

package io.camelsmtp.examples.app;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.camelsmtp.smtp.queue.MailQueue;
import io.camelsmtp.examples.console.QueueSampler;
import io.camelsmtp.smtp.queue.QueueListing;
import io.camelsmtp.smtp.queue.QueueQueries;
import io.camelsmtp.smtp.queue.SmtpQueueComponent;
import org.apache.camel.CamelContext;
import org.apache.camel.CamelContextAware;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.health.HealthCheck;
import org.apache.camel.health.HealthCheckHelper;

/**
 * The queue operations behind the app's admin HTTP endpoints (routes/queue-admin.camel.yaml): what {@code mailq},
 * {@code postqueue -f} and {@code postsuper -d/-h/-H} do for Postfix, and the app's readiness. The queue name and message id come from the
 * path ({@code name}, {@code id} headers); an unknown queue or id answers 404.
 */
public class QueueAdmin implements CamelContextAware {

    private CamelContext context;

    @Override
    public CamelContext getCamelContext() {
        return context;
    }

    @Override
    public void setCamelContext(CamelContext context) {
        this.context = context;
    }

    private MailQueue queue(Exchange exchange) {
        String name = exchange.getMessage().getHeader("name", String.class);
        MailQueue q = name == null ? null : context.getComponent("smtp-queue", SmtpQueueComponent.class).getQueue(name);
        if (q == null) {
            notFound(exchange, "no queue named " + name);
        }
        return q;
    }

    private static Map<String, Object> notFound(Exchange exchange, String why) {
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, 404);
        return Map.of("error", why);
    }

    /**
     * GET /queue/{name}: every message, oldest first. With {@code offset}, {@code limit} or {@code q} (a substring of
     * the queue id, sender or a recipient) in the query: one page of the matches, searched and paged here, as
     * {@code {"queue", "total", "offset", "limit", "items"}}: what the console asks for, fast with 100,000 queued.
     */
    public Object list(Exchange exchange) {
        MailQueue q = queue(exchange);
        if (q == null) {
            return Map.of("error", "no such queue");
        }
        Message in = exchange.getMessage();
        String offset = in.getHeader("offset", String.class);
        String limit = in.getHeader("limit", String.class);
        String query = in.getHeader("q", String.class);
        if (offset == null && limit == null && query == null) {
            return q.list().stream().map(QueueListing::toMap).toList();
        }
        int o = number(offset, 0, Integer.MAX_VALUE);
        int l = number(limit, 50, QueueQueries.MAX_LIMIT);
        if (o < 0 || l < 1 || query != null && query.length() > MAX_QUERY) {
            exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, 400);
            return Map.of("error", "offset must be a number >= 0, limit 1 to " + QueueQueries.MAX_LIMIT
                                   + ", q at most " + MAX_QUERY + " characters");
        }
        QueueQueries.Page page = new QueueQueries(q).page(o, l, query);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("queue", q.name());
        m.put("total", page.total());
        m.put("offset", page.offset());
        m.put("limit", page.limit());
        m.put("items", page.items().stream().map(QueueListing::toMap).toList());
        return m;
    }

    private static final int MAX_QUERY = 320;

    /** The number in {@code text}, {@code fallback} when absent, -1 when it is not a number in 0..max. */
    private static int number(String text, int fallback, int max) {
        if (text == null || text.isEmpty()) {
            return fallback;
        }
        if (!text.matches("\\d{1,10}")) {
            return -1;
        }
        long n = Long.parseLong(text);
        return n > max ? -1 : (int) n;
    }

    /** GET /queue: every open queue with its size, held messages, oldest age and outcome counters. */
    public Map<String, Object> queues(Exchange exchange) {
        SmtpQueueComponent component = context.getComponent("smtp-queue", SmtpQueueComponent.class);
        List<Map<String, Object>> list = new java.util.ArrayList<>();
        for (String name : component.queueNames()) {
            MailQueue q = component.getQueue(name);
            if (q != null) {
                exchange.getMessage().setHeader("name", name);
                list.add(stats(exchange));
            }
        }
        return Map.of("queues", list);
    }

    /** GET /queue/{name}/destinations: the 50 recipient domains with the most pending recipients, their state. */
    public Object destinations(Exchange exchange) {
        MailQueue q = queue(exchange);
        return q == null ? Map.of("error", "no such queue") : Map.of("queue", q.name(), "destinations",
                new QueueQueries(q).destinations(50));
    }

    /** GET /queue/{name}/{id}/history: attempts, next attempt, last error, and each recipient's state and last reply. */
    public Object history(Exchange exchange) {
        MailQueue q = queue(exchange);
        if (q == null) {
            return Map.of("error", "no such queue");
        }
        String id = exchange.getMessage().getHeader("id", String.class);
        QueueQueries.History h = id == null ? null : new QueueQueries(q).history(id);
        if (h == null) {
            return notFound(exchange, "no message " + id + " in queue " + q.name());
        }
        Map<String, Object> m = new LinkedHashMap<>(QueueListing.toMap(h.item()));
        m.put("recipients", h.recipients());
        return m;
    }

    /** GET /queue/{name}/samples: the last hour of size and outcome counters, for the console's chart. */
    public Object samples(Exchange exchange) {
        MailQueue q = queue(exchange);
        if (q == null) {
            return Map.of("error", "no such queue");
        }
        QueueSampler sampler = context.getRegistry().lookupByNameAndType("consoleSampler", QueueSampler.class);
        return sampler == null ? notFound(exchange, "no sampler") : sampler.series(q.name());
    }

    /** GET /queue/{name}/mailq: the same as text, like mailq. */
    public String mailq(Exchange exchange) {
        MailQueue q = queue(exchange);
        exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "text/plain; charset=utf-8");
        return q == null ? "no such queue\n" : QueueListing.format(q);
    }

    /**
     * GET /queue/{name}/stats: depth, held, age of the oldest message, outcome counters, and whether the messages
     * waiting at start are still being read ({@code recovering}, {@code recovered} so far).
     */
    public Map<String, Object> stats(Exchange exchange) {
        MailQueue q = queue(exchange);
        if (q == null) {
            return Map.of("error", "no such queue");
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("queue", q.name());
        m.put("spoolDirectory", q.spoolDirectory().toString());
        m.put("size", q.size());
        m.put("recovering", q.recovering());
        m.put("recovered", q.recoveredCount());
        m.put("recoveryFailure", q.recoveryFailure());
        m.put("held", q.heldCount());
        m.put("oldestAgeSeconds", q.oldestAgeSeconds());
        m.put("queued", q.queuedTotal());
        m.put("messagesPerSync", q.messagesPerSync());
        m.put("delivered", q.deliveredTotal());
        m.put("deferred", q.deferredTotal());
        m.put("bounced", q.bouncedTotal());
        m.put("expired", q.expiredTotal());
        m.put("storageFailure", q.storageFailure());
        m.put("shaping", q.sites().rules());
        return m;
    }

    /**
     * GET /queue/{name}/sites: the destination sites with deliveries running, mail in line or a reaction in force
     * (suspended, rate lowered, rerouted: until when and why), and the shaping rules file in force.
     */
    public Map<String, Object> sites(Exchange exchange) {
        MailQueue q = queue(exchange);
        if (q == null) {
            return Map.of("error", "no such queue");
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("queue", q.name());
        m.put("shaping", q.sites().rules());
        m.put("sites", q.sites().list());
        return m;
    }

    /** POST /queue/{name}/sites/{site}/resume: lift a site's suspension (or lowered rate, or smart host) now. */
    public Map<String, Object> resumeSite(Exchange exchange) {
        MailQueue q = queue(exchange);
        if (q == null) {
            return Map.of("error", "no such queue");
        }
        String site = exchange.getMessage().getHeader("site", String.class);
        if (site == null || !q.sites().resume(site)) {
            return notFound(exchange, "no site " + site + " with a state in queue " + q.name());
        }
        return Map.of("resumed", List.of(site));
    }

    /** POST /queue/{name}/flush: retry every waiting message now. */
    public Map<String, Object> flush(Exchange exchange) {
        MailQueue q = queue(exchange);
        return q == null ? Map.of("error", "no such queue") : Map.of("flushed", q.flush());
    }

    /** DELETE /queue/{name}/{id}: remove without notification. */
    public Map<String, Object> delete(Exchange exchange) throws Exception {
        return act(exchange, "deleted", (q, id) -> q.delete(id));
    }

    /** POST /queue/{name}/{id}/hold. */
    public Map<String, Object> hold(Exchange exchange) throws Exception {
        return act(exchange, "held", (q, id) -> q.hold(id));
    }

    /** POST /queue/{name}/{id}/release: deliver a held message now. */
    public Map<String, Object> release(Exchange exchange) throws Exception {
        return act(exchange, "released", (q, id) -> q.release(id));
    }

    /**
     * GET /health: every readiness check (each SMTP listener bound, each queue able to store, the relay's DNS
     * answering, Camel's routes and context); 503 when one is DOWN.
     */
    public Map<String, Object> health(Exchange exchange) {
        return report(exchange, HealthCheckHelper.invokeReadiness(context, "full"));
    }

    /** GET /health/live: the liveness checks only (Camel's context; none of ours does I/O); 503 when one is DOWN. */
    public Map<String, Object> liveness(Exchange exchange) {
        return report(exchange, HealthCheckHelper.invokeLiveness(context));
    }

    private static Map<String, Object> report(Exchange exchange, java.util.Collection<HealthCheck.Result> results) {
        Map<String, Object> checks = new LinkedHashMap<>();
        boolean up = true;
        for (HealthCheck.Result r : results) {
            checks.put(r.getCheck().getId(), r.getState().name() + r.getMessage().map(m -> ": " + m).orElse(""));
            up &= r.getState() != HealthCheck.State.DOWN;
        }
        if (!up) {
            exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, 503);
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("status", up ? "UP" : "DOWN");
        m.put("checks", checks);
        return m;
    }

    private interface Action {
        boolean apply(MailQueue queue, String id) throws Exception;
    }

    private Map<String, Object> act(Exchange exchange, String done, Action action) throws Exception {
        MailQueue q = queue(exchange);
        if (q == null) {
            return Map.of("error", "no such queue");
        }
        String id = exchange.getMessage().getHeader("id", String.class);
        boolean found;
        try {
            found = id != null && action.apply(q, id);
        } catch (IllegalStateException notYetRead) {
            // the queue is still reading its spool and has not come to this id: it may be there, so not a 404
            exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, 409);
            return Map.of("error", notYetRead.getMessage());
        }
        if (!found) {
            return notFound(exchange, "no message " + id + " in queue " + q.name()
                                      + ("released".equals(done) ? " on hold" : ""));
        }
        return Map.of(done, List.of(id));
    }
}

package io.camelsmtp.examples.app;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.camelsmtp.smtp.queue.MailQueue;
import io.camelsmtp.smtp.queue.QueueListing;
import io.camelsmtp.smtp.queue.SmtpQueueComponent;
import org.apache.camel.CamelContext;
import org.apache.camel.CamelContextAware;
import org.apache.camel.Exchange;
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

    /** GET /queue/{name}: every message, oldest first. */
    public Object list(Exchange exchange) {
        MailQueue q = queue(exchange);
        return q == null ? Map.of("error", "no such queue") : q.list().stream().map(QueueListing::toMap).toList();
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
        return m;
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

package io.camelsmtp.examples.app;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.apache.camel.CamelContext;
import org.apache.camel.CamelContextAware;
import org.apache.camel.Exchange;

/**
 * GET /metrics (admin/metrics.camel.yaml): every meter of the app's {@link PrometheusMeterRegistry} in the
 * Prometheus text format 0.0.4. {@link MailRouter} binds the registry before any route starts, so each component
 * finds it and binds its meters ({@code smtp.server.*}, {@code smtp.queue.*}, {@code smtp.relay.*}); the same admin
 * token as the other admin endpoints is needed (see {@link HttpGuard}).
 */
public class MetricsScrape implements CamelContextAware {

    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private CamelContext context;

    @Override
    public CamelContext getCamelContext() {
        return context;
    }

    @Override
    public void setCamelContext(CamelContext context) {
        this.context = context;
    }

    /** The scrape, or a 503 when no Prometheus registry is bound (an app assembled without {@link MailRouter}). */
    public String scrape(Exchange exchange) {
        PrometheusMeterRegistry registry = context.getRegistry().findSingleByType(PrometheusMeterRegistry.class);
        exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, CONTENT_TYPE);
        if (registry == null) {
            exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, 503);
            return "# no Prometheus meter registry is bound\n";
        }
        return registry.scrape();
    }
}

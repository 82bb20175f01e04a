package io.camelsmtp.examples.app;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.apache.camel.CamelContext;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.MainListenerSupport;

/**
 * Binds the app's {@link PrometheusMeterRegistry} into the Camel registry once the properties are known and before any
 * route starts, so each component finds it when it starts and binds its meters; {@link MetricsScrape} serves it at
 * {@code /metrics}. {@code metrics.enabled=false} binds nothing: the components then make no meters and count
 * nothing (what the benchmark of the metrics' cost compares against), and {@code /metrics} answers 503.
 */
public class MetricsRegistry extends MainListenerSupport {

    static final String NAME = "meterRegistry";

    @Override
    public void afterConfigure(BaseMainSupport main) {
        CamelContext context = main.getCamelContext();
        String enabled = AdminHttpServer.property(context, "metrics.enabled", "true").strip();
        if (!enabled.equals("true") && !enabled.equals("false")) {
            throw new IllegalArgumentException("metrics.enabled must be true or false, not '" + enabled + "'");
        }
        if (enabled.equals("true") && context.getRegistry().findSingleByType(MeterRegistry.class) == null) {
            context.getRegistry().bind(NAME, MeterRegistry.class, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
        }
    }
}

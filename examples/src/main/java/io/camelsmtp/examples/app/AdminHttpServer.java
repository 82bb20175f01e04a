package io.camelsmtp.examples.app;

import org.apache.camel.CamelContext;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpServer;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpServerConfiguration;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.MainListenerSupport;

/**
 * Starts the HTTP server behind the app's {@code platform-http} endpoints (the admin routes, and any the user's own
 * routes declare) on {@code admin.host:admin.port}, loopback 8025 by default: queue operations are for operators,
 * not for the network at large.
 */
final class AdminHttpServer extends MainListenerSupport {

    @Override
    public void afterConfigure(BaseMainSupport main) {
        CamelContext context = main.getCamelContext();
        VertxPlatformHttpServerConfiguration http = new VertxPlatformHttpServerConfiguration();
        http.setBindHost(property(context, "admin.host", "127.0.0.1"));
        http.setBindPort(Integer.parseInt(property(context, "admin.port", "8025")));
        try {
            context.addService(new VertxPlatformHttpServer(http));
        } catch (Exception e) {
            throw new IllegalStateException("Cannot start the admin HTTP server on " + http.getBindHost() + ":"
                                            + http.getBindPort() + ": " + e.getMessage(), e);
        }
    }

    static String property(CamelContext context, String name, String fallback) {
        return context.getPropertiesComponent().resolveProperty(name).orElse(fallback);
    }
}

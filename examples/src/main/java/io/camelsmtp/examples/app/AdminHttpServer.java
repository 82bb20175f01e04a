package io.camelsmtp.examples.app;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;

import io.camelsmtp.examples.console.ConsoleFiles;
import io.camelsmtp.examples.console.EventStreams;
import io.camelsmtp.examples.console.QueueSampler;
import org.apache.camel.CamelContext;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpServer;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpServerConfiguration;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.MainListenerSupport;
import org.apache.camel.model.Model;
import org.apache.camel.model.RouteDefinition;

/**
 * Starts the HTTP server behind the app's {@code platform-http} endpoints (the admin routes, and any the user's own
 * routes declare) on {@code admin.host:admin.port}, loopback 8587 by default: queue operations are for operators,
 * not for the network at large. Loopback is not enough (the operator's browser is on it too), so every request first
 * passes {@link HttpGuard}: Host check, bearer token, JSON-only changes; bodies are capped at {@code http.maxBodySize}.
 * The admin token comes from {@code admin.token.secret} or {@code <data.dir>/admin.token}, the token of the other
 * routes from {@code http.token.secret} or {@code <data.dir>/http.token} (see {@link AccessToken}).
 */
final class AdminHttpServer extends MainListenerSupport {

    /**
     * Default of {@code admin.port}: not 8025, the web port of Mailpit and MailHog (nor 1025, 1080, 5000: MailCatcher,
     * MailDev, smtp4dev), which developers run next to a mail router.
     */
    static final String DEFAULT_PORT = "8587";

    /** Default of {@code http.maxBodySize}: a JSON mail of 10 MiB of attachments, base64, fits. */
    static final long DEFAULT_MAX_BODY_SIZE = 16L * 1024 * 1024;

    @Override
    public void afterConfigure(BaseMainSupport main) {
        CamelContext context = main.getCamelContext();
        VertxPlatformHttpServerConfiguration http = new VertxPlatformHttpServerConfiguration();
        http.setBindHost(property(context, "admin.host", "127.0.0.1"));
        http.setBindPort(Integer.parseInt(property(context, "admin.port", DEFAULT_PORT)));
        http.setMaxBodySize(Long.parseLong(property(context, "http.maxBodySize",
                String.valueOf(DEFAULT_MAX_BODY_SIZE))));
        probe(http);
        try {
            QueueSampler sampler = new QueueSampler(context, Long.parseLong(property(context,
                    "console.sampleInterval", "10")));
            context.getRegistry().bind("consoleSampler", sampler);
            context.addService(sampler);
            context.addService(new GuardedHttpServer(http));
        } catch (Exception e) {
            throw new IllegalStateException("Cannot start the admin HTTP server on " + http.getBindHost() + ":"
                                            + http.getBindPort() + ": " + e.getMessage(), e);
        }
    }

    /**
     * Camel's server binds on a Vert.x thread and only logs a failure there ("Unhandled exception"): the app would run
     * on without its admin endpoints, its summary naming a port it does not hold. So try the port before Camel starts
     * anything, and stop start-up with the reason if it cannot be bound; {@link GuardedHttpServer#startServer()} checks
     * again that the server really listens.
     */
    private static void probe(VertxPlatformHttpServerConfiguration http) {
        if (http.getBindPort() == 0) {
            return;
        }
        try (ServerSocket probe = new ServerSocket()) {
            probe.setReuseAddress(true); // as Vert.x binds: a port with connections in TIME_WAIT is free
            probe.bind(new InetSocketAddress(http.getBindHost(), http.getBindPort()));
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalStateException(cannotListen(http, e.getMessage()), e);
        }
    }

    private static String cannotListen(VertxPlatformHttpServerConfiguration http, String reason) {
        return "the admin HTTP server cannot listen on " + http.getBindHost() + ":" + http.getBindPort() + ": " + reason
               + " (set admin.port, or admin.host)";
    }

    static String property(CamelContext context, String name, String fallback) {
        return context.getPropertiesComponent().resolveProperty(name).orElse(fallback);
    }

    /** The Vert.x server with {@link HttpGuard} in front of every route, installed before it listens. */
    static final class GuardedHttpServer extends VertxPlatformHttpServer {

        private final VertxPlatformHttpServerConfiguration configuration;
        private volatile AccessToken adminToken;
        private volatile AccessToken httpToken;

        GuardedHttpServer(VertxPlatformHttpServerConfiguration configuration) {
            super(configuration);
            this.configuration = configuration;
        }

        @Override
        protected void initializeServer() {
            super.initializeServer();
            CamelContext context = getCamelContext();
            Path data = Path.of(property(context, "data.dir", "data"));
            try {
                adminToken = AccessToken.resolve("admin.token.secret",
                        property(context, "admin.token.secret", null), data.resolve("admin.token"));
                httpToken = hasOwnHttpRoutes(context) ? AccessToken.resolve("http.token.secret",
                        property(context, "http.token.secret", null), data.resolve("http.token")) : AccessToken.NONE;
            } catch (IOException e) {
                throw new IllegalStateException("Cannot read or create the HTTP access token under " + data + ": "
                                                + e.getMessage(), e);
            }
            Set<String> allowed = new LinkedHashSet<>();
            for (String name : property(context, "admin.allowedHosts", "").split("[,\\s]+")) {
                if (!name.isEmpty()) {
                    allowed.add(name.toLowerCase(Locale.ROOT));
                }
            }
            HttpGuard guard = new HttpGuard(configuration.getBindHost(), allowed, adminToken, httpToken);
            // the router super.initializeServer() bound: before any route's and before the server listens
            VertxPlatformHttpRouter router = VertxPlatformHttpRouter.lookup(context,
                    VertxPlatformHttpRouter.getRouterNameFromPort(configuration.getPort()));
            if (router == null) {
                throw new IllegalStateException("platform-http's router is not in the registry: no route may be served"
                                                + " without the guard");
            }
            router.route().order(Integer.MIN_VALUE).handler(guard);
            // the queue console: its static files, and the live events (a stream, which a Camel route cannot serve)
            new ConsoleFiles().install(router);
            new EventStreams(context, Integer.parseInt(property(context, "console.maxStreams", "4"))).install(router);
            router.errorHandler(413, ctx -> HttpGuard.refuse(ctx, 413, "Request body larger than http.maxBodySize ("
                                                                 + configuration.getMaxBodySize() + " octets)"));
        }

        /**
         * Camel's server binds on a Vert.x thread and only logs a failure there ("Unhandled exception"), so the app
         * would run on without its admin endpoints and its summary would name a port it does not hold. A port that
         * cannot be bound must stop start-up instead: try it first, then check the server really listens.
         */
        @Override
        protected void startServer() throws Exception {
            super.startServer();
            if (getServer() == null || getServer().actualPort() <= 0) {
                // the port was free at the probe (afterConfigure) and taken since: Vert.x has logged why
                throw new IOException(cannotListen(configuration, "the HTTP server did not bind (see the log above)"));
            }
        }

        AccessToken adminToken() {
            return adminToken;
        }

        AccessToken httpToken() {
            return httpToken;
        }

        /** Whether a route other than the admin ones takes HTTP requests (http-to-mail's /mail, say). */
        private static boolean hasOwnHttpRoutes(CamelContext context) {
            Model model = context.getCamelContextExtension().getContextPlugin(Model.class);
            for (RouteDefinition route : model.getRouteDefinitions()) {
                String uri = route.getInput() == null ? null : route.getInput().getEndpointUri();
                if (uri != null && (uri.startsWith("platform-http:") || uri.startsWith("rest:"))
                    && (route.getRouteId() == null || !route.getRouteId().startsWith("admin-"))) {
                    return true;
                }
            }
            return false;
        }
    }
}

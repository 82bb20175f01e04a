package io.camelsmtp.examples.app;

import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.PfxOptions;
import org.apache.camel.CamelContext;
import org.apache.camel.Service;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.MainListenerSupport;
import org.apache.camel.support.ResourceHelper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes the MTA-STS policy (RFC 8461 §3.2) of our own domains at {@code https://mta-sts.<domain>/.well-known/mta-sts.txt}
 * when {@code mtaSts.domains} is set, on a listener of its own ({@code mtaSts.host}:{@code mtaSts.port}, 0.0.0.0:8443
 * by default), not on the admin server: the policy is public and must be reachable from the internet, the admin API
 * must not be. This listener has nothing but the policy: GET or HEAD of that one path with a {@code Host} of
 * {@code mta-sts.<domain>} for a configured domain; anything else is 404 (405 for other methods), no body is read,
 * no cookie or token is looked at, so there is nothing for a cross-site request to do. HTTPS with the app's
 * {@code tls.keystore}/{@code tls.password} (RFC 8461 requires HTTPS with a certificate valid for the
 * {@code mta-sts.} name); without them plain HTTP, for a TLS-terminating proxy in front, and a warning.
 */
final class MtaStsPolicyServer extends MainListenerSupport {

    static final String DEFAULT_PORT = "8443";
    static final String PATH = "/.well-known/mta-sts.txt";
    private static final Logger LOG = LoggerFactory.getLogger(MtaStsPolicyServer.class);
    private static final Pattern DOMAIN = Pattern.compile(
            "(?=.{1,240}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+");
    private static final Pattern MX = Pattern.compile("(\\*\\.)?" + DOMAIN.pattern().substring(DOMAIN.pattern().indexOf(')') + 1));

    @Override
    public void afterConfigure(BaseMainSupport main) {
        CamelContext context = main.getCamelContext();
        String domains = AdminHttpServer.property(context, "mtaSts.domains", "");
        if (domains.isBlank()) {
            return; // not configured: nothing listens
        }
        try {
            context.addService(new Listener(context, policyHosts(domains), policy(context)));
        } catch (Exception e) {
            throw new IllegalStateException("MTA-STS policy: " + e.getMessage(), e);
        }
    }

    /** {@code mta-sts.<domain>} for every domain of {@code mtaSts.domains}. */
    static Set<String> policyHosts(String domains) {
        Set<String> hosts = new LinkedHashSet<>();
        for (String d : domains.split("[,\\s]+")) {
            String domain = d.strip().toLowerCase(Locale.ROOT);
            if (domain.isEmpty()) {
                continue;
            }
            if (!DOMAIN.matcher(domain).matches()) {
                throw new IllegalArgumentException("mtaSts.domains: '" + domain + "' is not a domain name");
            }
            hosts.add("mta-sts." + domain);
        }
        return hosts;
    }

    /** The policy text from {@code mtaSts.mode}, {@code mtaSts.mx}, {@code mtaSts.maxAge}, checked. */
    static String policy(CamelContext context) {
        String mode = AdminHttpServer.property(context, "mtaSts.mode", "testing").strip();
        if (!List.of("enforce", "testing", "none").contains(mode)) {
            throw new IllegalArgumentException("mtaSts.mode must be enforce, testing or none, not '" + mode + "'");
        }
        String maxAge = AdminHttpServer.property(context, "mtaSts.maxAge", "604800").strip();
        if (!maxAge.matches("\\d{1,8}") || Long.parseLong(maxAge) > 31_557_600L) {
            throw new IllegalArgumentException("mtaSts.maxAge must be seconds, at most 31557600, not '" + maxAge + "'");
        }
        List<String> mx = new ArrayList<>();
        for (String m : AdminHttpServer.property(context, "mtaSts.mx", "").split("[,\\s]+")) {
            String pattern = m.strip().toLowerCase(Locale.ROOT);
            if (pattern.isEmpty()) {
                continue;
            }
            if (!MX.matcher(pattern).matches()) {
                throw new IllegalArgumentException("mtaSts.mx: '" + pattern + "' is not a host name or *.domain");
            }
            mx.add(pattern);
        }
        if (mx.isEmpty() && !mode.equals("none")) {
            throw new IllegalArgumentException("mtaSts.mx names no MX host (needed unless mtaSts.mode=none)");
        }
        StringBuilder text = new StringBuilder("version: STSv1\r\nmode: ").append(mode).append("\r\n");
        for (String m : mx) {
            text.append("mx: ").append(m).append("\r\n");
        }
        return text.append("max_age: ").append(Long.parseLong(maxAge)).append("\r\n").toString();
    }

    /** The Vert.x listener, a Camel service so it starts and stops with the context. */
    static final class Listener implements Service {
        private final CamelContext context;
        private final Set<String> hosts;
        private final Buffer policy;
        private Vertx vertx;
        private HttpServer server;
        private volatile String address = "";

        Listener(CamelContext context, Set<String> hosts, String policy) {
            this.context = context;
            this.hosts = hosts;
            this.policy = Buffer.buffer(policy);
        }

        @Override
        public void start() {
            String host = AdminHttpServer.property(context, "mtaSts.host", "0.0.0.0");
            int port = Integer.parseInt(AdminHttpServer.property(context, "mtaSts.port", DEFAULT_PORT));
            HttpServerOptions options = new HttpServerOptions().setHost(host).setPort(port)
                    .setIdleTimeout(10).setIdleTimeoutUnit(TimeUnit.SECONDS) // a client that stalls is dropped
                    .setMaxInitialLineLength(1024).setMaxHeaderSize(8192).setCompressionSupported(false);
            String keystore = AdminHttpServer.property(context, "tls.keystore", null);
            if (keystore != null) {
                try (InputStream in = ResourceHelper.resolveMandatoryResourceAsInputStream(context, keystore)) {
                    options.setSsl(true).setKeyCertOptions(new PfxOptions().setValue(Buffer.buffer(in.readAllBytes()))
                            .setPassword(AdminHttpServer.property(context, "tls.password", "")));
                } catch (Exception e) {
                    throw new IllegalStateException("MTA-STS policy: cannot read tls.keystore " + keystore + ": "
                                                    + e.getMessage(), e);
                }
            } else {
                LOG.warn("MTA-STS policy served over plain HTTP on {}:{} (no tls.keystore): senders fetch it only over"
                         + " HTTPS, so a TLS-terminating proxy must stand in front", host, port);
            }
            vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1)
                    .setInternalBlockingPoolSize(1));
            try {
                server = vertx.createHttpServer(options).requestHandler(this::handle).listen()
                        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                stop();
                throw new IllegalStateException("the MTA-STS policy server cannot listen on " + host + ":" + port + ": "
                                                + (e.getCause() != null ? e.getCause().getMessage() : e.getMessage())
                                                + " (set mtaSts.port, or mtaSts.host)", e);
            }
            address = (keystore != null ? "https" : "http") + "://" + host + ":" + server.actualPort() + PATH;
            LOG.info("MTA-STS policy for {} at {}", hosts, address);
        }

        /** For the start-up summary: where the policy is served, for which host names, and its mode. */
        String summary() {
            String text = policy.toString();
            int at = text.indexOf("mode: ");
            String mode = at < 0 ? "?" : text.substring(at + 6, text.indexOf('\r', at));
            return address + " for " + String.join(", ", new TreeSet<>(hosts)) + " (mode " + mode + ")"
                   + StartupSummary.reach(AdminHttpServer.property(context, "mtaSts.host", "0.0.0.0"));
        }

        private void handle(HttpServerRequest request) {
            String host = request.authority() == null ? null : request.authority().host().toLowerCase(Locale.ROOT);
            if (request.headers().getAll("Host").size() > 1 || host == null || !hosts.contains(host)
                || !PATH.equals(request.path())) {
                end(request, 404, Buffer.buffer("Not found\r\n"));
            } else if (!request.method().equals(HttpMethod.GET) && !request.method().equals(HttpMethod.HEAD)) {
                request.response().putHeader("Allow", "GET, HEAD");
                end(request, 405, Buffer.buffer("Method not allowed\r\n"));
            } else {
                end(request, 200, policy);
            }
        }

        private static void end(HttpServerRequest request, int status, Buffer body) {
            request.response().setStatusCode(status).putHeader("Content-Type", "text/plain; charset=utf-8")
                    .putHeader("X-Content-Type-Options", "nosniff").putHeader("Cache-Control", "max-age=300");
            if (request.method().equals(HttpMethod.HEAD)) {
                request.response().putHeader("Content-Length", String.valueOf(body.length())).end();
            } else {
                request.response().end(body);
            }
        }

        int port() {
            return server == null ? -1 : server.actualPort();
        }

        @Override
        public void stop() {
            if (vertx != null) {
                try {
                    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
                } catch (Exception e) {
                    LOG.warn("Stopping the MTA-STS policy server: {}", e.toString());
                }
                vertx = null;
                server = null;
            }
        }
    }
}

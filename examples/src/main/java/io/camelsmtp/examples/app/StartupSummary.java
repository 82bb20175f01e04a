package io.camelsmtp.examples.app;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.camelsmtp.smtp.queue.MailQueue;
import io.camelsmtp.smtp.queue.SmtpQueueComponent;
import io.camelsmtp.smtp.queue.SmtpQueueEndpoint;
import io.camelsmtp.smtp.server.SmtpServerConfiguration;
import io.camelsmtp.smtp.server.SmtpServerEndpoint;
import org.apache.camel.CamelContext;
import org.apache.camel.Endpoint;
import org.apache.camel.Route;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.MainListenerSupport;
import org.apache.camel.util.URISupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs, once the app has started, what an operator checks first: which SMTP listeners are open where and with what
 * security, where the HTTP server listens and where its bearer tokens are, where each queue keeps its spool and how
 * much it holds, and which routes came from which file. Camel's own start-up lines give route ids and endpoint URIs but not this.
 */
final class StartupSummary extends MainListenerSupport {

    private static final Logger LOG = LoggerFactory.getLogger("camel-smtp");

    @Override
    public void afterStart(BaseMainSupport main) {
        for (String line : lines(main.getCamelContext())) {
            LOG.info(line);
        }
    }

    static List<String> lines(CamelContext context) {
        List<String> lines = new ArrayList<>();
        lines.add("camel-smtp started:");
        for (Route route : context.getRoutes()) {
            if (route.getEndpoint() instanceof SmtpServerEndpoint smtp) {
                SmtpServerConfiguration options = smtp.getConfiguration();
                lines.add("  SMTP   " + smtp.getHost() + ":" + smtp.getPort() + reach(smtp.getHost()) + "  " + security(options) + ", domains "
                          + (options.getAcceptedDomains() != null ? options.getAcceptedDomains() : "(none: policy or AUTH)")
                          + "  route " + route.getRouteId());
            }
        }
        AdminHttpServer.GuardedHttpServer http = context.hasService(AdminHttpServer.GuardedHttpServer.class);
        // the port the server holds (admin.port=0 picks one), else the configured one
        String port = http != null && http.getServer() != null && http.getServer().actualPort() > 0
                ? String.valueOf(http.getServer().actualPort())
                : AdminHttpServer.property(context, "admin.port", AdminHttpServer.DEFAULT_PORT);
        String httpHost = AdminHttpServer.property(context, "admin.host", "127.0.0.1");
        lines.add("  HTTP   " + httpHost + ":" + port + reach(httpHost)
                  + "  admin: /queue/NAME, /health, /metrics"
                  + token(http == null ? null : http.adminToken()) + httpRoutes(context)
                  + token(http == null ? null : http.httpToken()));
        lines.add("  Console " + consoleUrl(httpHost, port) + "  (the admin token: paste it there, or add #token=...)");
        MtaStsPolicyServer.Listener sts = context.hasService(MtaStsPolicyServer.Listener.class);
        if (sts != null) {
            lines.add("  MTA-STS " + sts.summary());
        }
        Map<String, SmtpQueueEndpoint> queues = new LinkedHashMap<>();
        for (Endpoint endpoint : context.getEndpoints()) {
            if (endpoint instanceof SmtpQueueEndpoint queue) {
                queues.putIfAbsent(queue.getName(), queue);
            }
        }
        SmtpQueueComponent queueComponent = queues.isEmpty() ? null
                : context.getComponent("smtp-queue", SmtpQueueComponent.class);
        for (String name : queues.keySet()) {
            MailQueue queue = queueComponent.getQueue(name);
            lines.add("  queue  " + name + "  spool " + (queue != null ? queue.spoolDirectory().toAbsolutePath()
                    : queues.get(name).getSpoolDirectory())
                      + (queue != null ? "  " + queue.size() + " queued, " + queue.heldCount() + " held" : ""));
        }
        Map<String, List<String>> routesBySource = new LinkedHashMap<>();
        for (Route route : context.getRoutes()) {
            String source = source(route);
            routesBySource.computeIfAbsent(source, s -> new ArrayList<>()).add(route.getRouteId());
        }
        routesBySource.forEach((source, ids) -> lines.add("  routes " + source + ": " + String.join(", ", ids)));
        lines.add("  threads " + ThreadChoice.describe());
        return lines;
    }

    /**
     * A wildcard bind says so: {@code 0.0.0.0} or {@code ::} reaches every interface, the network included, which a
     * newcomer trying a route set on a laptop may not expect.
     */
    static String reach(String host) {
        String h = host == null ? "" : host.strip();
        return h.isEmpty() || "0.0.0.0".equals(h) || "::".equals(h) || "[::]".equals(h) || "::0".equals(h)
                ? " (all interfaces, the network included)" : "";
    }

    /** Where a route came from; a file inside the app's own jar as {@code classpath:}, which is how it was named. */
    private static String source(Route route) {
        if (route.getSourceResource() == null) {
            return "Java";
        }
        String location = route.getSourceResource().getLocation();
        int inJar = location.indexOf(".jar!/");
        return inJar >= 0 ? "classpath:" + location.substring(inJar + ".jar!/".length()) : location;
    }

    private static String security(SmtpServerConfiguration smtp) {
        String tls = smtp.isImplicitTls() ? "TLS"
                : smtp.getSslContextParameters() == null ? "no TLS"
                : smtp.isRequireTls() ? "STARTTLS required" : "STARTTLS";
        String auth = smtp.getAuthenticator() == null ? "no AUTH" : smtp.isRequireAuth() ? "AUTH required" : "AUTH";
        return tls + ", " + auth;
    }

    /** Where a client finds the bearer token: {@code (token in FILE)} or {@code (token from PROPERTY)}. */
    private static String token(AccessToken token) {
        return token == null || token == AccessToken.NONE ? "" : " (token " + token.source() + ")";
    }

    /** The queue console's address, without the token; a wildcard bind address is reached on loopback. */
    static String consoleUrl(String host, String port) {
        String h = switch (host) {
            case "0.0.0.0" -> "127.0.0.1";
            case "::", "[::]", "0:0:0:0:0:0:0:0" -> "[::1]";
            default -> host.indexOf(':') >= 0 && !host.startsWith("[") ? "[" + host + "]" : host;
        };
        return "http://" + h + ":" + port + io.camelsmtp.examples.console.ConsoleFiles.PAGE;
    }

    private static String httpRoutes(CamelContext context) {
        List<String> paths = new ArrayList<>();
        for (Route route : context.getRoutes()) {
            String uri = route.getEndpoint().getEndpointUri();
            if (uri.startsWith("platform-http:") && !route.getRouteId().startsWith("admin-")) {
                String path = uri.substring("platform-http:".length()).replaceFirst("^/+", "/");
                paths.add(URISupport.sanitizeUri(path.replaceFirst("\\?.*", "")));
            }
        }
        return paths.isEmpty() ? "" : ", routes: " + String.join(", ", paths);
    }
}

package io.camelsmtp.examples.app;

import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.camelsmtp.examples.console.ConsoleFiles;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.HostAndPort;
import io.vertx.ext.web.RoutingContext;

/**
 * The first handler of every request to the app's HTTP server, before any route and before the body is read. The
 * server is on loopback, which keeps the network out but not the operator's own browser: any page it shows could
 * POST to 127.0.0.1:8587 (a "simple" cross-site request needs no permission), and a page whose DNS name is rebound
 * to 127.0.0.1 could even read the answers. So, in this order:
 * <ol>
 * <li>the {@code Host} header must name this server: the bound address, {@code localhost}, a name in
 * {@code admin.allowedHosts}, or (bound to all addresses) any IP address literal; anything else (a rebound DNS name)
 * gets {@code 421 Misdirected Request};</li>
 * <li>{@code Authorization: Bearer <token>} must carry the admin token for {@code /queue...}, {@code /health} and
 * {@code /metrics} (a Prometheus scraper sends it from a credentials file),
 * nothing for a GET of exactly the queue console's static files ({@link ConsoleFiles}: they hold no data),
 * the HTTP token for every other path ({@code /mail}, routes of your own): else {@code 401};</li>
 * <li>GET and HEAD only read; a change must be a POST or DELETE ({@code 405} otherwise) with
 * {@code Content-Type: application/json} ({@code 415} otherwise), which no cross-site form or simple request can
 * send without the browser asking the server first, and this server never says yes.</li>
 * </ol>
 * Bodies larger than {@code http.maxBodySize} get {@code 413} from the body handler behind this one. Every refusal is
 * a JSON {@code {"error": "..."}}.
 */
final class HttpGuard implements Handler<RoutingContext> {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final Pattern IPV6 = Pattern.compile("\\[[0-9a-f:.]+\\]");

    private final Set<String> hosts;
    private final boolean anyAddressLiteral;
    private final AccessToken admin;
    private final AccessToken http;

    /**
     * @param bindHost     the address the server listens on
     * @param allowedHosts further names clients may use in {@code Host}, lower case
     */
    HttpGuard(String bindHost, Set<String> allowedHosts, AccessToken admin, AccessToken http) {
        String bound = bindHost.toLowerCase(Locale.ROOT);
        if (bound.indexOf(':') >= 0 && !bound.startsWith("[")) {
            bound = "[" + bound + "]";
        }
        this.hosts = new HashSet<>(allowedHosts);
        this.hosts.add("localhost");
        this.hosts.add(bound);
        // bound to every address: clients use whichever they reach; a literal address cannot be rebound by DNS
        this.anyAddressLiteral = Set.of("0.0.0.0", "[::]", "[0:0:0:0:0:0:0:0]").contains(bound);
        this.admin = admin;
        this.http = http;
    }

    /**
     * Whether a path belongs to the admin endpoints (admin/queue-admin.camel.yaml): the router's normalized path, so
     * that {@code /mail/../queue/x/flush} is an admin path too.
     */
    static boolean isAdminPath(String path) {
        String p = path.toLowerCase(Locale.ROOT);
        for (String prefix : List.of("/queue", "/health", "/metrics")) {
            if (p.equals(prefix) || p.startsWith(prefix + "/")) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void handle(RoutingContext ctx) {
        HttpServerRequest request = ctx.request();
        // HTTP/1.x: the Host header, exactly one; HTTP/2 (Java's HttpClient upgrades to h2c): :authority
        List<String> hostHeaders = request.headers().getAll("Host");
        HostAndPort authority = hostHeaders.size() > 1 ? null : request.authority();
        String host = authority == null ? null : hostName(authority.host());
        if (host == null || !(hosts.contains(host) || anyAddressLiteral && isAddressLiteral(host))) {
            String named = authority != null ? authority.host() + (authority.port() < 0 ? "" : ":" + authority.port())
                    : String.join(", ", hostHeaders);
            refuse(ctx, 421, "Host " + (named.isEmpty() ? "missing" : "'" + clean(named) + "'")
                             + " is not this server: use the address it listens on, or localhost");
            return;
        }
        String path = ctx.normalizedPath();
        if (request.method().equals(HttpMethod.GET) && ConsoleFiles.isPublicFile(path)) {
            ctx.next(); // the console's page, script and style: no data in them, every call they make needs the token
            return;
        }
        boolean adminPath = path == null || isAdminPath(path); // no path to tell by: the stricter token
        if (!(adminPath ? admin : http).matches(request.getHeader("Authorization"))) {
            ctx.response().putHeader("WWW-Authenticate", "Bearer realm=\"camel-smtp\"");
            refuse(ctx, 401, "Authorization: Bearer <" + (adminPath ? "admin" : "HTTP")
                             + " token> required (the start-up log says where the token is)");
            return;
        }
        HttpMethod method = request.method();
        if (method.equals(HttpMethod.GET) || method.equals(HttpMethod.HEAD)) {
            ctx.next();
            return;
        }
        if (!method.equals(HttpMethod.POST) && !method.equals(HttpMethod.DELETE)) {
            ctx.response().putHeader("Allow", "GET, HEAD, POST, DELETE");
            refuse(ctx, 405, "Method " + method.name() + " not allowed: GET reads, POST and DELETE change");
            return;
        }
        if (!isJson(request.getHeader("Content-Type"))) {
            refuse(ctx, 415, "A " + method.name() + " needs Content-Type: application/json");
            return;
        }
        ctx.next();
    }

    /** The host as compared: lower case, an IPv6 address in brackets; null when there is none. */
    static String hostName(String host) {
        if (host == null || host.isBlank()) {
            return null;
        }
        String h = host.strip().toLowerCase(Locale.ROOT);
        return h.indexOf(':') >= 0 && !h.startsWith("[") ? "[" + h + "]" : h;
    }

    private static boolean isAddressLiteral(String host) {
        return IPV4.matcher(host).matches() || IPV6.matcher(host).matches();
    }

    /** {@code application/json}, with or without parameters such as {@code charset=utf-8}. */
    static boolean isJson(String contentType) {
        if (contentType == null) {
            return false;
        }
        int semi = contentType.indexOf(';');
        return (semi < 0 ? contentType : contentType.substring(0, semi)).strip().equalsIgnoreCase("application/json");
    }

    private static String clean(String value) {
        return (value.length() > 100 ? value.substring(0, 100) + "..." : value).replaceAll("[^\\x20-\\x7e]", "?");
    }

    static void refuse(RoutingContext ctx, int status, String error) {
        String body;
        try {
            body = JSON.writeValueAsString(Map.of("error", error));
        } catch (JsonProcessingException e) {
            body = "{}";
        }
        ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(body);
    }
}

package io.camelsmtp.examples.console;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;

import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * The queue console's three static files (classpath {@code console/}): a page, its one script and its style. They
 * carry no data, so they are the only paths the admin HTTP server answers without a token (GET only, exactly these
 * paths); every number they show comes from {@code /queue...} calls that the script makes with the admin token.
 * Served with a Content-Security-Policy that allows only this origin's own script and style (no inline script, no
 * CDN) and no framing, never cached.
 */
public final class ConsoleFiles implements Handler<RoutingContext> {

    /** Path of the page; the start-up summary names it. */
    public static final String PAGE = "/console";

    private static final Map<String, String[]> FILES = Map.of(
            PAGE, new String[] { "console/index.html", "text/html; charset=utf-8" },
            "/console/console.js", new String[] { "console/console.js", "text/javascript; charset=utf-8" },
            "/console/console.css", new String[] { "console/console.css", "text/css; charset=utf-8" });

    private final Map<String, Buffer> content;

    public ConsoleFiles() {
        content = Map.of(PAGE, load(FILES.get(PAGE)[0]), "/console/console.js", load("console/console.js"),
                "/console/console.css", load("console/console.css"));
    }

    /** Whether a GET of this (normalized) path may go without a token: one of the console's static files. */
    public static boolean isPublicFile(String path) {
        return path != null && FILES.containsKey(path);
    }

    /** Adds a GET route for each file; the guard, installed first, still checks Host on each. */
    public void install(Router router) {
        for (String path : FILES.keySet()) {
            router.get(path).handler(this);
        }
    }

    @Override
    public void handle(RoutingContext ctx) {
        String path = ctx.normalizedPath();
        HttpServerResponse res = ctx.response();
        securityHeaders(res);
        res.putHeader("Content-Type", FILES.get(path)[1]).end(content.get(path));
    }

    /** The headers of every console file: own-origin script and style only, no framing, no caching, no sniffing. */
    static void securityHeaders(HttpServerResponse res) {
        res.putHeader("Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'; base-uri 'none';"
                                                 + " form-action 'none'")
                .putHeader("Cache-Control", "no-store")
                .putHeader("X-Content-Type-Options", "nosniff")
                .putHeader("Referrer-Policy", "no-referrer");
    }

    private static Buffer load(String resource) {
        try (InputStream in = ConsoleFiles.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("The console file " + resource + " is not on the class path");
            }
            return Buffer.buffer(in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

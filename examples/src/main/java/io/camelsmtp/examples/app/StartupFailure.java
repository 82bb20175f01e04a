package io.camelsmtp.examples.app;

import java.util.ArrayList;
import java.util.List;

import org.apache.camel.CamelContext;
import org.apache.camel.FailedToCreateRouteException;
import org.apache.camel.FailedToStartRouteException;
import org.apache.camel.LineNumberAware;
import org.apache.camel.ResolveEndpointFailedException;
import org.apache.camel.model.EndpointRequiredDefinition;
import org.apache.camel.model.Model;
import org.apache.camel.model.ProcessorDefinition;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.support.EndpointHelper;
import org.apache.camel.util.URISupport;

/**
 * Turns an exception that stopped start-up into a few lines an operator can act on: the route file and line, the
 * route, the endpoint, and the reason. Camel's own message names the route's file but not the line of
 * the step that failed, and repeats the endpoint URI two or three times over a page of stack trace; the line comes
 * from the route model, whose nodes carry their YAML line when source locations are on (the app turns them on).
 */
final class StartupFailure {

    private StartupFailure() {
    }

    /** The report for a start-up failure; {@code context} may be null when Camel never got that far. */
    static String describe(Throwable failure, CamelContext context) {
        String routeId = null;
        String routeLocation = null;
        Throwable routeFailure = null;
        ResolveEndpointFailedException endpoint = null;
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof FailedToCreateRouteException created && routeId == null) {
                routeId = created.getRouteId();
                routeLocation = created.getLocation();
                routeFailure = t;
            } else if (t instanceof FailedToStartRouteException started && routeId == null) {
                routeId = started.getRouteId();
                routeLocation = started.getLocation();
                routeFailure = t;
            } else if (t instanceof ResolveEndpointFailedException resolve) {
                endpoint = resolve;
            }
            if (t.getCause() == t) {
                break;
            }
        }

        List<String> lines = new ArrayList<>();
        lines.add("camel-smtp could not start.");
        if (routeId == null && endpoint == null) {
            // Parse errors of the YAML DSL already say "in file:..., line N, column M" with the offending line.
            lines.add("  " + message(firstOwnMessage(failure)).strip().replace("\n", "\n  "));
            return String.join("\n", lines);
        }
        RouteDefinition route = routeDefinition(context, routeId);
        String where = routeLocation != null ? routeLocation : route != null ? route.getLocation() : null;
        LineNumberAware node = endpoint != null ? nodeFor(context, route, endpoint.getUri())
                : route != null ? route.getInput() : null;
        if (node != null && node.getLineNumber() > 0) {
            where = (node.getLocation() != null ? node.getLocation() : where) + ":" + node.getLineNumber();
        }
        lines.add("  " + (where != null ? where : "(route source unknown)")
                  + (routeId != null ? " (route " + routeId + ")" : ""));
        if (endpoint != null) {
            lines.add("  endpoint " + URISupport.sanitizeUri(endpoint.getUri()) + ": " + reason(endpoint));
        } else {
            Throwable cause = routeFailure.getCause() != null ? routeFailure.getCause() : routeFailure;
            lines.add("  " + message(firstOwnMessage(cause)));
        }
        return String.join("\n", lines);
    }

    /** The innermost reason of an endpoint failure, without Camel's repeated "Failed to resolve endpoint" prefixes. */
    private static String reason(ResolveEndpointFailedException endpoint) {
        Throwable t = endpoint;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        String message = message(t);
        int due = message.lastIndexOf(" due to: ");
        return due >= 0 ? message.substring(due + " due to: ".length()) : message;
    }

    /**
     * The first exception in the chain that says something of its own: Camel wraps a cause in exceptions whose
     * message is only the cause's {@code toString()}.
     */
    private static Throwable firstOwnMessage(Throwable failure) {
        Throwable t = failure;
        while (t.getCause() != null && t.getCause() != t
               && (t.getMessage() == null || t.getMessage().equals(t.getCause().toString()))) {
            t = t.getCause();
        }
        return t;
    }

    private static String message(Throwable t) {
        return t.getMessage() != null ? t.getMessage() : t.getClass().getName();
    }

    private static RouteDefinition routeDefinition(CamelContext context, String routeId) {
        if (context == null || routeId == null) {
            return null;
        }
        Model model = context.getCamelContextExtension().getContextPlugin(Model.class);
        return model != null ? model.getRouteDefinition(routeId) : null;
    }

    /** The route's input or step whose endpoint URI is {@code uri}; the route's input if none matches. */
    private static LineNumberAware nodeFor(CamelContext context, RouteDefinition route, String uri) {
        if (route == null) {
            return null;
        }
        if (matches(context, route.getInput().getEndpointUri(), uri)) {
            return route.getInput();
        }
        LineNumberAware step = stepFor(context, route.getOutputs(), uri);
        return step != null ? step : route.getInput();
    }

    private static LineNumberAware stepFor(CamelContext context, List<ProcessorDefinition<?>> steps, String uri) {
        for (ProcessorDefinition<?> step : steps) {
            if (step instanceof EndpointRequiredDefinition send && matches(context, send.getEndpointUri(), uri)) {
                return step;
            }
            LineNumberAware nested = stepFor(context, step.getOutputs(), uri);
            if (nested != null) {
                return nested;
            }
        }
        return null;
    }

    private static boolean matches(CamelContext context, String candidate, String uri) {
        if (candidate == null) {
            return false;
        }
        try {
            String resolved = context.resolvePropertyPlaceholders(candidate);
            return EndpointHelper.matchEndpoint(context, resolved, uri)
                   || EndpointHelper.matchEndpoint(context, URISupport.normalizeUri(resolved), uri);
        } catch (Exception unresolvable) {
            return false;
        }
    }
}

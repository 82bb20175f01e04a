package io.camelsmtp.examples.app;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.apache.camel.CamelContext;
import org.apache.camel.Component;
import org.apache.camel.FailedToCreateRouteException;
import org.apache.camel.FailedToStartRouteException;
import org.apache.camel.LineNumberAware;
import org.apache.camel.PropertyBindingException;
import org.apache.camel.ResolveEndpointFailedException;
import org.apache.camel.model.EndpointRequiredDefinition;
import org.apache.camel.model.Model;
import org.apache.camel.model.ProcessorDefinition;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.support.EndpointHelper;
import org.apache.camel.util.URISupport;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;

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
        MarkedYamlEngineException yaml = find(failure, MarkedYamlEngineException.class);
        if (yaml != null && yaml.getProblemMark().isPresent()) {
            lines.add("  " + yamlError(yaml));
            return String.join("\n", lines);
        }
        PropertyBindingException binding = innermost(failure, PropertyBindingException.class);
        String unknownOption = binding != null ? unknownOption(binding, context) : null;
        if (unknownOption != null) {
            lines.add("  " + unknownOption);
            return String.join("\n", lines);
        }
        if (routeId == null && endpoint == null) {
            Throwable own = firstOwnMessage(failure);
            lines.add("  " + message(own).strip().replace("\n", "\n  "));
            // "Error pre-parsing resource: FILE" says where, its innermost cause says what (a property not found)
            Throwable root = rootCause(own);
            if (root != own && root.getMessage() != null && !message(own).contains(root.getMessage())) {
                lines.add("  " + root.getMessage().strip().replace("\n", "\n  "));
            }
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
            lines.add("  endpoint " + URISupport.sanitizeUri(endpoint.getUri()) + ": " + reason(endpoint)
                      + didYouMean(context, endpoint));
        } else {
            Throwable cause = routeFailure.getCause() != null ? routeFailure.getCause() : routeFailure;
            lines.add("  " + message(firstOwnMessage(cause)));
        }
        return String.join("\n", lines);
    }

    /**
     * A syntax error of a YAML route file, as {@code FILE:LINE:COLUMN: problem}: the DSL wraps the parser's error in
     * "Error pre-parsing resource: FILE", which says neither where nor what.
     */
    private static String yamlError(MarkedYamlEngineException yaml) {
        Mark mark = yaml.getProblemMark().orElseThrow();
        StringBuilder b = new StringBuilder(mark.getName()).append(':').append(mark.getLine() + 1).append(':')
                .append(mark.getColumn() + 1).append(": ")
                .append(yaml.getProblem() != null ? yaml.getProblem().strip() : yaml.getClass().getSimpleName());
        if (yaml.getContext() != null) {
            b.append(" (").append(yaml.getContext().strip());
            yaml.getContextMark().filter(m -> m.getLine() != mark.getLine())
                    .ifPresent(m -> b.append(" at line ").append(m.getLine() + 1).append(", column ")
                            .append(m.getColumn() + 1));
            b.append(')');
        }
        Throwable root = rootCause(yaml);
        if (root != yaml && root.getMessage() != null && !b.toString().contains(root.getMessage().strip())) {
            b.append(": ").append(root.getMessage().strip()); // the DSL's own error at that place, a bean's say
        }
        return b.toString();
    }

    /**
     * A property such as {@code camel.component.smtp-server.acceptedDomain} that names no option of its component:
     * the key and the nearest option. Not Camel's message, which also prints the value (a password, say) and the
     * component's object identity. Null when the option exists (a bad value, reported as Camel says).
     */
    private static String unknownOption(PropertyBindingException binding, CamelContext context) {
        if (context == null || !(binding.getTarget() instanceof Component component) || binding.getCause() != null
            || binding.getPropertyName() == null) {
            return null;
        }
        String scheme = OptionNames.schemeOf(context, component);
        Set<String> options = scheme != null ? OptionNames.of(component, scheme, false) : Set.of();
        String name = binding.getPropertyName();
        if (options.isEmpty() || options.stream().anyMatch(name::equalsIgnoreCase)) {
            return null;
        }
        return "camel.component." + scheme + "." + name + ": the " + scheme + " component has no option '" + name + "'"
               + OptionNames.nearest(name, options).map(n -> "; did you mean '" + n + "'?").orElse("");
    }

    /** For unknown parameters of an endpoint URI: {@code ; did you mean 'X'?} per parameter close to an option. */
    private static String didYouMean(CamelContext context, ResolveEndpointFailedException endpoint) {
        String message = reason(endpoint);
        int unknown = message.indexOf("Unknown parameters=[");
        int colon = endpoint.getUri().indexOf(':');
        if (context == null || unknown < 0 || colon <= 0) {
            return "";
        }
        String scheme = endpoint.getUri().substring(0, colon);
        Component component = context.hasComponent(scheme);
        Set<String> options = component != null ? OptionNames.of(component, scheme, true) : Set.of();
        Map<String, Object> parameters;
        try {
            int query = endpoint.getUri().indexOf('?');
            parameters = query < 0 ? Map.of() : URISupport.parseQuery(endpoint.getUri().substring(query + 1));
        } catch (Exception unparsable) {
            return "";
        }
        String listed = message.substring(unknown);
        StringBuilder b = new StringBuilder();
        for (String name : parameters.keySet()) {
            if (listed.contains("{" + name + "=") || listed.contains(", " + name + "=")) {
                OptionNames.nearest(name, options).ifPresent(n -> b.append(b.isEmpty() ? "; " : ", ")
                        .append("did you mean '").append(n).append("'").append(parameters.size() > 1 ? " for '"
                                + name + "'" : "").append('?'));
            }
        }
        return b.toString();
    }

    private static <T extends Throwable> T find(Throwable failure, Class<T> type) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }

    private static <T extends Throwable> T innermost(Throwable failure, Class<T> type) {
        T found = null;
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (type.isInstance(t)) {
                found = type.cast(t);
            }
        }
        return found;
    }

    private static Throwable rootCause(Throwable failure) {
        Throwable t = failure;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t;
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

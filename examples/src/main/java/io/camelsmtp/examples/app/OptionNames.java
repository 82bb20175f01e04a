package io.camelsmtp.examples.app;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

import org.apache.camel.CamelContext;
import org.apache.camel.Component;
import org.apache.camel.util.json.JsonObject;
import org.apache.camel.util.json.Jsoner;

/**
 * The options a component has, from its metadata JSON (the one the docs are checked against), and the option nearest
 * to a misspelled name: "did you mean 'acceptedDomains'?" for {@code acceptedDomain}.
 */
final class OptionNames {

    private OptionNames() {
    }

    /**
     * The valid name nearest to {@code name} by edit distance (ignoring case), if it is close enough to be a typo:
     * at most a quarter of the name's length, 1 to 3 edits; none when the name is itself valid.
     */
    static Optional<String> nearest(String name, Collection<String> valid) {
        int limit = Math.max(1, Math.min(3, name.length() / 4));
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : new TreeSet<>(valid)) {
            int d = distance(name.toLowerCase(Locale.ROOT), candidate.toLowerCase(Locale.ROOT), limit);
            if (d < bestDistance) {
                best = candidate;
                bestDistance = d;
            }
        }
        return bestDistance <= limit && !name.equals(best) ? Optional.of(best) : Optional.empty();
    }

    /** The endpoint options ({@code endpoint} true) or component options of a component; empty when unknown. */
    static Set<String> of(Component component, String scheme, boolean endpoint) {
        String resource = "META-INF/" + component.getClass().getPackageName().replace('.', '/') + "/" + scheme + ".json";
        try (InputStream in = component.getClass().getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                return Set.of();
            }
            JsonObject json = (JsonObject) Jsoner.deserialize(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            Map<String, Object> options = json.getMap(endpoint ? "properties" : "componentProperties");
            return options == null ? Set.of() : new TreeSet<>(options.keySet());
        } catch (Exception unreadable) {
            return Set.of(); // no suggestion rather than a second failure while reporting the first
        }
    }

    /** The name under which {@code component} is registered in {@code context}, or null. */
    static String schemeOf(CamelContext context, Object component) {
        for (String name : context.getComponentNames()) {
            if (context.hasComponent(name) == component) {
                return name;
            }
        }
        return null;
    }

    /**
     * Edit distance counting an insertion, a deletion, a substitution or a swap of two neighbours as one edit (optimal
     * string alignment); {@code limit + 1} as soon as it is known to be larger than {@code limit}.
     */
    static int distance(String a, String b, int limit) {
        if (Math.abs(a.length() - b.length()) > limit) {
            return limit + 1;
        }
        int[] beforePrevious = new int[b.length() + 1];
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            int rowMin = current[0];
            for (int j = 1; j <= b.length(); j++) {
                int d = Math.min(previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1),
                        Math.min(previous[j], current[j - 1]) + 1);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d = Math.min(d, beforePrevious[j - 2] + 1);
                }
                current[j] = d;
                rowMin = Math.min(rowMin, d);
            }
            if (rowMin > limit) {
                return limit + 1;
            }
            int[] recycled = beforePrevious;
            beforePrevious = previous;
            previous = current;
            current = recycled;
        }
        return Math.min(previous[b.length()], limit + 1);
    }
}

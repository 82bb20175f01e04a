package io.camelsmtp.examples;

import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;

import io.camelsmtp.smtp.common.shaping.Rate;
import org.junit.jupiter.api.Test;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * routes/shaping/providers.yaml and providers.properties, the example shaping rule set for the big providers: the
 * two forms hold the same rules, and every value is one the format allows (rates that {@link Rate} parses, TLS
 * modes, actions with what they need, regular expressions that compile, reactions naming existing sites). The
 * queue's own parser will be stricter still; this keeps the data files from rotting until it reads them.
 */
class ShapingRulesFilesTest {

    private static final Path DIR = Path.of("routes/shaping");
    private static final Set<String> SITE_FIELDS = Set.of("domains", "mxSuffixes", "maxConnections",
            "maxMessagesPerConnection", "messageRate", "connectionRate", "tls");
    private static final Set<String> REACTION_FIELDS = Set.of("name", "sites", "code", "enhancedCode", "text",
            "threshold", "action", "rate", "smartHost", "duration");
    private static final Pattern DURATION = Pattern.compile("[1-9][0-9]*(s|m|h|d)");
    private static final Pattern DOMAIN = Pattern.compile("[a-z0-9-]+(\\.[a-z0-9-]+)+");

    @SuppressWarnings("unchecked")
    private static Map<String, Object> yaml() throws Exception {
        try (Reader r = Files.newBufferedReader(DIR.resolve("providers.yaml"), StandardCharsets.UTF_8)) {
            return (Map<String, Object>) new Load(LoadSettings.builder().build()).loadFromReader(r);
        }
    }

    /** The YAML flattened to the properties form: section.name.field = value, lists joined by commas. */
    @SuppressWarnings("unchecked")
    private static Map<String, String> flatten(Map<String, Object> yaml) {
        Map<String, String> flat = new TreeMap<>();
        ((Map<String, Object>) yaml.get("defaults")).forEach((k, v) -> flat.put("defaults." + k, text(v)));
        ((Map<String, Map<String, Object>>) yaml.get("sites")).forEach((site, fields) ->
                fields.forEach((k, v) -> flat.put("sites." + site + "." + k, text(v))));
        for (Map<String, Object> reaction : (List<Map<String, Object>>) yaml.get("reactions")) {
            String name = (String) reaction.get("name");
            reaction.forEach((k, v) -> {
                if (!k.equals("name")) {
                    flat.put("reactions." + name + "." + k, text(v));
                }
            });
        }
        return flat;
    }

    private static String text(Object v) {
        return v instanceof List<?> l ? String.join(",", l.stream().map(String::valueOf).toList()) : String.valueOf(v);
    }

    @Test
    void thePropertiesHoldTheSameRulesAsTheYaml() throws Exception {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(DIR.resolve("providers.properties"), StandardCharsets.UTF_8)) {
            p.load(r);
        }
        Map<String, String> props = new TreeMap<>();
        p.stringPropertyNames().forEach(k -> props.put(k, p.getProperty(k)));
        assertEquals(flatten(yaml()), props);
    }

    @Test
    @SuppressWarnings("unchecked")
    void everyValueIsOneTheFormatAllows() throws Exception {
        Map<String, Object> yaml = yaml();
        assertEquals(Set.of("defaults", "sites", "reactions"), yaml.keySet());
        checkLimits("defaults", (Map<String, Object>) yaml.get("defaults"));

        Map<String, Map<String, Object>> sites = (Map<String, Map<String, Object>>) yaml.get("sites");
        Map<String, String> domainOwner = new HashMap<>();
        List<String[]> suffixes = new ArrayList<>();
        for (var site : sites.entrySet()) {
            Map<String, Object> rule = site.getValue();
            assertTrue(SITE_FIELDS.containsAll(rule.keySet()), site.getKey() + ": " + rule.keySet());
            assertTrue(rule.containsKey("domains") || rule.containsKey("mxSuffixes"),
                    site.getKey() + " matches nothing");
            checkLimits(site.getKey(), rule);
            for (Object d : (List<Object>) rule.getOrDefault("domains", List.of())) {
                assertTrue(DOMAIN.matcher((String) d).matches(), site.getKey() + ": domain " + d);
                assertNull(domainOwner.put((String) d, site.getKey()), d + " is in two sites");
            }
            for (Object s : (List<Object>) rule.getOrDefault("mxSuffixes", List.of())) {
                assertTrue(((String) s).startsWith(".") && DOMAIN.matcher(((String) s).substring(1)).matches(),
                        site.getKey() + ": MX suffix " + s);
                suffixes.add(new String[] {site.getKey(), (String) s});
            }
        }
        // the order of the sites must not matter (properties keep none): no suffix ends another site's suffix
        for (String[] a : suffixes) {
            for (String[] b : suffixes) {
                assertFalse(!a[0].equals(b[0]) && a[1].endsWith(b[1]), a[1] + " (" + a[0] + ") ends with " + b[1]
                                                                       + " (" + b[0] + ")");
            }
        }

        Set<String> names = new HashSet<>();
        for (Map<String, Object> reaction : (List<Map<String, Object>>) yaml.get("reactions")) {
            String name = (String) reaction.get("name");
            assertNotNull(name, "a reaction without a name: " + reaction);
            assertTrue(names.add(name), "two reactions named " + name);
            assertTrue(REACTION_FIELDS.containsAll(reaction.keySet()), name + ": " + reaction.keySet());
            for (Object s : (List<Object>) reaction.getOrDefault("sites", List.of())) {
                assertTrue(sites.containsKey(s), name + ": no site " + s);
            }
            if (reaction.containsKey("code")) {
                int code = (Integer) reaction.get("code");
                assertTrue(code >= 400 && code <= 599, name + ": code " + code);
            }
            if (reaction.containsKey("enhancedCode")) {
                assertTrue(((String) reaction.get("enhancedCode")).matches("[245](\\.[0-9]{1,3}){0,2}"), name);
            }
            if (reaction.containsKey("text")) {
                assertDoesNotThrow(() -> Pattern.compile((String) reaction.get("text")), name);
            }
            assertTrue(reaction.containsKey("code") || reaction.containsKey("enhancedCode")
                       || reaction.containsKey("text"), name + " matches every reply");
            assertDoesNotThrow(() -> Rate.parse((String) reaction.get("threshold")), name);
            assertTrue(DURATION.matcher(String.valueOf(reaction.get("duration"))).matches(), name + ": duration");
            String action = (String) reaction.get("action");
            switch (action) {
                case "suspend" -> assertFalse(reaction.containsKey("rate") || reaction.containsKey("smartHost"), name);
                case "rate" -> assertDoesNotThrow(() -> Rate.parse((String) reaction.get("rate")), name);
                case "smartHost" -> assertTrue(((String) reaction.get("smartHost")).matches("[a-z0-9.-]+(:[0-9]+)?"),
                        name);
                default -> throw new AssertionError(name + ": action " + action);
            }
        }
    }

    private static void checkLimits(String where, Map<String, Object> rule) {
        if (rule.containsKey("maxConnections")) {
            assertTrue((Integer) rule.get("maxConnections") >= 1, where);
        }
        if (rule.containsKey("maxMessagesPerConnection")) {
            assertTrue((Integer) rule.get("maxMessagesPerConnection") >= 0, where);
        }
        for (String rate : List.of("messageRate", "connectionRate")) {
            if (rule.containsKey(rate)) {
                assertDoesNotThrow(() -> Rate.parse((String) rule.get(rate)), where + ": " + rate);
            }
        }
        if (rule.containsKey("tls")) {
            assertTrue(Set.of("none", "opportunistic", "required").contains(rule.get("tls")), where + ": tls");
        }
    }

    /** The queue's own parser (what shapingRules reads) takes both files and finds the same rules in them. */
    @Test
    void theQueueReadsBothFormsAsTheSameRules() throws Exception {
        var fromYaml = io.camelsmtp.smtp.queue.shaping.ShapingParser.parse("providers.yaml",
                Files.readAllBytes(DIR.resolve("providers.yaml")));
        var fromProperties = io.camelsmtp.smtp.queue.shaping.ShapingParser.parse("providers.properties",
                Files.readAllBytes(DIR.resolve("providers.properties")));
        assertEquals(fromYaml.defaults(), fromProperties.defaults());
        assertEquals(new TreeMap<>(sites(fromYaml)), new TreeMap<>(sites(fromProperties)));
        assertEquals(reactions(fromYaml), reactions(fromProperties));
        assertTrue(fromYaml.sites().size() >= 10 && fromYaml.reactions().size() >= 10);
    }

    private static Map<String, String> sites(io.camelsmtp.smtp.queue.shaping.ShapingConfig c) {
        Map<String, String> m = new HashMap<>();
        c.sites().forEach(s -> m.put(s.name(), new TreeMap<>(Map.of("d", new TreeSet<>(s.domains()).toString(),
                "mx", new TreeSet<>(s.mxSuffixes()).toString(), "l", s.limits().toString())).toString()));
        return m;
    }

    private static Map<String, String> reactions(io.camelsmtp.smtp.queue.shaping.ShapingConfig c) {
        Map<String, String> m = new TreeMap<>();
        c.reactions().forEach(r -> m.put(r.name(), r.toString().replace(String.valueOf(r.text()), "/" + r.text() + "/")
                .replace(r.sites().toString(), new TreeSet<>(r.sites()).toString())));
        return m;
    }
}

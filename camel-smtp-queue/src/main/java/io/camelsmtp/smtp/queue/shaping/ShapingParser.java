package io.camelsmtp.smtp.queue.shaping;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

import io.camelsmtp.smtp.common.shaping.Rate;
import io.camelsmtp.smtp.queue.shaping.ShapingConfig.Action;
import io.camelsmtp.smtp.queue.shaping.ShapingConfig.Limits;
import io.camelsmtp.smtp.queue.shaping.ShapingConfig.Reaction;
import io.camelsmtp.smtp.queue.shaping.ShapingConfig.SiteRule;
import org.apache.camel.util.TimeUtils;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * Reads a rules file, YAML or Java properties, into a {@link ShapingConfig}. Strict: an unknown key, a value of the
 * wrong kind, a rate or duration that does not parse, a reaction without its action's value, a site named twice:
 * each fails with a message naming the key, so an operator's typo is refused (at start, the queue does not start; on a
 * reload, the rules in force stay). Bounded: at most {@link #MAX_BYTES} octets, {@link #MAX_ENTRIES} sites or
 * reactions, {@link #MAX_PATTERNS} patterns per site.
 */
public final class ShapingParser {

    static final int MAX_BYTES = 1 << 20;
    static final int MAX_ENTRIES = 10_000;
    static final int MAX_PATTERNS = 1_000;
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");
    private static final Set<String> LIMIT_KEYS = Set.of("maxConnections", "maxMessagesPerConnection", "messageRate",
            "connectionRate", "tls");

    private ShapingParser() {
    }

    /** Parses {@code content}: YAML unless {@code name} ends with {@code .properties}. */
    public static ShapingConfig parse(String name, byte[] content) {
        if (content.length > MAX_BYTES) {
            throw new IllegalArgumentException(name + " is larger than " + MAX_BYTES + " octets");
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(content)).toString();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException(name + " is not UTF-8");
        }
        Map<String, Object> tree = name.toLowerCase(Locale.ROOT).endsWith(".properties") ? properties(text) : yaml(text);
        return fromTree(tree);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> yaml(String text) {
        LoadSettings settings = LoadSettings.builder().setAllowDuplicateKeys(false).setMaxAliasesForCollections(10)
                .setAllowRecursiveKeys(false).setCodePointLimit(MAX_BYTES).setUseMarks(true).build();
        Object doc;
        try {
            doc = new Load(settings).loadFromString(text);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("not valid YAML: " + oneLine(e.getMessage()));
        }
        if (doc == null) {
            return Map.of();
        }
        if (!(doc instanceof Map)) {
            throw new IllegalArgumentException("the rules must be a mapping with defaults, sites and reactions");
        }
        return (Map<String, Object>) doc;
    }

    /**
     * {@code defaults.KEY}, {@code sites.NAME.KEY}, {@code reactions.NAME.KEY}; lists comma-separated. Properties have
     * no order: sites and reactions are taken in the order of their names.
     */
    private static Map<String, Object> properties(String text) {
        Properties p = new Properties();
        try {
            p.load(new StringReader(text));
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalArgumentException("not a valid properties file: " + oneLine(e.getMessage()));
        }
        Map<String, Object> defaults = new LinkedHashMap<>();
        Map<String, Map<String, Object>> sites = new TreeMap<>();
        Map<String, Map<String, Object>> reactions = new TreeMap<>();
        for (String key : new TreeMap<>(p).keySet().stream().map(Object::toString).toList()) {
            String value = p.getProperty(key).strip();
            String[] parts = key.split("\\.", -1);
            if (parts.length == 2 && parts[0].equals("defaults")) {
                defaults.put(parts[1], value);
            } else if (parts.length >= 3 && (parts[0].equals("sites") || parts[0].equals("reactions"))) {
                // a site name may hold dots; the key is the last part
                String entry = key.substring(parts[0].length() + 1, key.lastIndexOf('.'));
                String k = parts[parts.length - 1];
                Object v = k.equals("domains") || k.equals("mxSuffixes") || k.equals("sites") ? List.of(value.split("\\s*,\\s*")) : value;
                (parts[0].equals("sites") ? sites : reactions).computeIfAbsent(entry, n -> new LinkedHashMap<>()).put(k, v);
            } else {
                throw new IllegalArgumentException("unknown key '" + key + "' (defaults.KEY, sites.NAME.KEY, reactions.NAME.KEY)");
            }
        }
        Map<String, Object> tree = new LinkedHashMap<>();
        tree.put("defaults", defaults);
        tree.put("sites", new LinkedHashMap<>(sites));
        List<Object> rs = new ArrayList<>();
        reactions.forEach((n, m) -> {
            m.put("name", n);
            rs.add(m);
        });
        tree.put("reactions", rs);
        return tree;
    }

    /** The rules from a parsed tree (what YAML gives). */
    static ShapingConfig fromTree(Map<String, Object> tree) {
        only(tree, "the rules", Set.of("defaults", "sites", "reactions"));
        Limits defaults = tree.get("defaults") == null ? Limits.NONE : limits(map(tree.get("defaults"), "defaults"), "defaults", false);
        List<SiteRule> sites = new ArrayList<>();
        Map<String, Object> siteTree = tree.get("sites") == null ? Map.of() : map(tree.get("sites"), "sites");
        if (siteTree.size() > MAX_ENTRIES) {
            throw new IllegalArgumentException("more than " + MAX_ENTRIES + " sites");
        }
        for (Map.Entry<String, Object> e : siteTree.entrySet()) {
            String name = name(String.valueOf(e.getKey()), "site");
            sites.add(site(name, map(e.getValue(), "sites." + name)));
        }
        List<Reaction> reactions = new ArrayList<>();
        List<?> reactionTree = tree.get("reactions") == null ? List.of() : list(tree.get("reactions"), "reactions");
        if (reactionTree.size() > MAX_ENTRIES) {
            throw new IllegalArgumentException("more than " + MAX_ENTRIES + " reactions");
        }
        Set<String> siteNames = new java.util.HashSet<>();
        sites.forEach(s -> siteNames.add(s.name()));
        Set<String> reactionNames = new java.util.HashSet<>();
        for (int i = 0; i < reactionTree.size(); i++) {
            Reaction r = reaction(map(reactionTree.get(i), "reactions[" + i + "]"), i, siteNames);
            if (!reactionNames.add(r.name())) {
                throw new IllegalArgumentException("reaction '" + r.name() + "' is named twice");
            }
            reactions.add(r);
        }
        return new ShapingConfig(defaults, List.copyOf(sites), List.copyOf(reactions));
    }

    private static SiteRule site(String name, Map<String, Object> m) {
        String where = "sites." + name;
        Set<String> keys = new java.util.HashSet<>(LIMIT_KEYS);
        keys.add("domains");
        keys.add("mxSuffixes");
        only(m, where, keys);
        List<String> domains = new ArrayList<>();
        for (Object o : strings(m.get("domains"), where + ".domains")) {
            String d = o.toString().strip().toLowerCase(Locale.ROOT);
            if (d.endsWith(".")) {
                d = d.substring(0, d.length() - 1);
            }
            if (d.isEmpty() || d.contains("*") && (!d.startsWith("*.") || d.indexOf('*', 1) >= 0) || d.contains(" ")) {
                throw new IllegalArgumentException(where + ".domains: '" + o + "' is not a domain or *.suffix");
            }
            domains.add(d);
        }
        List<String> suffixes = new ArrayList<>();
        for (Object o : strings(m.get("mxSuffixes"), where + ".mxSuffixes")) {
            String s = o.toString().strip().toLowerCase(Locale.ROOT);
            if (s.endsWith(".")) {
                s = s.substring(0, s.length() - 1);
            }
            if (s.startsWith("*")) {
                s = s.substring(1);
            }
            if (!s.startsWith(".")) {
                s = "." + s;
            }
            if (s.length() < 2 || s.contains(" ") || s.contains("*")) {
                throw new IllegalArgumentException(where + ".mxSuffixes: '" + o + "' is not a host name suffix");
            }
            suffixes.add(s);
        }
        if (domains.isEmpty() && suffixes.isEmpty()) {
            throw new IllegalArgumentException(where + " matches nothing: give domains, mxSuffixes or both");
        }
        return new SiteRule(name, List.copyOf(domains), List.copyOf(suffixes), limits(m, where, true));
    }

    private static Limits limits(Map<String, Object> m, String where, boolean partOfSite) {
        if (!partOfSite) {
            only(m, where, LIMIT_KEYS);
        }
        Integer maxConnections = integer(m.get("maxConnections"), where + ".maxConnections", 1);
        Integer perConnection = integer(m.get("maxMessagesPerConnection"), where + ".maxMessagesPerConnection", 0);
        Rate messageRate = rate(m.get("messageRate"), where + ".messageRate");
        Rate connectionRate = rate(m.get("connectionRate"), where + ".connectionRate");
        String tls = null;
        if (m.get("tls") != null) {
            tls = m.get("tls").toString().strip().toLowerCase(Locale.ROOT);
            if (!Set.of("none", "opportunistic", "required").contains(tls)) {
                throw new IllegalArgumentException(where + ".tls must be none, opportunistic or required, not '" + m.get("tls") + "'");
            }
        }
        return new Limits(maxConnections, perConnection, messageRate, connectionRate, tls);
    }

    private static Reaction reaction(Map<String, Object> m, int index, Set<String> siteNames) {
        String name = m.get("name") == null ? "reaction-" + (index + 1) : name(m.get("name").toString(), "reaction");
        String where = "reactions." + name;
        only(m, where, Set.of("name", "sites", "code", "enhancedCode", "text", "threshold", "action", "rate", "smartHost",
                "duration"));
        List<String> sites = new ArrayList<>();
        for (Object o : strings(m.get("sites"), where + ".sites")) {
            String s = o.toString().strip();
            if (!siteNames.contains(s)) {
                throw new IllegalArgumentException(where + ".sites: no site named '" + s + "'");
            }
            sites.add(s);
        }
        Integer code = integer(m.get("code"), where + ".code", 200);
        if (code != null && code > 599) {
            throw new IllegalArgumentException(where + ".code must be a reply code (200 to 599), not " + code);
        }
        String enhanced = m.get("enhancedCode") == null ? null : m.get("enhancedCode").toString().strip();
        if (enhanced != null && !enhanced.matches("[245](\\.\\d{1,3}(\\.\\d{0,3})?)?\\.?")) {
            throw new IllegalArgumentException(where + ".enhancedCode must be an enhanced status code or its prefix "
                    + "(4.7.0, 4.7.), not '" + enhanced + "'");
        }
        Pattern text = null;
        if (m.get("text") != null) {
            String t = m.get("text").toString();
            if (t.length() > 1000) {
                throw new IllegalArgumentException(where + ".text is longer than 1,000 characters");
            }
            try {
                text = Pattern.compile(t);
            } catch (PatternSyntaxException e) {
                throw new IllegalArgumentException(where + ".text is not a regular expression: " + oneLine(e.getDescription()));
            }
        }
        if (code == null && enhanced == null && text == null) {
            throw new IllegalArgumentException(where + " matches every reply: give code, enhancedCode or text");
        }
        if (m.get("threshold") == null) {
            throw new IllegalArgumentException(where + ".threshold is missing (for example 5/1h)");
        }
        Rate threshold = rate(m.get("threshold"), where + ".threshold");
        if (threshold.permits() > 100_000) {
            throw new IllegalArgumentException(where + ".threshold counts at most 100,000 replies");
        }
        if (m.get("action") == null) {
            throw new IllegalArgumentException(where + ".action is missing (suspend, rate or smartHost)");
        }
        Action action;
        try {
            action = Action.parse(m.get("action").toString().strip());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + "." + e.getMessage());
        }
        Rate rate = rate(m.get("rate"), where + ".rate");
        String smartHost = m.get("smartHost") == null ? null : m.get("smartHost").toString().strip();
        if (action == Action.RATE && rate == null) {
            throw new IllegalArgumentException(where + ": action rate needs rate (for example 10/min)");
        }
        if (action == Action.SMART_HOST && (smartHost == null || !smartHost.matches("(\\[[0-9A-Fa-f:.]+]|[A-Za-z0-9.-]+)(:\\d{1,5})?"))) {
            throw new IllegalArgumentException(where + ": action smartHost needs smartHost as host or host:port, not '" + smartHost + "'");
        }
        if (m.get("duration") == null) {
            throw new IllegalArgumentException(where + ".duration is missing (for example 30m)");
        }
        Duration duration = duration(m.get("duration"), where + ".duration");
        return new Reaction(name, List.copyOf(sites), code, enhanced, text, threshold, action, rate, smartHost, duration);
    }

    private static String name(String s, String what) {
        if (!NAME.matcher(s).matches()) {
            throw new IllegalArgumentException("'" + s + "' is not a " + what + " name (letters, digits, . _ -, at most 64)");
        }
        return s;
    }

    private static void only(Map<String, Object> m, String where, Set<String> allowed) {
        for (Object k : m.keySet()) {
            if (!allowed.contains(String.valueOf(k))) {
                throw new IllegalArgumentException(where + ": unknown key '" + k + "' (known: " + new java.util.TreeSet<>(allowed) + ")");
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object o, String where) {
        if (o == null) {
            return Map.of();
        }
        if (!(o instanceof Map)) {
            throw new IllegalArgumentException(where + " must be a mapping");
        }
        return (Map<String, Object>) o;
    }

    private static List<?> list(Object o, String where) {
        if (!(o instanceof List<?> l)) {
            throw new IllegalArgumentException(where + " must be a list");
        }
        return l;
    }

    private static List<?> strings(Object o, String where) {
        if (o == null) {
            return List.of();
        }
        List<?> l = o instanceof List<?> x ? x : List.of(o);
        if (l.size() > MAX_PATTERNS) {
            throw new IllegalArgumentException(where + " has more than " + MAX_PATTERNS + " entries");
        }
        for (Object e : l) {
            if (e == null || e instanceof Map || e instanceof List) {
                throw new IllegalArgumentException(where + " must be a list of names");
            }
        }
        return l;
    }

    private static Integer integer(Object o, String where, int min) {
        if (o == null) {
            return null;
        }
        try {
            long v = o instanceof Number n && !(o instanceof Double || o instanceof Float) ? n.longValue()
                    : Long.parseLong(o.toString().strip());
            if (v < min || v > 1_000_000) {
                throw new IllegalArgumentException(where + " must be " + min + " to 1000000, not " + v);
            }
            return (int) v;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(where + " must be a whole number, not '" + o + "'");
        }
    }

    private static Rate rate(Object o, String where) {
        if (o == null) {
            return null;
        }
        try {
            return Rate.parse(o.toString());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ": " + e.getMessage());
        }
    }

    private static Duration duration(Object o, String where) {
        try {
            long ms = TimeUtils.toMilliSeconds(o.toString().strip());
            if (ms <= 0 || ms > Duration.ofDays(30).toMillis()) {
                throw new IllegalArgumentException(where + " must be more than 0 and at most 30 days, not '" + o + "'");
            }
            return Duration.ofMillis(ms);
        } catch (RuntimeException e) {
            if (e.getMessage() != null && e.getMessage().startsWith(where)) {
                throw e;
            }
            throw new IllegalArgumentException(where + " is not a duration (30s, 10m, 1h): '" + o + "'");
        }
    }

    private static String oneLine(String s) {
        return s == null ? "" : s.replaceAll("\\s+", " ").strip();
    }
}

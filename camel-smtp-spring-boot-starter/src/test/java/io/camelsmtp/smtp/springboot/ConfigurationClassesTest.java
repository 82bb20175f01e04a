package io.camelsmtp.smtp.springboot;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.apache.camel.util.json.JsonArray;
import org.apache.camel.util.json.JsonObject;
import org.apache.camel.util.json.Jsoner;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.boot.context.properties.ConfigurationProperties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The generated configuration classes against each component's metadata JSON, read from the component jar on the
 * class path: an option the component has and its configuration class lacks (or has with another type), or one the
 * class still has and the component no longer does, means src/generated is stale. Catches that in CI without Python;
 * the fix is {@code python3 camel-smtp-spring-boot-starter/generate.py}.
 */
class ConfigurationClassesTest {

    private static final String REGENERATE = " (src/generated is stale: run python3"
                                             + " camel-smtp-spring-boot-starter/generate.py and commit what it writes)";
    private static final Map<String, Class<?>> WRAPPERS = Map.of("boolean", Boolean.class, "int", Integer.class,
            "long", Long.class, "double", Double.class, "float", Float.class, "short", Short.class, "byte", Byte.class,
            "char", Character.class);

    @ParameterizedTest
    @CsvSource({
        "smtp-server, /META-INF/io/camelsmtp/smtp/server/smtp-server.json,"
        + " io.camelsmtp.smtp.server.springboot.SmtpServerComponentConfiguration",
        "smtp-relay, /META-INF/io/camelsmtp/smtp/relay/smtp-relay.json,"
        + " io.camelsmtp.smtp.relay.springboot.SmtpRelayComponentConfiguration",
        "smtp-queue, /META-INF/io/camelsmtp/smtp/queue/smtp-queue.json,"
        + " io.camelsmtp.smtp.queue.springboot.SmtpQueueComponentConfiguration" })
    void configurationClassHasExactlyTheComponentOptions(String scheme, String metadata, Class<?> configuration)
            throws Exception {
        Map<String, JsonObject> options = componentOptions(metadata);
        Map<String, Class<?>> setters = new HashMap<>();
        for (Method m : configuration.getDeclaredMethods()) {
            if (Modifier.isPublic(m.getModifiers()) && m.getName().startsWith("set") && m.getParameterCount() == 1) {
                setters.put(Character.toLowerCase(m.getName().charAt(3)) + m.getName().substring(4),
                        m.getParameterTypes()[0]);
            }
        }

        List<String> problems = new ArrayList<>();
        options.forEach((name, option) -> {
            Class<?> type = setters.get(name);
            Class<?> expected = expectedType(option);
            if (type == null) {
                problems.add(name + ": missing");
            } else if (!type.equals(expected)) {
                problems.add(name + ": " + type.getName() + ", the component's is " + expected.getName());
            }
        });
        setters.keySet().stream().filter(name -> !options.containsKey(name))
                .forEach(name -> problems.add(name + ": no longer an option of " + scheme));
        Collections.sort(problems);
        assertEquals(List.of(), problems, configuration.getSimpleName() + " against " + metadata + REGENERATE);

        assertEquals("camel.component." + scheme, configuration.getAnnotation(ConfigurationProperties.class).prefix());
    }

    @ParameterizedTest
    @CsvSource({ "smtp-server, /META-INF/io/camelsmtp/smtp/server/smtp-server.json",
                 "smtp-relay, /META-INF/io/camelsmtp/smtp/relay/smtp-relay.json",
                 "smtp-queue, /META-INF/io/camelsmtp/smtp/queue/smtp-queue.json" })
    void ideMetadataDescribesEveryOption(String scheme, String metadata) throws Exception {
        Map<String, String> described = new HashMap<>();
        for (URL url : Collections.list(getClass().getClassLoader()
                .getResources("META-INF/spring-configuration-metadata.json"))) {
            JsonObject json = (JsonObject) Jsoner.deserialize(read(url.openStream()));
            for (Object p : (JsonArray) json.getOrDefault("properties", new JsonArray())) {
                JsonObject property = (JsonObject) p;
                described.put(property.getString("name"), property.getStringOrDefault("description", ""));
            }
        }
        List<String> missing = new ArrayList<>();
        for (String name : componentOptions(metadata).keySet()) {
            String key = "camel.component." + scheme + "." + kebab(name);
            if (described.getOrDefault(key, "").isBlank()) {
                missing.add(key);
            }
        }
        assertEquals(List.of(), missing, "not in META-INF/spring-configuration-metadata.json with a description");
    }

    /** What generate.py makes of an option's type: wrappers for primitives, Duration for durations. */
    private static Class<?> expectedType(JsonObject option) {
        if ("duration".equals(option.getString("type"))) {
            return Duration.class;
        }
        String javaType = option.getString("javaType");
        Class<?> wrapper = WRAPPERS.get(javaType);
        if (wrapper != null) {
            return wrapper;
        }
        String raw = javaType.replaceAll("<.*", "");
        try {
            return Class.forName(raw);
        } catch (ClassNotFoundException e) {
            // a nested class is written Outer.Inner in the metadata
            int dot = raw.lastIndexOf('.');
            try {
                return Class.forName(raw.substring(0, dot) + "$" + raw.substring(dot + 1));
            } catch (ClassNotFoundException notNested) {
                throw new AssertionError("option type " + javaType + " not on the class path", notNested);
            }
        }
    }

    private static Map<String, JsonObject> componentOptions(String metadata) throws Exception {
        InputStream in = ConfigurationClassesTest.class.getResourceAsStream(metadata);
        assertNotNull(in, metadata + " not on the class path");
        JsonObject json = (JsonObject) Jsoner.deserialize(read(in));
        JsonObject properties = json.getMap("componentProperties");
        assertTrue(properties != null && !properties.isEmpty(), "no componentProperties in " + metadata);
        Map<String, JsonObject> options = new HashMap<>();
        properties.forEach((name, option) -> options.put(name, (JsonObject) option));
        return options;
    }

    /** Spring Boot's name for a property: useGlobalSslContextParameters is use-global-ssl-context-parameters. */
    private static String kebab(String name) {
        return name.replaceAll("([A-Z])", "-$1").toLowerCase(Locale.ROOT);
    }

    private static String read(InputStream in) throws IOException {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}

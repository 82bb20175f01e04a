package io.camelsmtp.docs;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Each component's page names every option and header of its metadata, so docs and code cannot drift apart. */
class ComponentDocsTest {

    private static final Pattern ENTRY = Pattern.compile("^\\s+\"([A-Za-z0-9]+)\": \\{ \"index\"", Pattern.MULTILINE);

    @ParameterizedTest
    @CsvSource({ "/META-INF/io/camelsmtp/smtp/server/smtp-server.json, smtp-server.md",
                 "/META-INF/io/camelsmtp/smtp/relay/smtp-relay.json, smtp-relay.md",
                 "/META-INF/io/camelsmtp/smtp/queue/smtp-queue.json, smtp-queue.md",
                 "/META-INF/io/camelsmtp/smtp/auth/smtp-auth.json, smtp-auth.md" })
    void pageNamesEveryOptionAndHeader(String metadata, String page) throws Exception {
        String json;
        try (InputStream in = getClass().getResourceAsStream(metadata)) {
            assertNotNull(in, metadata + " not on the class path");
            json = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        String docs = Files.readString(Path.of(page));
        List<String> missing = new ArrayList<>();
        for (String section : new String[] { "\"properties\"", "\"headers\"", "\"componentProperties\"" }) {
            int start = json.indexOf(section + ": {");
            assertTrue(start >= 0, section);
            Matcher m = ENTRY.matcher(json.substring(start, json.indexOf("\n  }", start)));
            while (m.find()) {
                if (!docs.contains("`" + m.group(1) + "`")) {
                    missing.add(m.group(1));
                }
            }
        }
        missing.remove("autowiredEnabled");
        missing.remove("lazyStartProducer");
        assertEquals(List.of(), missing, "named in " + metadata + " but not in docs/" + page);
    }
}

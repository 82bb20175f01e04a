package io.camelsmtp.smtp.server;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** docs/smtp-server.md names every option and header of the component metadata, so the two cannot drift apart. */
class SmtpServerDocsTest {

    private static final Pattern ENTRY = Pattern.compile("^\\s+\"([A-Za-z0-9]+)\": \\{ \"index\"", Pattern.MULTILINE);

    @Test
    void docsNameEveryOptionAndHeader() throws Exception {
        String json;
        try (InputStream in = getClass().getResourceAsStream("/META-INF/io/camelsmtp/smtp/server/smtp-server.json")) {
            assertNotNull(in, "component metadata not on the class path");
            json = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        String docs = Files.readString(Path.of("..", "docs", "smtp-server.md"));
        List<String> missing = new ArrayList<>();
        for (String section : new String[] { "\"properties\"", "\"headers\"", "\"componentProperties\"" }) {
            int start = json.indexOf(section + ": {");
            assertTrue(start >= 0, section);
            int end = json.indexOf("\n  }", start);
            Matcher m = ENTRY.matcher(json.substring(start, end));
            while (m.find()) {
                if (!docs.contains("`" + m.group(1) + "`") && !docs.contains("`" + m.group(1) + "` (path)")
                        && !docs.contains(", `" + m.group(1) + "`")) {
                    missing.add(m.group(1));
                }
            }
        }
        missing.removeAll(List.of("autowiredEnabled"));
        assertEquals(List.of(), missing, "named in the metadata but not in docs/smtp-server.md");
    }
}

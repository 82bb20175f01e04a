package io.camelsmtp.smtp.relay.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Keeps a table in {@code docs/} true to a test's own cases: the text between {@code <!-- name:begin -->} and
 * {@code <!-- name:end -->} must equal what the test generated. Run with {@code -Ddocs.update=true} to write it.
 */
public final class DocsTable {

    private DocsTable() {
    }

    public static void check(String page, String name, String table) throws IOException {
        Path file = Path.of("..", "docs", page);
        String doc = Files.readString(file);
        String begin = "<!-- " + name + ":begin -->\n";
        String end = "<!-- " + name + ":end -->";
        int b = doc.indexOf(begin);
        int e = doc.indexOf(end);
        if (b < 0 || e < b) {
            throw new AssertionError("docs/" + page + " has no " + begin.strip() + " ... " + end + " markers");
        }
        String current = doc.substring(b + begin.length(), e);
        if (Boolean.getBoolean("docs.update") && !current.equals(table)) {
            Files.writeString(file, doc.substring(0, b + begin.length()) + table + doc.substring(e));
            return;
        }
        assertEquals(table, current, "docs/" + page + " (" + name + ") differs from the test's cases; run the test with "
                + "-Ddocs.update=true to write them");
    }
}

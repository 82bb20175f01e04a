package io.camelsmtp.docs;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * embedding.md's plain Camel Main section shows the files of examples/embedded-main, the project its readers copy;
 * the module's own test runs them. This keeps the two the same: each file appears in the section, whole and unchanged,
 * as one fenced block.
 */
class EmbeddingPageTest {

    private static final Path PROJECT = Path.of("..", "examples", "embedded-main");
    private static final Pattern FENCE = Pattern.compile("(?ms)^```[a-z]*\\n(.*?)^```$");

    @ParameterizedTest
    @ValueSource(strings = { "pom.xml", "src/main/resources/log4j2.properties",
                             "src/main/resources/application.properties",
                             "src/main/java/com/example/mail/MailApp.java",
                             "src/main/java/com/example/mail/InboxRoutes.java" })
    void plainCamelMainShowsTheFile(String file) throws Exception {
        Path path = PROJECT.resolve(file);
        assertTrue(Files.isRegularFile(path), path + " is missing");
        String content = Files.readString(path);
        List<String> blocks = blocks(section(Files.readString(Path.of("embedding.md")), "## Plain Camel Main"));
        if (!blocks.contains(content)) {
            fail("embedding.md's Plain Camel Main section shows no block equal to " + path
                 + "; copy the file into it again. The file:\n" + content);
        }
    }

    /** From the heading to the next heading of the same level. */
    private static String section(String page, String heading) {
        int start = page.indexOf("\n" + heading + "\n");
        assertTrue(start >= 0, "no section " + heading);
        int end = page.indexOf("\n## ", start + heading.length() + 2);
        return page.substring(start, end < 0 ? page.length() : end);
    }

    private static List<String> blocks(String markdown) {
        List<String> blocks = new ArrayList<>();
        Matcher m = FENCE.matcher(markdown);
        while (m.find()) {
            blocks.add(m.group(1));
        }
        return blocks;
    }
}

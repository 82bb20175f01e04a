package io.camelsmtp.examples.support;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One curl run against the app's HTTP server, as an operator (or a hostile page's browser) would send it: the status,
 * the response headers (names in lower case) and the body. curl's own options are passed as they are.
 */
public record Curl(int status, Map<String, String> headers, String body) {

    /** Runs {@code curl -sS} with the options (at most 60 s); {@code work} holds its header and body files. */
    public static Curl run(Path work, String... options) throws Exception {
        Files.createDirectories(work);
        Path headerFile = Files.createTempFile(work, "curl", ".headers");
        Path bodyFile = Files.createTempFile(work, "curl", ".body");
        List<String> command = new ArrayList<>(List.of("curl", "-sS", "--max-time", "50", "-D", headerFile.toString(),
                "-o", bodyFile.toString()));
        command.addAll(List.of(options));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "curl hangs");
        assertEquals(0, p.exitValue(), "curl failed: " + out);
        List<String> lines = Files.readAllLines(headerFile, StandardCharsets.ISO_8859_1);
        // the last response, should curl have seen a 100 Continue first
        int start = 0;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith("HTTP/")) {
                start = i;
            }
        }
        Map<String, String> headers = new LinkedHashMap<>();
        for (String line : lines.subList(start + 1, lines.size())) {
            int colon = line.indexOf(':');
            if (colon > 0) {
                String name = line.substring(0, colon).strip().toLowerCase(Locale.ROOT);
                headers.put(name, line.substring(colon + 1).strip());
            }
        }
        int status = Integer.parseInt(lines.get(start).split(" ")[1]);
        return new Curl(status, headers, Files.readString(bodyFile, StandardCharsets.UTF_8));
    }

    /** {@code Authorization: Bearer <token>}, as a curl option pair. */
    public static String[] bearer(String token) {
        return new String[] {"-H", "Authorization: Bearer " + token};
    }

    /** The options {@code first} followed by {@code more}: a token's options, then a request's. */
    public static String[] with(String[] first, String... more) {
        List<String> all = new ArrayList<>(List.of(first));
        all.addAll(List.of(more));
        return all.toArray(new String[0]);
    }

    /** The token in a file the app generated ({@code <data.dir>/admin.token}, ...). */
    public static String token(Path file) throws Exception {
        return Files.readString(file, StandardCharsets.US_ASCII).strip();
    }
}

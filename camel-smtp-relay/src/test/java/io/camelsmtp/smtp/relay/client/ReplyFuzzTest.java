package io.camelsmtp.smtp.relay.client;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.camelsmtp.smtp.common.SmtpReply;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fuzz test of the relay's reply reader (Jazzer): whatever a next hop sends, reading a reply either fails with an
 * IOException (the host is then given up and its recipients deferred) or gives a reply that every line of it agreed
 * on: one code on every line, each line that code followed by a space or a hyphen, the last by a space (or nothing).
 * So a malformed reply never becomes a 250. Regression inputs in
 * {@code src/test/resources/io/camelsmtp/smtp/relay/client/ReplyFuzzTestInputs/}; to fuzz, see docs/security.md.
 */
class ReplyFuzzTest {

    @FuzzTest(maxDuration = "60s")
    void reply(FuzzedDataProvider data) {
        byte[] wire = data.consumeRemainingAsBytes();
        SmtpReply reply;
        try {
            reply = new ReplyReader(new ByteArrayInputStream(wire), "mx.example.test").read();
        } catch (IOException e) {
            return;
        }
        List<String> lines = linesRead(wire);
        assertTrue(!lines.isEmpty());
        String code = Integer.toString(reply.code());
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            boolean last = i == lines.size() - 1;
            assertTrue(line.startsWith(code), "line " + i + " of a " + code + " reply: " + line);
            assertTrue(line.length() == 3 ? last : line.charAt(3) == (last ? ' ' : '-'), "separator of line " + i + ": " + line);
        }
        assertEquals(code.charAt(0), reply.enhancedStatus() == null ? code.charAt(0) : reply.enhancedStatus().charAt(0));
    }

    /** The lines the reader consumed: up to the first line that ends the reply (a code and a space, or just a code). */
    private static List<String> linesRead(byte[] wire) {
        List<String> lines = new ArrayList<>();
        String all = new String(wire, StandardCharsets.UTF_8);
        for (String l : all.split("\n", -1)) {
            String line = l.endsWith("\r") ? l.substring(0, l.length() - 1) : l;
            lines.add(line);
            if (line.length() == 3 || (line.length() > 3 && line.charAt(3) == ' ')) {
                break;
            }
        }
        return lines;
    }
}

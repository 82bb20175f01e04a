package io.camelsmtp.smtp.relay.client;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.camelsmtp.smtp.common.SmtpReply;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fuzz test of LMTP's per-recipient replies after the data (Jazzer): for any octets a server sends and any number of
 * accepted recipients, {@link LmtpReplies#collect} returns at most one reply per recipient, all of them when it says
 * complete, and the k-th reply is the k-th reply on the wire, every line of it carrying that reply's code. So no
 * recipient is answered by another's reply or by a malformed line, and a 2xx is counted only where one was sent.
 * Regression inputs in {@code src/test/resources/io/camelsmtp/smtp/relay/client/LmtpRepliesFuzzTestInputs/}.
 */
class LmtpRepliesFuzzTest {

    @FuzzTest(maxDuration = "60s")
    void replies(FuzzedDataProvider data) {
        int expected = data.consumeInt(1, 8);
        byte[] wire = data.consumeRemainingAsBytes();
        ReplyReader reader = new ReplyReader(new ByteArrayInputStream(wire), "lmtp.example.test");
        LmtpReplies.Collected got = LmtpReplies.collect(reader::read, expected);

        assertTrue(got.replies().size() <= expected);
        assertEquals(got.complete(), got.replies().size() == expected);
        List<List<String>> onWire = replies(wire);
        assertTrue(got.replies().size() <= onWire.size(), "more replies than the wire holds");
        for (int k = 0; k < got.replies().size(); k++) {
            SmtpReply r = got.replies().get(k);
            String code = Integer.toString(r.code());
            for (String line : onWire.get(k)) {
                assertTrue(line.startsWith(code), "reply " + k + " is a " + code + " but its wire line says " + line);
            }
        }
    }

    /** The wire cut into replies the plain way: a reply ends at a line that is a code alone or a code and a space. */
    private static List<List<String>> replies(byte[] wire) {
        List<List<String>> all = new ArrayList<>();
        List<String> current = new ArrayList<>();
        String text = new String(wire, StandardCharsets.UTF_8);
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length - 1; i++) { // the last piece has no LF: never a complete line
            String line = lines[i].endsWith("\r") ? lines[i].substring(0, lines[i].length() - 1) : lines[i];
            current.add(line);
            if (line.length() == 3 || (line.length() > 3 && line.charAt(3) == ' ')) {
                all.add(current);
                current = new ArrayList<>();
            }
        }
        return all;
    }
}

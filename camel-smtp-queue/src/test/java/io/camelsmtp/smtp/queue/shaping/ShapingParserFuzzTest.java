package io.camelsmtp.smtp.queue.shaping;

import java.nio.charset.StandardCharsets;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * Fuzz test of the rules parser (Jazzer): whatever a rules file holds, YAML or properties, parsing gives rules or
 * fails with an {@link IllegalArgumentException} naming the problem, never another exception; and a reaction that
 * parses matches any reply without failing. Seeds: the full files of {@link ShapingParserTest}.
 */
class ShapingParserFuzzTest {

    @FuzzTest(maxDuration = "60s")
    void anyFile(FuzzedDataProvider data) {
        boolean properties = data.consumeBoolean();
        String reply = data.consumeString(300);
        byte[] raw;
        if (data.consumeBoolean()) {
            String base = properties ? ShapingParserTest.FULL_PROPERTIES : ShapingParserTest.FULL;
            int at = data.consumeInt(0, base.length());
            int cut = data.consumeInt(0, Math.min(40, base.length() - at));
            raw = (base.substring(0, at) + data.consumeString(60) + base.substring(at + cut)).getBytes(StandardCharsets.UTF_8);
        } else {
            raw = data.consumeRemainingAsBytes();
        }
        ShapingConfig c;
        try {
            c = ShapingParser.parse(properties ? "f.properties" : "f.yaml", raw);
        } catch (IllegalArgumentException expected) {
            assertNotNull(expected.getMessage());
            return;
        }
        io.camelsmtp.smtp.common.SmtpReply r;
        try {
            r = io.camelsmtp.smtp.common.SmtpReply.parse(reply);
        } catch (RuntimeException notAReply) {
            return;
        }
        for (ShapingConfig.Reaction x : c.reactions()) {
            x.matches(r);
        }
    }
}

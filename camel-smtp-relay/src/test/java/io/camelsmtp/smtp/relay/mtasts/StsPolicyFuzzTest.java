package io.camelsmtp.smtp.relay.mtasts;

import java.nio.charset.StandardCharsets;
import java.util.List;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fuzz test of the MTA-STS parsers (Jazzer): whatever a policy host serves or a TXT record holds, parsing either
 * fails with an IllegalArgumentException (no policy) or gives a policy that is whole: a mode, max_age within a year,
 * mx patterns that are lower-case host names (at most one leading {@code *.}) and at least one unless mode none, and
 * the same policy again when its lines are parsed back. Regression inputs in
 * {@code src/test/resources/io/camelsmtp/smtp/relay/mtasts/StsPolicyFuzzTestInputs/}.
 */
class StsPolicyFuzzTest {

    @FuzzTest(maxDuration = "60s")
    void policy(FuzzedDataProvider data) {
        byte[] body = data.consumeRemainingAsBytes();
        StsPolicy p;
        try {
            p = StsPolicy.parse(body);
        } catch (IllegalArgumentException e) {
            return;
        }
        assertTrue(p.maxAge() >= 0 && p.maxAge() <= StsPolicy.MAX_AGE_LIMIT);
        assertTrue(p.mode() == StsPolicy.Mode.NONE || !p.mx().isEmpty());
        for (String mx : p.mx()) {
            assertTrue(mx.matches("(\\*\\.)?[a-z0-9-]+(\\.[a-z0-9-]+)*"), mx);
            StsPolicy alone = new StsPolicy(p.mode(), p.maxAge(), List.of(mx), List.of());
            assertFalse(alone.allows(mx.startsWith("*.") ? mx.substring(2) : "a." + mx), "one label more, exactly: " + mx);
            assertFalse(alone.allows("a.b" + (mx.startsWith("*.") ? mx.substring(1) : "." + mx)), mx);
            assertTrue(alone.allows(mx.startsWith("*.") ? "x" + mx.substring(1) : mx), mx);
        }
        assertEquals(p, StsPolicy.parse(String.join("\n", p.lines()).getBytes(StandardCharsets.UTF_8)));
    }

    @FuzzTest(maxDuration = "60s")
    void txtRecords(FuzzedDataProvider data) {
        List<String> records = List.of(data.consumeString(300), data.consumeRemainingAsString());
        StsRecord.Lookup l = StsRecord.select(records);
        if (l instanceof StsRecord.Found f) {
            assertTrue(f.record().id().matches("[A-Za-z0-9]{1,32}"), f.toString());
            assertEquals(1, records.stream().filter(r -> r.matches("(?s)v=STSv1([;\\t ].*)?")).count(), records::toString);
        }
    }
}

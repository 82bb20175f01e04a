package io.camelsmtp.smtp.auth.dkim;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.camelsmtp.smtp.auth.support.TestKeys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fuzz tests for what DKIM reads from outside (Jazzer): signature tag-lists, key records and whole DKIM-Signature
 * fields. In a normal build they run in regression mode over the committed inputs in
 * {@code src/test/resources/io/camelsmtp/smtp/auth/dkim/DkimParsersFuzzTestInputs/<method>/}; to fuzz, see
 * docs/security.md ("Fuzzing").
 */
class DkimParsersFuzzTest {

    private static final String RECORD = TestKeys.record(TestKeys.ED25519);

    /** A tag-list: a DkimException, or tags whose names are RFC 6376 tag-names and whose values hold no ';'. */
    @FuzzTest(maxDuration = "30s")
    void tagList(FuzzedDataProvider data) {
        String text = new String(data.consumeRemainingAsBytes(), StandardCharsets.ISO_8859_1);
        TagList tags;
        try {
            tags = TagList.parse(text);
        } catch (DkimException e) {
            return;
        }
        assertTrue(tags.asMap().size() <= TagList.MAX_TAGS);
        tags.asMap().forEach((k, v) -> {
            assertTrue(k.matches("[A-Za-z][A-Za-z0-9_]*"), k);
            assertTrue(v.indexOf(';') < 0 && v.chars().allMatch(c -> c == ' ' || c == '\t' || c == '\r' || c == '\n'
                                                                    || (c >= 0x21 && c <= 0x7e)), v);
        });
        String stripped = TagList.withoutSignature(text);
        assertTrue(stripped.length() <= text.length());
    }

    /** A key record: a DkimException, or a record with a key unless revoked. */
    @FuzzTest(maxDuration = "30s")
    void keyRecord(FuzzedDataProvider data) {
        DkimAlgorithm algorithm = data.consumeBoolean() ? DkimAlgorithm.RSA_SHA256 : DkimAlgorithm.ED25519_SHA256;
        String text = data.consumeRemainingAsString();
        try {
            KeyRecord r = KeyRecord.parse(text, algorithm);
            assertTrue(r.revoked() || r.key() != null);
        } catch (DkimException e) {
            assertNotNull(e.getMessage());
        }
    }

    /**
     * A message with arbitrary DKIM-Signature fields over a real key record: one result per evaluated signature, at
     * most ten, and never an exception.
     */
    @FuzzTest(maxDuration = "30s")
    void signatureFields(FuzzedDataProvider data) throws Exception {
        int n = data.consumeInt(1, 12);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            String v = data.consumeString(300).replace("\r", "").replace("\n", "\r\n\t");
            sb.append("DKIM-Signature:").append(v).append("\r\n");
        }
        sb.append("From: a@bar.test\r\n\r\n").append(data.consumeRemainingAsString());
        ByteArrayInputStream in = new ByteArrayInputStream(sb.toString().getBytes(StandardCharsets.ISO_8859_1));
        HeaderSection section;
        try {
            section = HeaderSection.read(in);
        } catch (DkimException e) {
            return;
        }
        int fields = section.all("DKIM-Signature").size();
        DkimVerifier.Outcome o = new DkimVerifier(name -> List.of(RECORD), Clock.systemUTC()).verify(section, in);
        assertEquals(Math.min(fields, DkimVerifier.MAX_SIGNATURES), o.results().size());
        o.results().forEach(r -> assertNotNull(r.status()));
    }
}

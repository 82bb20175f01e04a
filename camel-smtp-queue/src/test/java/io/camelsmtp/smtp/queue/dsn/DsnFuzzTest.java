package io.camelsmtp.smtp.queue.dsn;

import java.io.ByteArrayInputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Properties;
import java.util.Set;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import jakarta.mail.Header;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fuzz test of the notifications the queue writes (Jazzer): the original message and every value that reaches a
 * report (addresses, ORCPT, ENVID, the remote host, the remote server's reply text) come from outside. Whatever they
 * hold, building never fails other than by the documented IllegalArgumentException, the report parses as a message,
 * and its header section holds only the fields the builder writes: no value can start a header of its own (a Bcc:
 * smuggled in a remote reply, say). Regression inputs in
 * {@code src/test/resources/io/camelsmtp/smtp/queue/dsn/DsnFuzzTestInputs/}; to fuzz, see docs/security.md.
 */
class DsnFuzzTest {

    private static final Set<String> FIELDS = Set.of("from", "to", "subject", "date", "message-id", "mime-version",
            "content-type", "auto-submitted", "content-transfer-encoding");
    private static final DsnBuilder BUILDER = new DsnBuilder("mail.example.org", 2000);
    private static final Session SESSION = Session.getInstance(new Properties());

    @FuzzTest(maxDuration = "60s")
    void report(FuzzedDataProvider data) throws Exception {
        DsnKind kind = data.pickValue(DsnKind.values());
        String sender = data.consumeString(100);
        String envid = data.consumeBoolean() ? data.consumeString(60) : null;
        String ret = data.consumeBoolean() ? "FULL" : data.consumeBoolean() ? "HDRS" : null;
        List<DsnRecipient> recipients = new ArrayList<>();
        int n = data.consumeInt(1, 3);
        for (int i = 0; i < n; i++) {
            recipients.add(new DsnRecipient(data.consumeString(80), data.consumeBoolean() ? data.consumeString(80) : null,
                    data.consumeBoolean() ? null : data.pickValue(new String[] { "failed", "delayed", "delivered", "relayed" }),
                    data.consumeBoolean() ? null : data.consumeString(12), data.consumeBoolean() ? data.consumeString(60) : null,
                    data.consumeBoolean() ? data.consumeString(300) : null, Instant.ofEpochSecond(data.consumeInt(0, 2_000_000_000)),
                    null));
        }
        byte[] original = data.consumeRemainingAsBytes();
        byte[] report;
        try {
            report = BUILDER.build(kind, original, sender, envid, ret, Instant.EPOCH, recipients);
        } catch (IllegalArgumentException e) {
            return;
        }
        MimeMessage m = new MimeMessage(SESSION, new ByteArrayInputStream(report));
        for (Header h : Collections.list(m.getAllHeaders())) {
            assertTrue(FIELDS.contains(h.getName().toLowerCase()), "a field the builder does not write: " + h.getName());
        }
        for (int i = 0; i < report.length; i++) {
            boolean crlf = report[i] == '\r' ? i + 1 < report.length && report[i + 1] == '\n'
                    : report[i] != '\n' || (i > 0 && report[i - 1] == '\r');
            assertTrue(crlf, "a bare CR or LF at offset " + i);
        }
    }
}

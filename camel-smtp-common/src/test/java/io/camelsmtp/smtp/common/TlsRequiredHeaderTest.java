package io.camelsmtp.smtp.common;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TlsRequiredHeaderTest {

    private static boolean saysNo(String message) throws IOException {
        return TlsRequiredHeader.saysNo(new ByteArrayInputStream(message.getBytes(StandardCharsets.ISO_8859_1)));
    }

    @Test
    void noInAnyCaseAndFolding() throws IOException {
        assertTrue(saysNo("From: a@example.org\r\nTLS-Required: No\r\nSubject: x\r\n\r\nbody\r\n"));
        assertTrue(saysNo("tls-required:no\r\n\r\n"));
        assertTrue(saysNo("TLS-REQUIRED:   nO  \r\n\r\n"));
        assertTrue(saysNo("Subject: x\r\nTLS-Required:\r\n No\r\n\r\n"), "folded value");
        assertTrue(saysNo("TLS-Required: No\n\nbare LF ends the section too\n"));
    }

    @Test
    void anythingElseKeepsThePolicy() throws IOException {
        assertFalse(saysNo("From: a@example.org\r\n\r\nTLS-Required: No\r\n"), "in the body");
        assertFalse(saysNo("TLS-Required: Yes\r\n\r\n"));
        assertFalse(saysNo("TLS-Required: No thanks\r\n\r\n"));
        assertFalse(saysNo("TLS-Required: No\r\nTLS-Required: Yes\r\n\r\n"), "two fields that disagree");
        assertFalse(saysNo("X-TLS-Required: No\r\n\r\n"));
        assertFalse(saysNo("Subject: hello\r\n TLS-Required: No\r\n\r\n"), "a continuation line is not a field");
        assertFalse(saysNo("TLS-Required: No\r\n"), "no end of the header section");
        assertFalse(saysNo(""));
        String huge = "X-Pad: " + "a".repeat(998) + "\r\n";
        assertFalse(saysNo(huge.repeat(TlsRequiredHeader.MAX_HEADER_OCTETS / huge.length() + 1) + "TLS-Required: No\r\n\r\n"),
                "beyond the bounded header section");
    }

    @Test
    void ignoredWhenTheEnvelopeHasRequireTls() throws IOException {
        MailContent content = MailContent.of("TLS-Required: No\r\n\r\nx\r\n".getBytes(StandardCharsets.US_ASCII), false);
        Envelope e = Envelope.of("a@example.org", List.of("b@example.net"));
        assertTrue(TlsRequiredHeader.relaxes(e, content));
        assertFalse(TlsRequiredHeader.relaxes(e.withRequireTlsOption(true), content), "RFC 8689 §4.1");
    }
}

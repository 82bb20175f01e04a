package io.camelsmtp.examples.bridge;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Properties;

import jakarta.mail.Multipart;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JsonToMailTest {

    private final JsonToMail bean = new JsonToMail();

    private JsonToMail.Built build(String json) throws Exception {
        return bean.build(json.getBytes(StandardCharsets.UTF_8));
    }

    private static MimeMessage parse(JsonToMail.Built built) throws Exception {
        return new MimeMessage(Session.getInstance(new Properties()), new ByteArrayInputStream(built.octets()));
    }

    private String invalid(String json) {
        return assertThrows(JsonToMail.InvalidMail.class, () -> build(json)).getMessage();
    }

    @Test
    void textOnlyIsTextPlain() throws Exception {
        JsonToMail.Built built = build("{\"from\": \"alice@example.org\", \"to\": \"bob@example.net\", \"subject\": \"hi\", \"text\": \"hello\"}");
        assertEquals("alice@example.org", built.from());
        assertEquals(List.of("bob@example.net"), built.recipients());
        MimeMessage m = parse(built);
        assertTrue(m.isMimeType("text/plain"), m.getContentType());
        assertEquals("hello", m.getContent());
        assertEquals(built.messageId(), m.getMessageID());
        assertTrue(built.messageId().endsWith("@example.org>"), built.messageId());
        assertNotNull(m.getSentDate());
    }

    @Test
    void htmlOnlyIsTextHtml() throws Exception {
        MimeMessage m = parse(build("{\"from\": \"alice@example.org\", \"to\": \"bob@example.net\", \"html\": \"<p>x</p>\"}"));
        assertTrue(m.isMimeType("text/html"), m.getContentType());
    }

    @Test
    void envelopeHasEveryRecipientOnceAndBccIsNotWritten() throws Exception {
        JsonToMail.Built built = build("""
                {"from": "Alice <alice@example.org>", "to": "bob@example.net, Carol <carol@example.net>",
                 "cc": ["BOB@example.net", "dave@example.net"], "bcc": "eve@example.com", "text": "x"}""");
        assertEquals(List.of("bob@example.net", "carol@example.net", "dave@example.net", "eve@example.com"),
                built.recipients());
        MimeMessage m = parse(built);
        assertNull(m.getHeader("Bcc"));
        assertTrue(!new String(built.octets(), StandardCharsets.US_ASCII).contains("eve@"));
    }

    @Test
    void attachmentsOnlyIsMixedWithAnEmptyText() throws Exception {
        MimeMessage m = parse(build("""
                {"from": "alice@example.org", "to": ["bob@example.net"],
                 "attachments": [{"name": "a.bin", "content": "AAEC\\n/w=="}]}"""));
        assertTrue(m.isMimeType("multipart/mixed"));
        Multipart mixed = (Multipart) m.getContent();
        assertEquals(2, mixed.getCount());
        assertTrue(mixed.getBodyPart(1).isMimeType("application/octet-stream"));
        assertArrayEquals(new byte[] {0, 1, 2, (byte) 0xff}, mixed.getBodyPart(1).getInputStream().readAllBytes());
    }

    @Test
    void problemsAreNamed() {
        assertTrue(invalid("{\"from\": \"a@example.org\", \"to\": \"b@example.net\", \"subject\": \"x\\r\\nBcc: e@x.org\"}")
                .contains("\"subject\""));
        assertTrue(invalid("{\"from\": \"a@example.org\", \"to\": \"b@example.net\", \"attachments\": [{\"content\": \"AA==\"}]}")
                .contains("\"attachments\"[0].name"));
        assertTrue(invalid("{\"from\": \"a@example.org\", \"to\": \"b@example.net\", \"attachments\": [{\"name\": \"x\", \"type\": \"nonsense\", \"content\": \"AA==\"}]}")
                .contains("\"attachments\"[0].type"));
        assertTrue(invalid("{\"from\": \"a@example.org\", \"to\": \"b@example.net\", \"attachments\": {}}")
                .contains("\"attachments\""));
        assertTrue(invalid("{\"from\": [\"a@example.org\"], \"to\": \"b@example.net\"}").contains("\"from\""));
        assertTrue(invalid("{\"from\": \"a@example.org, c@example.org\", \"to\": \"b@example.net\"}").contains("\"from\""));
        assertTrue(invalid("{\"from\": \"a@example.org\", \"to\": 42}").contains("\"to\""));
        assertTrue(invalid("{\"from\": \"a@example.org\", \"to\": \"b@example.net\", \"text\": 1}").contains("\"text\""));
    }
}

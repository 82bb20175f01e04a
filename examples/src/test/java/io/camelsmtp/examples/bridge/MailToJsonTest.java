package io.camelsmtp.examples.bridge;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Collectors;

import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;

import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The JSON shape for messages the end-to-end clients do not send: no MIME, odd parts, unknown charsets. */
class MailToJsonTest {

    private static Map<String, Object> parse(String raw) throws Exception {
        MimeMessage message = new MimeMessage(Session.getInstance(new Properties()),
                new ByteArrayInputStream(raw.replace("\n", "\r\n").getBytes(StandardCharsets.ISO_8859_1)));
        Exchange exchange = new DefaultExchange(new DefaultCamelContext());
        exchange.getMessage().setBody(message);
        exchange.getMessage().setHeader("CamelSmtpMessageId", "ID1");
        exchange.getMessage().setHeader("CamelSmtpEnvelopeFrom", "");
        exchange.getMessage().setHeader("CamelSmtpEnvelopeTo", List.of("bob@example.net"));
        return new MailToJson().toMap(exchange);
    }

    @Test
    void plainMessageWithoutMime() throws Exception {
        Map<String, Object> json = parse("Subject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe?=\nMessage-ID: <m1@example.org>\n\nhello\n");
        assertEquals("ID1", json.get("queueId"));
        assertEquals("", json.get("from"), "the null sender <>");
        assertEquals(List.of("bob@example.net"), json.get("to"));
        assertEquals("<m1@example.org>", json.get("messageId"));
        assertEquals("Grüße", json.get("subject"));
        assertEquals("hello\r\n", json.get("text"));
        assertNull(json.get("html"));
        assertEquals(List.of(), json.get("attachments"));
    }

    @Test
    void oddPartsAreAttachments() throws Exception {
        Map<String, Object> json = parse("""
                Content-Type: multipart/mixed; boundary=b1

                --b1
                Content-Type: text/html; charset=utf-8

                <p>only html</p>
                --b1
                Content-Type: image/png
                Content-Transfer-Encoding: base64

                AAECAw==
                --b1
                Content-Type: text/plain
                Content-Disposition: attachment

                notes
                --b1
                Content-Type: application/octet-stream
                Content-Disposition: attachment; filename*=utf-8''caf%C3%A9.bin

                abc
                --b1
                Content-Type: message/rfc822

                Subject: forwarded

                inner
                --b1--
                """);
        assertNull(json.get("text"));
        assertEquals("<p>only html</p>", json.get("html"));
        assertEquals(List.of(
                Map.of("type", "image/png", "size", 4L), // inline, no name: still listed
                Map.of("type", "text/plain", "size", 5L), // text, but a declared attachment
                Map.of("name", "café.bin", "type", "application/octet-stream", "size", 3L), // RFC 2231 name
                Map.of("type", "message/rfc822", "size", 27L)), // "Subject: forwarded" CRLF CRLF "inner"
                ((List<?>) json.get("attachments")).stream()
                        .map(a -> ((Map<?, ?>) a).entrySet().stream().filter(e -> e.getValue() != null)
                                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue)))
                        .toList());
    }

    @Test
    void unknownCharsetFallsBackToLatin1() throws Exception {
        Map<String, Object> json = parse("Content-Type: text/plain; charset=x-no-such-charset\n\ncaf\u00e9\n");
        assertEquals("caf\u00e9\r\n", json.get("text"));
    }
}

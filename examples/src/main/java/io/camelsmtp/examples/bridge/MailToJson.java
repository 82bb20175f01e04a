package io.camelsmtp.examples.bridge;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UnsupportedEncodingException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import jakarta.mail.MessagingException;
import jakarta.mail.Multipart;
import jakarta.mail.Part;
import jakarta.mail.internet.ContentType;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeUtility;
import jakarta.mail.internet.ParseException;

import org.apache.camel.Exchange;
import org.apache.camel.Handler;
import org.apache.camel.InvalidPayloadException;

/**
 * Turns a received message into a Map for JSON: the envelope ({@code queueId}, {@code from}, {@code to}), the
 * {@code subject} and {@code messageId} (the Message-ID header), the first {@code text/plain} and first
 * {@code text/html} body part ({@code text}, {@code html}; null when absent) and the {@code attachments}, each with
 * {@code name}, {@code type} (the MIME type without parameters) and {@code size} (decoded octets). A part is an
 * attachment when it has a file name or {@code Content-Disposition: attachment}, or when it is neither text nor a
 * multipart (an inline image, a forwarded {@code message/rfc822}).
 */
public class MailToJson {

    @Handler
    public Map<String, Object> toMap(Exchange exchange) throws InvalidPayloadException, MessagingException, IOException {
        MimeMessage message = exchange.getMessage().getMandatoryBody(MimeMessage.class);
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("queueId", exchange.getMessage().getHeader("CamelSmtpMessageId", String.class));
        json.put("from", exchange.getMessage().getHeader("CamelSmtpEnvelopeFrom", String.class));
        json.put("to", exchange.getMessage().getHeader("CamelSmtpEnvelopeTo", List.class));
        json.put("messageId", message.getMessageID());
        json.put("subject", message.getSubject());
        Parts parts = new Parts();
        walk(message, parts);
        json.put("text", parts.text);
        json.put("html", parts.html);
        json.put("attachments", parts.attachments);
        return json;
    }

    private static final class Parts {
        String text;
        String html;
        final List<Map<String, Object>> attachments = new ArrayList<>();
    }

    private static void walk(Part part, Parts parts) throws MessagingException, IOException {
        String type = baseType(part);
        String name = fileName(part);
        boolean attachment = name != null || Part.ATTACHMENT.equalsIgnoreCase(part.getDisposition());
        if (!attachment && type.startsWith("multipart/")) {
            Object content = part.getContent();
            if (content instanceof Multipart multipart) {
                for (int i = 0; i < multipart.getCount(); i++) {
                    walk(multipart.getBodyPart(i), parts);
                }
                return;
            }
        }
        if (!attachment && type.equals("text/plain") && parts.text == null) {
            parts.text = text(part);
            return;
        }
        if (!attachment && type.equals("text/html") && parts.html == null) {
            parts.html = text(part);
            return;
        }
        Map<String, Object> a = new LinkedHashMap<>();
        a.put("name", name);
        a.put("type", type);
        a.put("size", size(part));
        parts.attachments.add(a);
    }

    private static String baseType(Part part) throws MessagingException {
        String header = part.getContentType();
        if (header == null) {
            return "text/plain";
        }
        try {
            return new ContentType(header).getBaseType().toLowerCase(Locale.ROOT);
        } catch (ParseException e) {
            return "application/octet-stream";
        }
    }

    private static String fileName(Part part) throws MessagingException {
        String name = part.getFileName();
        if (name == null) {
            return null;
        }
        try {
            return MimeUtility.decodeText(name); // RFC 2047 encoded-words, which some mailers use in file names
        } catch (UnsupportedEncodingException e) {
            return name;
        }
    }

    private static String text(Part part) throws MessagingException, IOException {
        try {
            Object content = part.getContent();
            if (content instanceof String s) {
                return s;
            }
        } catch (UnsupportedEncodingException e) {
            // an unknown charset: fall through to the octets
        }
        try (InputStream in = part.getInputStream()) {
            return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }

    private static long size(Part part) throws MessagingException, IOException {
        try (InputStream in = part.getInputStream()) {
            return in.transferTo(OutputStream.nullOutputStream());
        }
    }
}

package io.camelsmtp.examples.bridge;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.activation.DataHandler;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Part;
import jakarta.mail.Session;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.ContentType;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimePart;
import jakarta.mail.internet.MimeMultipart;
import jakarta.mail.internet.ParseException;
import jakarta.mail.util.ByteArrayDataSource;

import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.Handler;
import org.apache.camel.Header;

/**
 * Turns a JSON request into a mail for the queue (routes/http-to-mail.camel.yaml):
 *
 * <pre>
 * {"from": "Alice &lt;alice@example.org&gt;", "to": ["bob@example.net"], "cc": "carol@example.net",
 *  "bcc": ["dave@example.net"], "subject": "Report", "text": "plain body", "html": "&lt;p&gt;HTML body&lt;/p&gt;",
 *  "attachments": [{"name": "report.pdf", "type": "application/pdf", "content": "JVBERi0..."}]}
 * </pre>
 *
 * {@code from} and {@code to} are required; {@code to}, {@code cc} and {@code bcc} take one address (or a
 * comma-separated list) or an array of them. {@code text} and {@code html} together make a
 * {@code multipart/alternative}; attachments (base64 {@code content}, {@code type} defaults to
 * {@code application/octet-stream}) a {@code multipart/mixed} around it. The body becomes the RFC 5322 octets (with
 * Date, Message-ID, MIME-Version), {@code CamelSmtpEnvelopeFrom} the sender and {@code CamelSmtpEnvelopeTo} to + cc +
 * bcc; Bcc is not written into the message. At most {@link #setMaxRecipients maxRecipients} (100) addresses in to, cc
 * and bcc together. Anything wrong with the request is an {@link InvalidMail} whose message says what, for a 400.
 */
public class JsonToMail {

    /** The request cannot become a mail; the message names the problem. */
    public static class InvalidMail extends Exception {
        private static final long serialVersionUID = 1L;

        public InvalidMail(String message) {
            super(message);
        }
    }

    /** Exchange property with the Message-ID given to the mail, for the answer. */
    public static final String MESSAGE_ID_PROPERTY = "JsonToMailMessageId";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> FIELDS = Set.of("from", "to", "cc", "bcc", "subject", "text", "html", "attachments");
    private static final Set<String> ATTACHMENT_FIELDS = Set.of("name", "type", "content");

    private final Session session = Session.getInstance(new Properties());
    private int maxRecipients = 100;

    /** The most addresses a request may name in to, cc and bcc together; more is a 400. */
    public void setMaxRecipients(int maxRecipients) {
        this.maxRecipients = maxRecipients;
    }

    public int getMaxRecipients() {
        return maxRecipients;
    }

    /** Replaces the JSON body with the message octets and sets the envelope headers. */
    @Handler
    public void toMail(Exchange exchange) throws InvalidMail, MessagingException, IOException {
        byte[] body = exchange.getMessage().getBody(byte[].class);
        Built built = build(body);
        org.apache.camel.Message out = exchange.getMessage();
        out.setHeader("CamelSmtpEnvelopeFrom", built.from());
        out.setHeader("CamelSmtpEnvelopeTo", built.recipients());
        exchange.setProperty(MESSAGE_ID_PROPERTY, built.messageId());
        out.setBody(built.octets());
    }

    /** The result of {@link #build}: the envelope and the message. */
    public record Built(String from, List<String> recipients, String messageId, byte[] octets) {
    }

    /** Parses and validates the JSON request and builds the message. */
    public Built build(byte[] body) throws InvalidMail, MessagingException, IOException {
        if (body == null || body.length == 0) {
            throw new InvalidMail("empty request: expected a JSON object with at least \"from\" and \"to\"");
        }
        JsonNode json;
        try {
            json = JSON.readTree(body);
        } catch (JsonProcessingException e) {
            throw new InvalidMail("not valid JSON: " + e.getOriginalMessage() + location(e));
        }
        if (json == null || !json.isObject()) {
            throw new InvalidMail("expected a JSON object with at least \"from\" and \"to\"");
        }
        for (Iterator<String> names = json.fieldNames(); names.hasNext();) {
            String name = names.next();
            if (!FIELDS.contains(name)) {
                throw new InvalidMail("unknown field \"" + name + "\" (known: from, to, cc, bcc, subject, text, html, attachments)");
            }
        }

        JsonNode fromNode = json.get("from");
        if (fromNode == null || fromNode.isNull() || fromNode.asText().isBlank()) {
            throw new InvalidMail("\"from\" is missing");
        }
        if (!fromNode.isTextual()) {
            throw new InvalidMail("\"from\" must be a string");
        }
        List<InternetAddress> fromList = addresses("from", fromNode);
        if (fromList.size() != 1) {
            throw new InvalidMail("\"from\" must be exactly one address");
        }
        InternetAddress from = fromList.get(0);
        List<InternetAddress> to = addresses("to", json.get("to"));
        if (to.isEmpty()) {
            throw new InvalidMail("\"to\" is missing: at least one recipient is needed");
        }
        List<InternetAddress> cc = addresses("cc", json.get("cc"));
        List<InternetAddress> bcc = addresses("bcc", json.get("bcc"));
        int recipients = to.size() + cc.size() + bcc.size();
        if (recipients > maxRecipients) {
            throw new InvalidMail("too many recipients: " + recipients + " in to, cc and bcc (at most " + maxRecipients
                                  + ")");
        }
        String subject = optionalText(json, "subject");
        if (subject != null && subject.chars().anyMatch(c -> c < 0x20 && c != '\t')) {
            throw new InvalidMail("\"subject\" must be one line (no control characters)");
        }
        String text = optionalText(json, "text");
        String html = optionalText(json, "html");
        List<MimeBodyPart> attachments = attachments(json.get("attachments"));

        String domain = from.getAddress().substring(from.getAddress().lastIndexOf('@') + 1);
        String messageId = "<" + UUID.randomUUID() + "@" + domain + ">";
        MimeMessage message = new MimeMessage(session) {
            @Override
            protected void updateMessageID() throws MessagingException {
                setHeader("Message-ID", messageId);
            }
        };
        message.setFrom(from);
        message.setRecipients(Message.RecipientType.TO, to.toArray(new InternetAddress[0]));
        if (!cc.isEmpty()) {
            message.setRecipients(Message.RecipientType.CC, cc.toArray(new InternetAddress[0]));
        }
        if (subject != null) {
            message.setSubject(subject, "UTF-8");
        }
        message.setSentDate(new Date());

        if (attachments.isEmpty()) {
            fill(message, text, html);
        } else {
            MimeMultipart mixed = new MimeMultipart("mixed");
            MimeBodyPart content = new MimeBodyPart();
            fill(content, text, html);
            mixed.addBodyPart(content);
            for (MimeBodyPart a : attachments) {
                mixed.addBodyPart(a);
            }
            message.setContent(mixed);
        }
        message.saveChanges();

        Set<String> envelope = new LinkedHashSet<>();
        Set<String> seen = new LinkedHashSet<>();
        for (List<InternetAddress> list : List.of(to, cc, bcc)) {
            for (InternetAddress a : list) {
                if (seen.add(a.getAddress().toLowerCase(Locale.ROOT))) {
                    envelope.add(a.getAddress());
                }
            }
        }
        ByteArrayOutputStream octets = new ByteArrayOutputStream();
        message.writeTo(octets);
        return new Built(from.getAddress(), new ArrayList<>(envelope), messageId, octets.toByteArray());
    }

    /** The 202 answer: the queue id (and the Message-ID) as JSON. */
    public String accepted(@Header("CamelSmtpMessageId") String queueId,
                           @ExchangeProperty(MESSAGE_ID_PROPERTY) String messageId) throws JsonProcessingException {
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("queueId", queueId);
        answer.put("messageId", messageId);
        return JSON.writeValueAsString(answer);
    }

    /** The error answer: {"error": "..."} from the caught exception. */
    public String error(@ExchangeProperty(Exchange.EXCEPTION_CAUGHT) Exception e) throws JsonProcessingException {
        String message = e == null ? "unknown error" : e.getMessage();
        return JSON.writeValueAsString(Map.of("error", message == null ? e.getClass().getSimpleName() : message));
    }

    /** text/plain, text/html, or both as multipart/alternative (an empty text/plain when neither is given). */
    private static void fill(MimePart part, String text, String html) throws MessagingException {
        if (text != null && html != null) {
            MimeMultipart alternative = new MimeMultipart("alternative");
            MimeBodyPart plain = new MimeBodyPart();
            plain.setText(text, "UTF-8", "plain");
            MimeBodyPart rich = new MimeBodyPart();
            rich.setText(html, "UTF-8", "html");
            alternative.addBodyPart(plain);
            alternative.addBodyPart(rich);
            part.setContent(alternative);
        } else if (html != null) {
            part.setText(html, "UTF-8", "html");
        } else {
            part.setText(text == null ? "" : text, "UTF-8", "plain");
        }
    }

    private static String location(JsonProcessingException e) {
        return e.getLocation() == null ? ""
                : " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")";
    }

    private static String optionalText(JsonNode json, String field) throws InvalidMail {
        JsonNode node = json.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isTextual()) {
            throw new InvalidMail("\"" + field + "\" must be a string");
        }
        return node.asText();
    }

    /** One string (maybe a comma-separated list) or an array of strings; each address strictly checked. */
    private static List<InternetAddress> addresses(String field, JsonNode node) throws InvalidMail {
        List<InternetAddress> result = new ArrayList<>();
        if (node == null || node.isNull()) {
            return result;
        }
        List<String> values = new ArrayList<>();
        if (node.isTextual()) {
            values.add(node.asText());
        } else if (node.isArray()) {
            for (JsonNode element : node) {
                if (!element.isTextual()) {
                    throw new InvalidMail("\"" + field + "\" must be an address or an array of addresses (strings)");
                }
                values.add(element.asText());
            }
        } else {
            throw new InvalidMail("\"" + field + "\" must be an address or an array of addresses (strings)");
        }
        for (String value : values) {
            InternetAddress[] parsed;
            try {
                parsed = InternetAddress.parse(value, true);
                for (InternetAddress a : parsed) {
                    a.validate();
                }
            } catch (AddressException e) {
                throw new InvalidMail("\"" + field + "\": invalid address \"" + value + "\": " + e.getMessage());
            }
            for (InternetAddress a : parsed) {
                String address = a.getAddress();
                int at = address == null ? -1 : address.lastIndexOf('@');
                if (at <= 0 || at == address.length() - 1 || a.isGroup()) {
                    throw new InvalidMail("\"" + field + "\": invalid address \"" + value
                                          + "\": expected local-part@domain");
                }
                result.add(a);
            }
        }
        return result;
    }

    private static List<MimeBodyPart> attachments(JsonNode node) throws InvalidMail, MessagingException {
        List<MimeBodyPart> parts = new ArrayList<>();
        if (node == null || node.isNull()) {
            return parts;
        }
        if (!node.isArray()) {
            throw new InvalidMail("\"attachments\" must be an array of {name, type, content}");
        }
        for (int i = 0; i < node.size(); i++) {
            JsonNode a = node.get(i);
            String where = "\"attachments\"[" + i + "]";
            if (!a.isObject()) {
                throw new InvalidMail(where + " must be an object {name, type, content}");
            }
            for (Iterator<String> names = a.fieldNames(); names.hasNext();) {
                String name = names.next();
                if (!ATTACHMENT_FIELDS.contains(name)) {
                    throw new InvalidMail(where + ": unknown field \"" + name + "\" (known: name, type, content)");
                }
            }
            String name = optionalText(a, "name");
            if (name == null || name.isBlank()) {
                throw new InvalidMail(where + ".name is missing");
            }
            if (name.chars().anyMatch(c -> c < 0x20)) {
                throw new InvalidMail(where + ".name must not contain control characters");
            }
            String type = optionalText(a, "type");
            if (type == null || type.isBlank()) {
                type = "application/octet-stream";
            }
            try {
                ContentType parsed = new ContentType(type);
                if (parsed.getPrimaryType().isEmpty() || parsed.getSubType() == null || parsed.getSubType().isEmpty()
                    || type.chars().anyMatch(c -> c < 0x20)) {
                    throw new ParseException("expected type/subtype");
                }
            } catch (ParseException e) {
                throw new InvalidMail(where + ".type: invalid MIME type \"" + type + "\": " + e.getMessage());
            }
            String content = optionalText(a, "content");
            if (content == null) {
                throw new InvalidMail(where + ".content is missing (the attachment's octets in base64)");
            }
            byte[] bytes;
            try {
                bytes = Base64.getDecoder().decode(content.replaceAll("\\s", "").getBytes(StandardCharsets.US_ASCII));
            } catch (IllegalArgumentException e) {
                throw new InvalidMail(where + ".content is not valid base64: " + e.getMessage());
            }
            MimeBodyPart part = new MimeBodyPart();
            part.setDataHandler(new DataHandler(new ByteArrayDataSource(bytes, type)));
            part.setFileName(name);
            part.setDisposition(Part.ATTACHMENT);
            parts.add(part);
        }
        return parts;
    }
}

package io.camelsmtp.smtp.relay;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Date;
import java.util.List;
import java.util.Properties;
import java.util.regex.Pattern;

import io.camelsmtp.smtp.relay.client.OutboundMessage;
import jakarta.mail.Address;
import jakarta.mail.Message.RecipientType;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.StreamCache;

/**
 * Turns an Exchange into an {@link OutboundMessage}, before any network I/O.
 * <p>
 * The envelope comes from {@code CamelSmtpEnvelopeFrom}/{@code CamelSmtpEnvelopeTo} (what {@code smtp-server} sets).
 * Only when they are absent is it derived from the message itself (Sender or From; To, Cc and Bcc), and Bcc is then
 * removed from what is sent. Headers from an untrusted consumer cannot redirect mail: they are {@code Camel}-prefixed,
 * which Camel's HTTP, JMS and Kafka header filters drop.
 * <p>
 * The body may be raw RFC 5322 (bytes, stream, String), a {@link MimeMessage}, or plain text with {@code Subject},
 * {@code From} and {@code To} headers, from which a MIME message with Date and Message-ID is built.
 */
public final class MessageFactory {

    private static final Pattern HEADER_LINE = Pattern.compile("^[!-9;-~]+:.*");
    private static final Pattern MAILBOX = Pattern.compile("^[^\\s<>@]+@([^\\s<>@\\[\\]]+|\\[(?i:IPv6:)?[0-9A-Fa-f:.]+\\])$");
    private static final Session SESSION = Session.getInstance(new Properties());

    /** The message and the recipients refused before sending (bad syntax). */
    public record Prepared(OutboundMessage message, List<String> invalidRecipients) {
    }

    private MessageFactory() {
    }

    public static Prepared create(Exchange exchange) throws Exception {
        Message in = exchange.getMessage();
        Object body = in.getBody();
        if (body == null) {
            throw new IllegalArgumentException("smtp-relay: the message body is empty; nothing to send");
        }
        String from = in.getHeader(SmtpRelayConstants.ENVELOPE_FROM, String.class);
        List<String> to = recipients(in.getHeader(SmtpRelayConstants.ENVELOPE_TO));
        MimeMessage mime = null;
        byte[] bytes = null;
        StreamCache cache = null;
        if (body instanceof MimeMessage m) {
            mime = m;
        } else if (to != null && body instanceof StreamCache sc) {
            cache = sc;
        } else {
            bytes = in.getMandatoryBody(byte[].class);
            if (body instanceof InputStream && !(body instanceof StreamCache)) {
                in.setBody(bytes); // a plain stream is read once; a redelivery needs the octets again
            }
            if (!looksLikeMessage(bytes)) {
                if (in.getHeader("Subject") == null && in.getHeader("To") == null && in.getHeader("From") == null) {
                    throw new IllegalArgumentException("smtp-relay: the body is not an RFC 5322 message (it has no "
                            + "header section) and no Subject/From/To headers are set to build one");
                }
                mime = build(in, new String(bytes, StandardCharsets.UTF_8));
                bytes = null;
            }
        }
        if (to == null || from == null) {
            MimeMessage headers = mime != null ? mime : parse(bytes != null ? new ByteArrayInputStream(bytes) : open(cache));
            if (to == null) {
                to = new ArrayList<>();
                for (RecipientType type : new RecipientType[] { RecipientType.TO, RecipientType.CC, RecipientType.BCC }) {
                    addAll(to, headers.getRecipients(type));
                }
                if (headers.getHeader("Bcc") != null) {
                    headers.removeHeader("Bcc");
                    mime = headers;
                    bytes = null;
                    cache = null;
                }
            }
            if (from == null) {
                from = sender(headers);
            }
        }
        if (mime != null && bytes == null && cache == null) {
            if (mime.getHeader("Message-ID") == null || mime.getSentDate() == null) {
                if (mime.getSentDate() == null) {
                    mime.setSentDate(new Date());
                }
                mime.saveChanges();
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            mime.writeTo(out);
            bytes = out.toByteArray();
            in.setBody(bytes);
        }
        if (to.isEmpty()) {
            throw new IllegalArgumentException("smtp-relay: no recipient (set CamelSmtpEnvelopeTo, or To/Cc/Bcc in the message)");
        }
        List<String> notify = list(in.getHeader(SmtpRelayConstants.DSN_NOTIFY));
        List<String> orcpt = list(in.getHeader(SmtpRelayConstants.DSN_ORCPT));
        List<OutboundMessage.Recipient> valid = new ArrayList<>();
        List<String> invalid = new ArrayList<>();
        boolean utf8 = Boolean.TRUE.equals(in.getHeader(SmtpRelayConstants.UTF8, Boolean.class)) || nonAscii(from);
        for (int i = 0; i < to.size(); i++) {
            String r = to.get(i);
            if (!MAILBOX.matcher(r).matches() && !isBarePostmaster(r)) {
                invalid.add(r);
                continue;
            }
            utf8 |= nonAscii(r);
            valid.add(new OutboundMessage.Recipient(r, at(notify, i), at(orcpt, i)));
        }
        if (!from.isEmpty() && !MAILBOX.matcher(from).matches()) {
            throw new IllegalArgumentException("smtp-relay: invalid envelope sender <" + from + ">");
        }
        long size = bytes != null ? bytes.length : cache.length();
        boolean eightBit = "8BITMIME".equalsIgnoreCase(in.getHeader(SmtpRelayConstants.BODY_TYPE, String.class))
                           || hasEightBit(bytes != null ? new ByteArrayInputStream(bytes) : open(cache));
        OutboundMessage message = new OutboundMessage(from, valid, bytes, cache, size, eightBit, utf8,
                in.getHeader(SmtpRelayConstants.DSN_RET, String.class), in.getHeader(SmtpRelayConstants.DSN_ENVID, String.class));
        in.setHeader(SmtpRelayConstants.ENVELOPE_FROM, from);
        in.setHeader(SmtpRelayConstants.ENVELOPE_TO, new ArrayList<>(to));
        return new Prepared(message, invalid);
    }

    /**
     * The bare {@code postmaster}, the one recipient without a domain that SMTP servers must accept (RFC 5321
     * §4.5.1): it is carried as it is, so a queue keeps it and a smart host can take it; delivery by MX has no
     * domain to look up and fails it with {@code 553 5.1.3}.
     */
    public static boolean isBarePostmaster(String address) {
        return address.equalsIgnoreCase("postmaster");
    }

    private static InputStream open(StreamCache cache) {
        cache.reset();
        return (InputStream) cache;
    }

    private static MimeMessage parse(InputStream in) throws MessagingException {
        return new MimeMessage(SESSION, in);
    }

    private static MimeMessage build(Message in, String text) throws MessagingException {
        MimeMessage m = new MimeMessage(SESSION);
        String from = in.getHeader("From", String.class);
        if (from != null) {
            m.setFrom(new InternetAddress(from, true));
        }
        for (String[] h : new String[][] { { "To", "TO" }, { "Cc", "CC" }, { "Bcc", "BCC" } }) {
            String v = in.getHeader(h[0], String.class);
            if (v != null) {
                m.setRecipients(h[1].equals("TO") ? RecipientType.TO : h[1].equals("CC") ? RecipientType.CC : RecipientType.BCC,
                        InternetAddress.parse(v, true));
            }
        }
        String subject = in.getHeader("Subject", String.class);
        if (subject != null) {
            m.setSubject(subject, "UTF-8");
        }
        m.setText(text, "UTF-8");
        m.setSentDate(new Date());
        m.saveChanges();
        return m;
    }

    private static String sender(MimeMessage m) throws MessagingException {
        String[] sender = m.getHeader("Sender");
        if (sender != null) {
            return ((InternetAddress) InternetAddress.parseHeader(sender[0], false)[0]).getAddress();
        }
        Address[] from = m.getFrom();
        if (from == null || from.length == 0) {
            throw new IllegalArgumentException("smtp-relay: no sender (set CamelSmtpEnvelopeFrom, or Sender/From in the message)");
        }
        return ((InternetAddress) from[0]).getAddress();
    }

    private static void addAll(List<String> to, Address[] addresses) {
        if (addresses != null) {
            for (Address a : addresses) {
                if (a instanceof InternetAddress ia && !ia.isGroup()) {
                    to.add(ia.getAddress());
                }
            }
        }
    }

    private static List<String> recipients(Object header) {
        if (header == null) {
            return null;
        }
        if (header instanceof Collection<?> c) {
            List<String> out = new ArrayList<>();
            for (Object o : c) {
                out.add(String.valueOf(o).strip());
            }
            return out;
        }
        return new ArrayList<>(Arrays.stream(header.toString().split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList());
    }

    private static List<String> list(Object header) {
        if (header instanceof List<?> l) {
            List<String> out = new ArrayList<>();
            for (Object o : l) {
                out.add(o == null ? null : o.toString());
            }
            return out;
        }
        return List.of();
    }

    private static String at(List<String> list, int i) {
        return i < list.size() ? list.get(i) : null;
    }

    static boolean looksLikeMessage(byte[] bytes) {
        int end = 0;
        while (end < bytes.length && end < 1000 && bytes[end] != '\n' && bytes[end] != '\r') {
            end++;
        }
        return HEADER_LINE.matcher(new String(bytes, 0, end, StandardCharsets.ISO_8859_1)).matches();
    }

    private static boolean nonAscii(String s) {
        return s.chars().anyMatch(c -> c > 127);
    }

    private static boolean hasEightBit(InputStream in) throws IOException {
        byte[] buf = new byte[8192];
        int n;
        while ((n = in.read(buf)) > 0) {
            for (int i = 0; i < n; i++) {
                if (buf[i] < 0) {
                    return true;
                }
            }
        }
        return false;
    }
}

package io.camelsmtp.smtp.common;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Properties;
import java.util.regex.Pattern;

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
 * Turns an Exchange into an {@link Envelope} and the {@link MailContent} to send or store, before any I/O: what
 * {@code smtp-relay} and {@code smtp-queue} do first with every message they are given.
 * <p>
 * The envelope comes from the envelope headers (what {@code smtp-server} sets, read by {@link EnvelopeBinding}).
 * Only when {@code CamelSmtpEnvelopeFrom}/{@code CamelSmtpEnvelopeTo} are absent is it derived from the message
 * itself (Sender or From; To, Cc and Bcc), and Bcc is then removed from what is sent. Headers from an untrusted
 * consumer cannot redirect mail: they are {@code Camel}-prefixed, which Camel's HTTP, JMS and Kafka header filters drop.
 * <p>
 * The body may be raw RFC 5322 (bytes, stream, String), a {@link MimeMessage}, or plain text with {@code Subject},
 * {@code From} and {@code To} headers, from which a MIME message with Date and Message-ID is built.
 */
public final class MessageFactory {

    private static final Pattern HEADER_LINE = Pattern.compile("^[!-9;-~]+:.*");
    private static final Session SESSION = Session.getInstance(new Properties());

    /**
     * A message ready to send or store.
     *
     * @param envelope          the envelope, every recipient included (also those in {@code invalidRecipients});
     *                          {@code utf8} is true also when an address needs it
     * @param content           the octets
     * @param invalidRecipients recipients whose address is not a mailbox (refused before sending: 553 5.1.3)
     */
    public record Prepared(Envelope envelope, MailContent content, List<String> invalidRecipients) {

        /** The envelope without the invalid recipients. */
        public Envelope deliverable() {
            return envelope.without(invalidRecipients);
        }
    }

    private MessageFactory() {
    }

    /**
     * Reads the Exchange's message; sets the envelope headers to the envelope found (derived ones included) and,
     * when the body was built or re-read, the body to its octets.
     */
    public static Prepared create(Exchange exchange) throws Exception {
        Message in = exchange.getMessage();
        Object body = in.getBody();
        if (body == null) {
            throw new IllegalArgumentException("the message body is empty; nothing to send");
        }
        Envelope headerEnvelope = EnvelopeBinding.read(in);
        String from = headerEnvelope.sender();
        List<Envelope.Recipient> to = EnvelopeBinding.hasRecipients(in) ? headerEnvelope.recipients() : null;
        MimeMessage mime = null;
        byte[] bytes = null;
        StreamCache cache = null;
        if (body instanceof MimeMessage m) {
            mime = m;
        } else if (to != null && body instanceof StreamCache sc && body instanceof InputStream) {
            cache = sc;
        } else {
            bytes = in.getMandatoryBody(byte[].class);
            if (body instanceof InputStream && !(body instanceof StreamCache)) {
                in.setBody(bytes); // a plain stream is read once; a redelivery needs the octets again
            }
            if (!looksLikeMessage(bytes)) {
                if (in.getHeader("Subject") == null && in.getHeader("To") == null && in.getHeader("From") == null) {
                    throw new IllegalArgumentException("the body is not an RFC 5322 message (it has no header section) "
                            + "and no Subject/From/To headers are set to build one");
                }
                mime = build(in, new String(bytes, StandardCharsets.UTF_8));
                bytes = null;
            }
        }
        if (to == null || from == null) {
            MimeMessage headers = mime != null ? mime : parse(bytes != null ? new ByteArrayInputStream(bytes) : open(cache));
            if (to == null) {
                List<String> found = new ArrayList<>();
                for (RecipientType type : new RecipientType[] { RecipientType.TO, RecipientType.CC, RecipientType.BCC }) {
                    addAll(found, headers.getRecipients(type));
                }
                to = found.stream().map(Envelope.Recipient::of).toList();
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
            throw new IllegalArgumentException("no recipient (set CamelSmtpEnvelopeTo, or To/Cc/Bcc in the message)");
        }
        List<String> invalid = new ArrayList<>();
        boolean utf8 = headerEnvelope.utf8() || nonAscii(from);
        for (Envelope.Recipient r : to) {
            if (!EnvelopeSyntax.isMailbox(r.address()) && !isBarePostmaster(r.address())) {
                invalid.add(r.address());
            } else {
                utf8 |= nonAscii(r.address());
            }
        }
        if (!from.isEmpty() && !EnvelopeSyntax.isMailbox(from)) {
            throw new IllegalArgumentException("invalid envelope sender <" + printable(from) + ">");
        }
        checkDsnParameters(headerEnvelope, to);
        boolean eightBit = "8BITMIME".equalsIgnoreCase(headerEnvelope.bodyType())
                           || hasEightBit(bytes != null ? new ByteArrayInputStream(bytes) : open(cache));
        MailContent content = bytes != null ? MailContent.of(bytes, eightBit) : MailContent.of(cache, eightBit);
        Envelope envelope = new Envelope(from, to, headerEnvelope.bodyType(), utf8, headerEnvelope.ret(),
                headerEnvelope.envid(), headerEnvelope.queueId(), headerEnvelope.requireTlsOption());
        EnvelopeBinding.write(envelope, in);
        return new Prepared(envelope, content, invalid);
    }

    /**
     * The bare {@code postmaster}, the one recipient without a domain that SMTP servers must accept (RFC 5321
     * §4.5.1): it is carried as it is, so a queue keeps it and a smart host can take it; delivery by MX has no
     * domain to look up and fails it with {@code 553 5.1.3}.
     */
    public static boolean isBarePostmaster(String address) {
        return EnvelopeSyntax.isBarePostmaster(address);
    }

    /**
     * The DSN parameters go onto the relay's MAIL and RCPT lines (RET and NOTIFY as they are, the ORCPT type as it is):
     * a value a bridge took from outside must not carry a line end or a second parameter, so anything but RFC 3461's
     * syntax refuses the message.
     */
    private static void checkDsnParameters(Envelope e, List<Envelope.Recipient> to) {
        if (e.ret() != null && !EnvelopeSyntax.isDsnRet(e.ret())) {
            throw new IllegalArgumentException("invalid DSN RET '" + printable(e.ret()) + "' (FULL or HDRS)");
        }
        if (e.envid() != null && !EnvelopeSyntax.isDsnEnvid(e.envid())) {
            throw new IllegalArgumentException("invalid DSN ENVID '" + printable(e.envid()) + "'");
        }
        for (Envelope.Recipient r : to) {
            if (r.dsnNotify() != null && !EnvelopeSyntax.isDsnNotify(r.dsnNotify())) {
                throw new IllegalArgumentException("invalid DSN NOTIFY '" + printable(r.dsnNotify()) + "'");
            }
            if (r.dsnOrcpt() != null && !EnvelopeSyntax.isDsnOrcpt(r.dsnOrcpt())) {
                throw new IllegalArgumentException("invalid DSN ORCPT '" + printable(r.dsnOrcpt()) + "'");
            }
        }
    }

    /** A value for an error message: control characters escaped, at most 100 characters. */
    private static String printable(String s) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length() && sb.length() < 100; i++) {
            char c = s.charAt(i);
            sb.append(c < 32 || c == 127 ? String.format("\\x%02x", (int) c) : String.valueOf(c));
        }
        return sb.toString();
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

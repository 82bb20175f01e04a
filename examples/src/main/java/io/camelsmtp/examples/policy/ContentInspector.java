package io.camelsmtp.examples.policy;

import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UnsupportedEncodingException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.Set;

import jakarta.mail.MessagingException;
import jakarta.mail.Multipart;
import jakarta.mail.Part;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeUtility;

import org.apache.camel.Exchange;
import org.apache.camel.Handler;
import org.apache.camel.InvalidPayloadException;
import org.apache.camel.StreamCache;

/**
 * Looks into a received message for the {@code content-filter} route and says what to do with it in the header
 * {@value #VERDICT}:
 * <ul>
 * <li>{@code executable}: some part (at any depth of multipart nesting, or inside an attached message) has a file
 * name with an executable extension ({@link #EXECUTABLE_EXTENSIONS}, case-insensitive, trailing dots and spaces
 * ignored as Windows does), or is a non-text part whose decoded content starts with {@code MZ} (a DOS/Windows
 * executable). {@value #REASON} names the part.</li>
 * <li>{@code quarantine}: the spam score is at least {@code quarantineScore}.</li>
 * <li>{@code spam}: the spam score is at least {@code tagScore}.</li>
 * <li>{@code clean}: none of these.</li>
 * </ul>
 * The spam score ({@value #SCORE}) is the number of distinct {@code keywords} (comma-separated, case-insensitive)
 * found in the Subject or in the text parts. For {@code spam} and {@code quarantine} the body is rewritten: any
 * {@code X-Spam-Flag} and {@code X-Spam-Score} headers from the client are dropped, {@code X-Spam-Flag: YES} and
 * {@code X-Spam-Score: n} are added at the top, and the Subject becomes {@code [SPAM] <subject>} (or {@code [SPAM]}
 * when there was none). The rewrite works on the raw header block, so everything after it — the body, every MIME
 * part — stays byte for byte as received; the other headers (the Received header included) are left as they are.
 * Clean mail is not touched.
 */
public class ContentInspector {

    public static final String VERDICT = "ContentFilterVerdict";
    public static final String SCORE = "ContentFilterScore";
    public static final String REASON = "ContentFilterReason";

    public static final Set<String> EXECUTABLE_EXTENSIONS =
            Set.of("exe", "bat", "cmd", "com", "scr", "js", "vbs", "jar", "msi", "ps1");

    private static final Session SESSION = Session.getInstance(new Properties());

    private static final byte[] CRLF = {'\r', '\n'};

    private List<String> keywords = List.of();
    private int tagScore = 1;
    private int quarantineScore = 3;

    /** Comma-separated, case-insensitive; blanks are ignored. */
    public void setKeywords(String keywords) {
        List<String> list = new ArrayList<>();
        for (String k : keywords.split(",")) {
            if (!k.isBlank()) {
                list.add(k.strip().toLowerCase(Locale.ROOT));
            }
        }
        this.keywords = List.copyOf(list);
    }

    public void setTagScore(int tagScore) {
        this.tagScore = tagScore;
    }

    public void setQuarantineScore(int quarantineScore) {
        this.quarantineScore = quarantineScore;
    }

    @Handler
    public void inspect(Exchange exchange) throws MessagingException, IOException, InvalidPayloadException {
        org.apache.camel.Message in = exchange.getMessage();
        MimeMessage mime = parse(in);
        String executable = findExecutable(mime, "message");
        if (executable != null) {
            in.setHeader(VERDICT, "executable");
            in.setHeader(REASON, executable);
            return;
        }
        int score = score(mime);
        in.setHeader(SCORE, score);
        if (score >= quarantineScore || score >= tagScore) {
            in.setHeader(VERDICT, score >= quarantineScore ? "quarantine" : "spam");
            in.setBody(tag(raw(in), score));
        } else {
            in.setHeader(VERDICT, "clean");
        }
    }

    /**
     * Parses the body from its start and leaves it readable from its start. Not with the body's MimeMessage type
     * converter: Jakarta Mail's header reader calls {@code mark()} on the stream it is given, and for an in-memory
     * body (Camel's {@code InputStreamCache}, a {@code ByteArrayInputStream}) that moves the position
     * {@code reset()} returns to, so after the conversion the body would be re-read from the end of its header block.
     * A {@code BufferedInputStream} in between keeps the marks to itself.
     */
    private static MimeMessage parse(org.apache.camel.Message in) throws MessagingException, InvalidPayloadException {
        Object body = in.getBody();
        if (body instanceof StreamCache cache && body instanceof InputStream stream) {
            cache.reset();
            try {
                return new MimeMessage(SESSION, new BufferedInputStream(stream));
            } finally {
                cache.reset();
            }
        }
        return new MimeMessage(SESSION, new ByteArrayInputStream(in.getMandatoryBody(byte[].class)));
    }

    /** The whole body as bytes, leaving a re-readable body readable from its start. */
    private static byte[] raw(org.apache.camel.Message in) throws IOException, InvalidPayloadException {
        Object body = in.getBody();
        if (body instanceof StreamCache cache && body instanceof InputStream stream) {
            cache.reset();
            try {
                return new BufferedInputStream(stream).readAllBytes();
            } finally {
                cache.reset();
            }
        }
        return in.getMandatoryBody(byte[].class);
    }

    /** A description of the first executable part, or null. */
    static String findExecutable(Part part, String where) throws MessagingException, IOException {
        String name = fileName(part);
        if (name != null && hasExecutableExtension(name)) {
            return where + ": file name " + name;
        }
        if (part.isMimeType("multipart/*")) {
            Multipart mp = (Multipart) part.getContent();
            for (int i = 0; i < mp.getCount(); i++) {
                String found = findExecutable(mp.getBodyPart(i), where + "/" + (i + 1));
                if (found != null) {
                    return found;
                }
            }
            return null;
        }
        if (part.isMimeType("message/rfc822")) {
            Object content = part.getContent();
            return content instanceof Part p ? findExecutable(p, where + "/message") : null;
        }
        boolean text = part.isMimeType("text/*") && !Part.ATTACHMENT.equalsIgnoreCase(part.getDisposition());
        if (!text) {
            try (InputStream data = part.getInputStream()) {
                byte[] magic = data.readNBytes(2);
                if (magic.length == 2 && magic[0] == 'M' && magic[1] == 'Z') {
                    return where + ": content starts with MZ" + (name == null ? "" : " (" + name + ")");
                }
            }
        }
        return null;
    }

    static boolean hasExecutableExtension(String fileName) {
        String n = fileName.strip();
        while (n.endsWith(".") || n.endsWith(" ")) {
            n = n.substring(0, n.length() - 1);
        }
        int dot = n.lastIndexOf('.');
        return dot >= 0 && EXECUTABLE_EXTENSIONS.contains(n.substring(dot + 1).toLowerCase(Locale.ROOT));
    }

    private static String fileName(Part part) throws MessagingException {
        String name;
        try {
            name = part.getFileName();
        } catch (MessagingException e) {
            return null;
        }
        if (name == null) {
            return null;
        }
        try {
            return MimeUtility.decodeText(name);
        } catch (UnsupportedEncodingException e) {
            return name;
        }
    }

    int score(MimeMessage mime) throws MessagingException, IOException {
        StringBuilder text = new StringBuilder();
        String subject = mime.getSubject();
        if (subject != null) {
            text.append(subject).append('\n');
        }
        collectText(mime, text);
        String haystack = text.toString().toLowerCase(Locale.ROOT);
        int score = 0;
        for (String k : keywords) {
            if (haystack.contains(k)) {
                score++;
            }
        }
        return score;
    }

    private static void collectText(Part part, StringBuilder text) throws MessagingException, IOException {
        if (part.isMimeType("multipart/*")) {
            Multipart mp = (Multipart) part.getContent();
            for (int i = 0; i < mp.getCount(); i++) {
                collectText(mp.getBodyPart(i), text);
            }
        } else if (part.isMimeType("text/*")) {
            Object content = part.getContent();
            if (content instanceof String s) {
                text.append(s).append('\n');
            }
        }
    }

    /**
     * The raw message with X-Spam-Flag and X-Spam-Score on top and {@code [SPAM] } before the Subject; the rest of the
     * header block and everything after it unchanged.
     */
    static byte[] tag(byte[] raw, int score) {
        int headerEnd = headerEnd(raw);
        List<byte[]> fields = splitFields(raw, headerEnd);
        ByteBuilder out = new ByteBuilder(raw.length + 80);
        out.ascii("X-Spam-Flag: YES\r\nX-Spam-Score: " + score + "\r\n");
        boolean subjectSeen = false;
        for (byte[] field : fields) {
            String name = fieldName(field);
            if (name.equals("x-spam-flag") || name.equals("x-spam-score")) {
                continue;
            }
            if (name.equals("subject") && !subjectSeen) {
                subjectSeen = true;
                int colon = indexOf(field, (byte) ':');
                int valueStart = colon + 1;
                while (valueStart < field.length && (field[valueStart] == ' ' || field[valueStart] == '\t')) {
                    valueStart++;
                }
                out.write(field, 0, colon + 1);
                out.ascii(" [SPAM] ");
                out.write(field, valueStart, field.length - valueStart);
                continue;
            }
            out.write(field, 0, field.length);
        }
        if (!subjectSeen) {
            out.ascii("Subject: [SPAM]\r\n");
        }
        out.write(raw, headerEnd, raw.length - headerEnd);
        return out.toByteArray();
    }

    /** Offset of the empty line that ends the header block (its CRLF), or raw.length if there is none. */
    private static int headerEnd(byte[] raw) {
        if (raw.length >= 2 && raw[0] == '\r' && raw[1] == '\n') {
            return 0;
        }
        for (int i = 0; i + 3 < raw.length; i++) {
            if (raw[i] == '\r' && raw[i + 1] == '\n' && raw[i + 2] == '\r' && raw[i + 3] == '\n') {
                return i + 2;
            }
        }
        return raw.length;
    }

    /** The header fields in [0, end), each with its continuation lines and final CRLF. */
    private static List<byte[]> splitFields(byte[] raw, int end) {
        List<byte[]> fields = new ArrayList<>();
        int start = 0;
        int i = 0;
        while (i < end) {
            int eol = i;
            while (eol < end && raw[eol] != '\n') {
                eol++;
            }
            int next = Math.min(eol + 1, end);
            boolean continues = next < end && (raw[next] == ' ' || raw[next] == '\t');
            if (!continues) {
                fields.add(Arrays.copyOfRange(raw, start, next));
                start = next;
            }
            i = next;
        }
        if (!fields.isEmpty()) {
            byte[] last = fields.get(fields.size() - 1);
            if (last.length > 0 && last[last.length - 1] != '\n') {
                // a header block without a final CRLF (no body): end the field before adding a blank line
                byte[] fixed = Arrays.copyOf(last, last.length + 2);
                System.arraycopy(CRLF, 0, fixed, last.length, 2);
                fields.set(fields.size() - 1, fixed);
            }
        }
        return fields;
    }

    private static String fieldName(byte[] field) {
        int colon = indexOf(field, (byte) ':');
        if (colon < 0 || field.length == 0 || field[0] == ' ' || field[0] == '\t') {
            return "";
        }
        return new String(field, 0, colon, StandardCharsets.US_ASCII).strip().toLowerCase(Locale.ROOT);
    }

    private static int indexOf(byte[] a, byte b) {
        for (int i = 0; i < a.length; i++) {
            if (a[i] == b) {
                return i;
            }
            if (a[i] == '\n') {
                return -1;
            }
        }
        return -1;
    }

    private static final class ByteBuilder extends java.io.ByteArrayOutputStream {
        ByteBuilder(int size) {
            super(size);
        }

        void ascii(String s) {
            writeBytes(s.getBytes(StandardCharsets.US_ASCII));
        }
    }
}

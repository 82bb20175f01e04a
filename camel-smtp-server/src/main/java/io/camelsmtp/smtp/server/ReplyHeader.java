package io.camelsmtp.smtp.server;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

import io.camelsmtp.smtp.common.SmtpReply;

/**
 * Reads the CamelSmtpReply header a route set, failing closed: a value meant as a reply that is not a valid one is
 * an {@link IllegalArgumentException} (the caller answers with a temporary failure), never bare text that a 250
 * would carry to the client. The rules:
 * <ul>
 * <li>an {@link SmtpReply} is taken as it is (a text with line breaks is a multi-line reply);</li>
 * <li>a {@link Collection} is a multi-line reply: each element a reply line, all with the same code and the same
 * enhanced status code (or all without one);</li>
 * <li>text, once surrounding whitespace is stripped, must not contain CR, LF or another control character but tab;
 * it is a reply line when it starts with a digit, or when its first three characters are letters and digits, one
 * of them a digit, followed by a space, a hyphen or the end (a mistyped code such as {@code O54}), and it must then
 * parse as one; anything else is bare text, accepted as {@code 250 2.0.0 <text>};</li>
 * <li>a 3xx code is refused everywhere: it would ask the client to go on with a command that is not running.</li>
 * </ul>
 */
final class ReplyHeader {

    private static final Pattern MISTYPED_CODE = Pattern.compile("^(?=[A-Za-z0-9]{0,2}[0-9])[A-Za-z0-9]{3}(?:[ -].*)?$",
            Pattern.DOTALL);

    private ReplyHeader() {
    }

    /** The reply {@code value} stands for, or null for none; IllegalArgumentException says why it is not valid. */
    static SmtpReply parse(Object value) {
        if (value == null) {
            return null;
        }
        SmtpReply reply;
        if (value instanceof SmtpReply r) {
            reply = r;
        } else if (value instanceof Collection<?> lines) {
            reply = lines(lines);
        } else {
            String text = checkedText(value.toString());
            reply = looksLikeAReply(text) ? line(text) : SmtpReply.of(250, "2.0.0", text);
        }
        if (reply.code() >= 300 && reply.code() < 400) {
            throw new IllegalArgumentException("a " + reply.code() + " reply would ask the client to continue a command");
        }
        return reply;
    }

    /** True when {@code text} is an attempt at a reply line rather than bare text. */
    static boolean looksLikeAReply(String text) {
        return !text.isEmpty() && (Character.isDigit(text.charAt(0)) || MISTYPED_CODE.matcher(text).matches());
    }

    private static SmtpReply lines(Collection<?> lines) {
        if (lines.isEmpty()) {
            throw new IllegalArgumentException("an empty list is no reply");
        }
        List<String> texts = new ArrayList<>(lines.size());
        SmtpReply first = null;
        for (Object element : lines) {
            SmtpReply line = line(checkedText(String.valueOf(element)));
            if (first == null) {
                first = line;
            } else if (line.code() != first.code() || !Objects.equals(line.enhancedStatus(), first.enhancedStatus())) {
                throw new IllegalArgumentException("every line of a multi-line reply needs the same code and enhanced"
                                                   + " status code as the first");
            }
            texts.add(line.text());
        }
        return SmtpReply.of(first.code(), first.enhancedStatus(), String.join("\n", texts));
    }

    private static SmtpReply line(String text) {
        try {
            return SmtpReply.parse(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("it does not start with a valid reply code (2xx-5xx and an optional"
                                               + " enhanced status of the same class, such as 550 5.7.1 text)", e);
        }
    }

    private static String checkedText(String raw) {
        String text = raw.strip();
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\r' || c == '\n') {
                throw new IllegalArgumentException("it contains a line break (a multi-line reply is a List of lines"
                                                   + " or an SmtpReply)");
            }
            if ((c < 0x20 && c != '\t') || c == 0x7f) {
                throw new IllegalArgumentException("it contains a control character");
            }
        }
        return text;
    }
}

package io.camelsmtp.smtp.common;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;

import org.apache.camel.Message;

import static io.camelsmtp.smtp.common.SmtpEnvelopeHeaders.BODY_TYPE;
import static io.camelsmtp.smtp.common.SmtpEnvelopeHeaders.DSN_ENVID;
import static io.camelsmtp.smtp.common.SmtpEnvelopeHeaders.DSN_NOTIFY;
import static io.camelsmtp.smtp.common.SmtpEnvelopeHeaders.DSN_ORCPT;
import static io.camelsmtp.smtp.common.SmtpEnvelopeHeaders.DSN_RET;
import static io.camelsmtp.smtp.common.SmtpEnvelopeHeaders.ENVELOPE_FROM;
import static io.camelsmtp.smtp.common.SmtpEnvelopeHeaders.ENVELOPE_TO;
import static io.camelsmtp.smtp.common.SmtpEnvelopeHeaders.MESSAGE_ID;
import static io.camelsmtp.smtp.common.SmtpEnvelopeHeaders.REQUIRE_TLS_OPTION;
import static io.camelsmtp.smtp.common.SmtpEnvelopeHeaders.UTF8;

/**
 * The one mapping between an {@link Envelope} and the Camel headers that carry it ({@link SmtpEnvelopeHeaders}):
 * {@code smtp-server} writes it, {@code smtp-queue} reads it when storing and writes it for each delivery attempt,
 * {@code smtp-relay} reads it and, after a partial delivery, writes it back with the pending recipients. The
 * per-recipient DSN headers are lists aligned with {@code CamelSmtpEnvelopeTo}; only this class keeps them aligned.
 */
public final class EnvelopeBinding {

    private EnvelopeBinding() {
    }

    /**
     * The envelope in the message's headers. The sender is null when {@code CamelSmtpEnvelopeFrom} is absent, the
     * recipients empty when {@code CamelSmtpEnvelopeTo} is (see {@link #hasRecipients}). {@code CamelSmtpEnvelopeTo}
     * may be a collection or a comma-separated string.
     */
    public static Envelope read(Message message) {
        List<String> to = addresses(message.getHeader(ENVELOPE_TO));
        List<Envelope.Recipient> recipients = new ArrayList<>();
        if (to != null) {
            List<String> notify = strings(message.getHeader(DSN_NOTIFY));
            List<String> orcpt = strings(message.getHeader(DSN_ORCPT));
            for (int i = 0; i < to.size(); i++) {
                recipients.add(new Envelope.Recipient(to.get(i), at(notify, i), at(orcpt, i)));
            }
        }
        return new Envelope(message.getHeader(ENVELOPE_FROM, String.class), recipients,
                message.getHeader(BODY_TYPE, String.class), Boolean.TRUE.equals(message.getHeader(UTF8, Boolean.class)),
                message.getHeader(DSN_RET, String.class), message.getHeader(DSN_ENVID, String.class),
                message.getHeader(MESSAGE_ID, String.class), requireTlsOption(message.getHeader(REQUIRE_TLS_OPTION)));
    }

    /**
     * The REQUIRETLS flag as a route left it: {@code true} as a Boolean or the string {@code true} (any case). Any
     * other value present (a typo such as {@code yes}) also counts as set: a flag that asks for more security is not
     * dropped because it was spelled wrongly; only absent, {@code false} or {@code "false"} mean off.
     */
    static boolean requireTlsOption(Object header) {
        if (header == null || Boolean.FALSE.equals(header)) {
            return false;
        }
        return !(header instanceof CharSequence s && s.toString().strip().equalsIgnoreCase("false"));
    }

    /** True when the message names its recipients in {@code CamelSmtpEnvelopeTo}. */
    public static boolean hasRecipients(Message message) {
        return message.getHeader(ENVELOPE_TO) != null;
    }

    /**
     * Sets the envelope headers from {@code envelope}; a header whose value is absent (no RET, no NOTIFY for any
     * recipient, ...) is removed, so that what a message carries is exactly this envelope.
     */
    public static void write(Envelope envelope, Message message) {
        set(message, ENVELOPE_FROM, envelope.sender());
        message.setHeader(ENVELOPE_TO, envelope.addresses());
        set(message, BODY_TYPE, envelope.bodyType());
        message.setHeader(UTF8, envelope.utf8());
        set(message, DSN_RET, envelope.ret());
        set(message, DSN_ENVID, envelope.envid());
        List<String> notify = new ArrayList<>();
        List<String> orcpt = new ArrayList<>();
        for (Envelope.Recipient r : envelope.recipients()) {
            notify.add(r.dsnNotify());
            orcpt.add(r.dsnOrcpt());
        }
        set(message, DSN_NOTIFY, notify.stream().anyMatch(n -> n != null) ? notify : null);
        set(message, DSN_ORCPT, orcpt.stream().anyMatch(o -> o != null) ? orcpt : null);
        set(message, MESSAGE_ID, envelope.queueId());
        set(message, REQUIRE_TLS_OPTION, envelope.requireTlsOption() ? Boolean.TRUE : null);
    }

    private static void set(Message message, String name, Object value) {
        if (value == null) {
            message.removeHeader(name);
        } else {
            message.setHeader(name, value);
        }
    }

    private static List<String> addresses(Object header) {
        if (header == null) {
            return null;
        }
        if (header instanceof Collection<?> c) {
            List<String> out = new ArrayList<>(c.size());
            for (Object o : c) {
                out.add(String.valueOf(o).strip());
            }
            return out;
        }
        return new ArrayList<>(Arrays.stream(header.toString().split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList());
    }

    private static List<String> strings(Object header) {
        if (header instanceof List<?> l) {
            List<String> out = new ArrayList<>(l.size());
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
}

package io.camelsmtp.examples.bridge;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

import io.camelsmtp.smtp.common.EnvelopeSyntax;
import io.camelsmtp.smtp.common.Xtext;
import io.camelsmtp.smtp.server.SmtpServerConstants;

/**
 * Checks an SMTP envelope that did not come from {@code smtp-server} itself (here: read back from Kafka record
 * headers, which whoever can write to the topic can set) with the rules smtp-server applies to MAIL FROM and RCPT TO,
 * so that a value it would have refused never reaches a spool or an SMTP command line. Mailboxes, NOTIFY and ORCPT
 * are checked by common's {@link EnvelopeSyntax}, the definitions the server uses too:
 * <ul>
 * <li>the sender is {@code ""} (the null sender) or a mailbox; each recipient a mailbox or the bare
 * {@code postmaster}. A mailbox is {@code local@domain}: a dot-atom or quoted local part of at most 64 characters, a
 * domain of LDH labels (non-ASCII letters allowed) of at most 255, or an address literal {@code [192.0.2.1]},
 * {@code [IPv6:...]}; non-ASCII needs {@code SmtpUtf8=true}; at most {@value #MAX_RECIPIENTS} recipients;</li>
 * <li>{@code BODY} is {@code 7BIT} or {@code 8BITMIME}, {@code RET} {@code FULL} or {@code HDRS}, each {@code NOTIFY}
 * {@code NEVER} or a list of {@code SUCCESS}, {@code FAILURE}, {@code DELAY} (case-insensitive, stored in upper case as
 * the server does); each {@code ORCPT} {@code addr-type;address} whose xtext form ({@link Xtext}) fits the server's 500
 * characters; {@code ENVID} at most 100 characters; the DSN lists as long as the recipient list;</li>
 * <li>stricter than the server in one point: no value holds a control character (CR, LF, NUL, ...), not even ENVID
 * and ORCPT, which travel as xtext; and the queue id is what smtp-queue accepts ({@code [0-9A-Za-z]{1,40}}).</li>
 * </ul>
 * A value that breaks a rule is an {@link InvalidEnvelope} whose message says which and why, with the value escaped
 * and cut short so that the message is one safe line for a log or a record header.
 */
public final class EnvelopeRules {

    /** An envelope value breaks a rule; the message names the header and the rule. */
    public static class InvalidEnvelope extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        public InvalidEnvelope(String message) {
            super(message);
        }
    }

    /** The most recipients one envelope may have: smtp-server's default {@code maxRecipients}. */
    public static final int MAX_RECIPIENTS = 1000;
    /** The longest session value (HELO name, addresses, TLS cipher, ...) accepted; an SMTP line is 512 octets. */
    static final int MAX_TEXT = 512;

    private static final Pattern QUEUE_ID = Pattern.compile("[0-9A-Za-z]{1,40}");

    private EnvelopeRules() {
    }

    /**
     * Checks the envelope, given as the Camel headers smtp-server sets ({@code CamelSmtpEnvelopeFrom} as a String,
     * {@code CamelSmtpEnvelopeTo} as a List, {@code CamelSmtpLocalPort} as an Integer, ...); puts BODY, RET and NOTIFY
     * in upper case.
     *
     * @throws InvalidEnvelope naming the first value that breaks a rule
     */
    public static void check(Map<String, Object> envelope) throws InvalidEnvelope {
        for (Map.Entry<String, Object> e : envelope.entrySet()) {
            if (e.getValue() instanceof String s) {
                text(label(e.getKey()), s);
            } else if (e.getValue() instanceof List<?> list) {
                for (Object o : list) {
                    if (o != null) {
                        text(label(e.getKey()), o.toString());
                    }
                }
            }
        }
        Object from = envelope.get(SmtpServerConstants.ENVELOPE_FROM);
        Object to = envelope.get(SmtpServerConstants.ENVELOPE_TO);
        if (!(from instanceof String sender) || !(to instanceof List<?> recipients) || recipients.isEmpty()) {
            throw new InvalidEnvelope("no SMTP envelope: it needs a sender (" + label(SmtpServerConstants.ENVELOPE_FROM)
                                      + ", empty for <>) and recipients (" + label(SmtpServerConstants.ENVELOPE_TO)
                                      + ")");
        }
        if (recipients.size() > MAX_RECIPIENTS) {
            throw new InvalidEnvelope("too many recipients: " + recipients.size() + " (at most " + MAX_RECIPIENTS + ")");
        }
        boolean utf8 = Boolean.TRUE.equals(envelope.get(SmtpServerConstants.UTF8));
        if (!sender.isEmpty()) {
            mailbox("sender", sender, utf8);
        }
        for (Object r : recipients) {
            if (r == null) {
                throw new InvalidEnvelope("a recipient is null");
            }
            String recipient = r.toString();
            if (!recipient.equalsIgnoreCase("postmaster")) {
                mailbox("recipient", recipient, utf8);
            }
        }
        upper(envelope, SmtpServerConstants.BODY_TYPE, List.of("7BIT", "8BITMIME"));
        upper(envelope, SmtpServerConstants.DSN_RET, List.of("FULL", "HDRS"));
        Object envid = envelope.get(SmtpServerConstants.DSN_ENVID);
        if (envid != null && envid.toString().length() > 100) {
            throw new InvalidEnvelope("ENVID longer than 100 characters");
        }
        List<String> notify = dsnList(envelope, SmtpServerConstants.DSN_NOTIFY, recipients.size());
        if (notify != null) {
            List<String> upper = new ArrayList<>(notify.size());
            notify.forEach(n -> upper.add(n == null ? null : notify(n)));
            envelope.put(SmtpServerConstants.DSN_NOTIFY, upper);
        }
        List<String> orcpt = dsnList(envelope, SmtpServerConstants.DSN_ORCPT, recipients.size());
        if (orcpt != null) {
            orcpt.forEach(EnvelopeRules::orcpt);
        }
        Object id = envelope.get(SmtpServerConstants.MESSAGE_ID);
        if (id != null && !QUEUE_ID.matcher(id.toString()).matches()) {
            throw new InvalidEnvelope("queue id " + quote(id.toString()) + " is not 1 to 40 letters and digits");
        }
        Object requireTls = envelope.get(SmtpServerConstants.REQUIRE_TLS_OPTION);
        if (requireTls != null && !(requireTls instanceof Boolean)) {
            // RFC 8689: a flag that cannot be read is not taken as "off"; the record is not mail
            throw new InvalidEnvelope(label(SmtpServerConstants.REQUIRE_TLS_OPTION) + " is not a boolean");
        }
        Object port = envelope.get(SmtpServerConstants.LOCAL_PORT);
        if (port instanceof Integer p && (p < 0 || p > 65535)) {
            throw new InvalidEnvelope("local port " + p + " out of range");
        }
        for (String size : List.of(SmtpServerConstants.MESSAGE_SIZE, SmtpServerConstants.DECLARED_SIZE)) {
            if (envelope.get(size) instanceof Long l && l < 0) {
                throw new InvalidEnvelope(label(size) + " is negative");
            }
        }
    }

    /** How a reason names a value: as its Kafka record header, the Camel header without "Camel". */
    private static String label(String camelHeader) {
        return camelHeader.startsWith("Camel") ? camelHeader.substring("Camel".length()) : camelHeader;
    }

    /** A value as a reason may show it: control characters escaped, at most 80 characters, in quotes. */
    static String quote(String value) {
        StringBuilder sb = new StringBuilder("\"");
        for (int i = 0; i < value.length() && i < 80; i++) {
            char c = value.charAt(i);
            if (c < 0x20 || c == 0x7f || c == '"' || c == '\\') {
                sb.append(String.format("\\x%02x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.append(value.length() > 80 ? "...\"" : "\"").toString();
    }

    private static void text(String name, String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 0x20 || c == 0x7f || Character.isISOControl(c)) {
                throw new InvalidEnvelope(name + " holds a control character: " + quote(value));
            }
        }
        if (value.length() > MAX_TEXT) {
            throw new InvalidEnvelope(name + " is longer than " + MAX_TEXT + " characters: " + quote(value));
        }
    }

    private static void upper(Map<String, Object> envelope, String name, List<String> allowed) {
        Object value = envelope.get(name);
        if (value == null) {
            return;
        }
        String v = value.toString().toUpperCase(Locale.ROOT);
        if (!allowed.contains(v)) {
            throw new InvalidEnvelope(label(name) + " " + quote(value.toString()) + " is not "
                                      + String.join(" or ", allowed));
        }
        envelope.put(name, v);
    }

    @SuppressWarnings("unchecked")
    private static List<String> dsnList(Map<String, Object> envelope, String name, int recipients) {
        Object value = envelope.get(name);
        if (value == null) {
            return null;
        }
        if (!(value instanceof List<?> list) || list.size() != recipients) {
            throw new InvalidEnvelope(label(name) + " must be a list with one entry (or null) per recipient");
        }
        return (List<String>) list;
    }

    private static String notify(String value) {
        if (!EnvelopeSyntax.isDsnNotify(value)) {
            throw new InvalidEnvelope("NOTIFY " + quote(value) + " is not NEVER or a list of SUCCESS,FAILURE,DELAY");
        }
        return value.toUpperCase(Locale.ROOT);
    }

    private static void orcpt(String value) {
        if (value != null && !EnvelopeSyntax.isDsnOrcpt(value)) {
            throw new InvalidEnvelope("ORCPT " + quote(value) + " is not addr-type;address (at most 500 as xtext)");
        }
    }

    private static void mailbox(String what, String address, boolean utf8) {
        if (!isMailbox(address)) {
            throw new InvalidEnvelope("bad " + what + " address " + quote(address));
        }
        if (!utf8 && address.chars().anyMatch(c -> c > 127)) {
            throw new InvalidEnvelope(what + " " + quote(address) + " is not ASCII and SmtpUtf8 is not true");
        }
    }

    /** RFC 5321 Mailbox, as smtp-server checks it: {@link EnvelopeSyntax#isMailbox}. */
    static boolean isMailbox(String address) {
        return EnvelopeSyntax.isMailbox(address);
    }
}

package io.camelsmtp.smtp.common;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;

/**
 * An SMTP envelope: the reverse-path, the forward-paths with their DSN parameters, and the parameters of MAIL FROM.
 * Immutable; the one shape the envelope has from the listener through the queue to the relay.
 * {@link EnvelopeBinding} reads it from and writes it to the Camel headers.
 *
 * @param sender     reverse-path; the empty string is the null sender {@code <>}; null only when read from a message
 *                   that carries no {@code CamelSmtpEnvelopeFrom}
 * @param recipients forward-paths in the order they were accepted
 * @param bodyType   {@code 7BIT} or {@code 8BITMIME}, or null when unknown
 * @param utf8       SMTPUTF8 was asked for (RFC 6531)
 * @param ret        DSN RET ({@code FULL} or {@code HDRS}), or null
 * @param envid      DSN ENVID, decoded from xtext, or null
 * @param queueId    the message's queue id, or null before it has one
 * @param requireTlsOption the client sent the REQUIRETLS MAIL FROM option (RFC 8689): every onward hop must be
 *                   verified TLS to a server that advertises REQUIRETLS. Not the smtp-server option {@code requireTls}
 *                   (clients must STARTTLS), hence the longer name.
 */
public record Envelope(String sender, List<Recipient> recipients, String bodyType, boolean utf8, String ret,
                       String envid, String queueId, boolean requireTlsOption) {

    /**
     * One forward-path with its DSN parameters (RFC 3461).
     *
     * @param address the address as given in RCPT TO, without angle brackets
     * @param dsnNotify NOTIFY, such as {@code SUCCESS,FAILURE} or {@code NEVER}, or null when none was given
     * @param dsnOrcpt  ORCPT as {@code addr-type;address}, decoded from xtext, or null
     */
    public record Recipient(String address, String dsnNotify, String dsnOrcpt) {

        public Recipient {
            Objects.requireNonNull(address, "address");
        }

        /** A recipient without DSN parameters. */
        public static Recipient of(String address) {
            return new Recipient(address, null, null);
        }

        /** True when the sender asked for this kind of notification (RFC 3461 §4.1; no NOTIFY means FAILURE and DELAY). */
        public boolean wants(String type) {
            if (dsnNotify == null || dsnNotify.isBlank()) {
                return !"SUCCESS".equals(type);
            }
            for (String t : dsnNotify.split(",")) {
                if (t.trim().equalsIgnoreCase(type)) {
                    return true;
                }
            }
            return false;
        }
    }

    public Envelope {
        recipients = List.copyOf(recipients);
    }

    /** An envelope without the REQUIRETLS option. */
    public Envelope(String sender, List<Recipient> recipients, String bodyType, boolean utf8, String ret, String envid,
                    String queueId) {
        this(sender, recipients, bodyType, utf8, ret, envid, queueId, false);
    }

    /** An envelope of a sender and plain recipients, without ESMTP parameters. */
    public static Envelope of(String sender, List<String> addresses) {
        return new Envelope(sender, addresses.stream().map(Recipient::of).toList(), null, false, null, null, null);
    }

    /** The recipients' addresses, in order. */
    public List<String> addresses() {
        List<String> out = new ArrayList<>(recipients.size());
        for (Recipient r : recipients) {
            out.add(r.address());
        }
        return out;
    }

    /** The first recipient with this address, or null. */
    public Recipient recipient(String address) {
        for (Recipient r : recipients) {
            if (r.address().equals(address)) {
                return r;
            }
        }
        return null;
    }

    /** The same envelope for other recipients (for example those of one domain, or those still pending). */
    public Envelope withRecipients(List<Recipient> others) {
        return new Envelope(sender, others, bodyType, utf8, ret, envid, queueId, requireTlsOption);
    }

    /** The same envelope for the recipients whose address is not in {@code skip}. */
    public Envelope without(Collection<String> skip) {
        if (skip.isEmpty()) {
            return this;
        }
        return withRecipients(recipients.stream().filter(r -> !skip.contains(r.address())).toList());
    }

    public Envelope withSender(String reversePath) {
        return new Envelope(reversePath, recipients, bodyType, utf8, ret, envid, queueId, requireTlsOption);
    }

    public Envelope withBodyType(String type) {
        return new Envelope(sender, recipients, type, utf8, ret, envid, queueId, requireTlsOption);
    }

    public Envelope withUtf8(boolean smtputf8) {
        return new Envelope(sender, recipients, bodyType, smtputf8, ret, envid, queueId, requireTlsOption);
    }

    public Envelope withQueueId(String id) {
        return new Envelope(sender, recipients, bodyType, utf8, ret, envid, id, requireTlsOption);
    }

    public Envelope withRequireTlsOption(boolean requiretls) {
        return new Envelope(sender, recipients, bodyType, utf8, ret, envid, queueId, requiretls);
    }

    @Override
    public String toString() {
        return (queueId != null ? queueId + " " : "") + "<" + sender + "> -> " + addresses();
    }
}

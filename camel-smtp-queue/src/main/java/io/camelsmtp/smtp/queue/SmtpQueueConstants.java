package io.camelsmtp.smtp.queue;

import io.camelsmtp.smtp.common.SmtpEnvelopeHeaders;
import org.apache.camel.spi.Metadata;

/**
 * Headers of {@code smtp-queue}. The producer reads the envelope headers {@code smtp-server} sets; the consumer sets
 * them again on every delivery attempt, so {@code smtp-queue -> smtp-relay} needs no mapping. Events sent to
 * {@code eventsUri} carry the event headers.
 */
public final class SmtpQueueConstants {

    @Metadata(description = "Envelope sender; the empty string is the null sender <>. The producer derives it from "
                            + "the message's Sender or From when absent. The consumer sets it.", javaType = "String")
    public static final String ENVELOPE_FROM = SmtpEnvelopeHeaders.ENVELOPE_FROM;
    @Metadata(description = "Envelope recipients. The producer derives them from To, Cc and Bcc when absent. The "
                            + "consumer sets the recipients of this delivery attempt: those still pending, of one domain.",
              javaType = "java.util.List<String>")
    public static final String ENVELOPE_TO = SmtpEnvelopeHeaders.ENVELOPE_TO;
    @Metadata(description = "Queue id. The producer keeps the id smtp-server gave the message (the one in its 250 "
                            + "reply and Received header) when it is new to the queue, and sets the id it used.",
              javaType = "String")
    public static final String QUEUE_ID = SmtpEnvelopeHeaders.MESSAGE_ID;
    @Metadata(description = "BODY type (7BIT or 8BITMIME), stored with the message.", javaType = "String")
    public static final String BODY_TYPE = SmtpEnvelopeHeaders.BODY_TYPE;
    @Metadata(description = "SMTPUTF8 was requested, stored with the message.", javaType = "Boolean")
    public static final String UTF8 = SmtpEnvelopeHeaders.UTF8;
    @Metadata(description = "DSN RET (FULL or HDRS): how much of the message a bounce returns.", javaType = "String")
    public static final String DSN_RET = SmtpEnvelopeHeaders.DSN_RET;
    @Metadata(description = "DSN ENVID, repeated in notifications.", javaType = "String")
    public static final String DSN_ENVID = SmtpEnvelopeHeaders.DSN_ENVID;
    @Metadata(description = "DSN NOTIFY per recipient, aligned with CamelSmtpEnvelopeTo: which notifications the "
                            + "sender wants (SUCCESS, FAILURE, DELAY or NEVER).", javaType = "java.util.List<String>")
    public static final String DSN_NOTIFY = SmtpEnvelopeHeaders.DSN_NOTIFY;
    @Metadata(description = "DSN ORCPT per recipient, aligned with CamelSmtpEnvelopeTo.", javaType = "java.util.List<String>")
    public static final String DSN_ORCPT = SmtpEnvelopeHeaders.DSN_ORCPT;
    @Metadata(description = "True when the message carries REQUIRETLS (RFC 8689): stored with the message, kept across "
                            + "restarts, set on every delivery attempt; a bounce of such a message returns headers only "
                            + "and is sent without it.", javaType = "Boolean")
    public static final String REQUIRE_TLS_OPTION = SmtpEnvelopeHeaders.REQUIRE_TLS_OPTION;
    @Metadata(label = "consumer", description = "Number of this delivery attempt, from 1.", javaType = "Integer")
    public static final String ATTEMPT = "CamelSmtpQueueAttempt";
    @Metadata(label = "consumer", description = "When the message entered the queue.", javaType = "java.time.Instant")
    public static final String ARRIVAL = "CamelSmtpQueueArrival";
    @Metadata(label = "consumer", description = "What the message is: mail, dsn (a notification the queue made) or "
                                                + "postmaster (a notice about a notification that failed).", javaType = "String")
    public static final String KIND = "CamelSmtpQueueKind";
    @Metadata(label = "consumer", description = "The destination site of this delivery: its domain, or with shaping "
                                                + "rules the site rule's name or mx: and its MX host set.", javaType = "String")
    public static final String SITE = "CamelSmtpQueueSite";
    @Metadata(description = "On events: queued, delivered, deferred, delayed, bounced or expired; for a site's "
                            + "state: site-suspended, site-rate-lowered, site-rerouted or site-resumed.", javaType = "String")
    public static final String EVENT_TYPE = "CamelSmtpEventType";
    @Metadata(description = "On events: the recipient the event is about.", javaType = "String")
    public static final String EVENT_RECIPIENT = "CamelSmtpEventRecipient";
    @Metadata(description = "On site events: the site the event is about.", javaType = "String")
    public static final String EVENT_SITE = "CamelSmtpEventSite";

    private SmtpQueueConstants() {
    }
}

package io.camelsmtp.smtp.relay;

import io.camelsmtp.smtp.common.SmtpEnvelopeHeaders;
import org.apache.camel.spi.Metadata;

/** Headers {@code smtp-relay} reads (the envelope, as {@code smtp-server} sets it) and the one it sets. */
public final class SmtpRelayConstants {

    @Metadata(label = "producer", description = "Envelope sender (MAIL FROM); the empty string sends with the null "
                                                + "reverse-path (for bounces). When absent, taken from the message's Sender or From.",
              javaType = "String")
    public static final String ENVELOPE_FROM = SmtpEnvelopeHeaders.ENVELOPE_FROM;
    @Metadata(label = "producer", description = "Envelope recipients. When absent, taken from the message's To, Cc "
                                                + "and Bcc (and Bcc is removed from what is sent). After a partial delivery the producer "
                                                + "sets it to the recipients still pending, so a redelivery sends only to those.",
              javaType = "java.util.List<String>")
    public static final String ENVELOPE_TO = SmtpEnvelopeHeaders.ENVELOPE_TO;
    @Metadata(label = "producer", description = "BODY type; 8BITMIME (or 8-bit content) asks for BODY=8BITMIME.",
              javaType = "String")
    public static final String BODY_TYPE = SmtpEnvelopeHeaders.BODY_TYPE;
    @Metadata(label = "producer", description = "Send with SMTPUTF8 (also implied by a UTF-8 address).", javaType = "Boolean")
    public static final String UTF8 = SmtpEnvelopeHeaders.UTF8;
    @Metadata(label = "producer", description = "True: the message has the REQUIRETLS option (RFC 8689). It is sent "
                                                + "with REQUIRETLS only over verified TLS to a host that advertises "
                                                + "REQUIRETLS; to any other host it is not sent, and its recipients "
                                                + "fail with 550 5.7.30 (5.7.10 without verified TLS).",
              javaType = "Boolean")
    public static final String REQUIRE_TLS_OPTION = SmtpEnvelopeHeaders.REQUIRE_TLS_OPTION;
    @Metadata(label = "producer", description = "DSN RET, passed on when the receiver offers DSN.", javaType = "String")
    public static final String DSN_RET = SmtpEnvelopeHeaders.DSN_RET;
    @Metadata(label = "producer", description = "DSN ENVID, passed on when the receiver offers DSN.", javaType = "String")
    public static final String DSN_ENVID = SmtpEnvelopeHeaders.DSN_ENVID;
    @Metadata(label = "producer", description = "DSN NOTIFY per recipient, aligned with CamelSmtpEnvelopeTo.",
              javaType = "java.util.List<String>")
    public static final String DSN_NOTIFY = SmtpEnvelopeHeaders.DSN_NOTIFY;
    @Metadata(label = "producer", description = "DSN ORCPT per recipient (addr-type;address), aligned with CamelSmtpEnvelopeTo.",
              javaType = "java.util.List<String>")
    public static final String DSN_ORCPT = SmtpEnvelopeHeaders.DSN_ORCPT;
    @Metadata(label = "producer", description = "Set by the producer: the DeliveryReport, one RecipientResult per "
                                                + "recipient (status delivered, deferred or failed; reply code, enhanced status, text; "
                                                + "host, address, TLS protocol, time).",
              javaType = "io.camelsmtp.smtp.common.DeliveryReport")
    public static final String DELIVERY_REPORT = SmtpEnvelopeHeaders.DELIVERY_REPORT;

    private SmtpRelayConstants() {
    }
}

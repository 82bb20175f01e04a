package io.camelsmtp.smtp.common;

/**
 * Names of the Camel headers that carry an SMTP envelope. {@code smtp-server} sets them on every accepted message and
 * {@code smtp-relay} reads them, so a route between the two needs no header mapping.
 */
public final class SmtpEnvelopeHeaders {

    /** Reverse-path from MAIL FROM; the empty string stands for the null sender {@code <>}. */
    public static final String ENVELOPE_FROM = "CamelSmtpEnvelopeFrom";
    /** Forward-paths from RCPT TO as a {@code List<String>}, in the order they were accepted. */
    public static final String ENVELOPE_TO = "CamelSmtpEnvelopeTo";
    /** Queue id of the message, as written in the Received header and the 250 reply. */
    public static final String MESSAGE_ID = "CamelSmtpMessageId";
    /** BODY parameter of MAIL FROM: {@code 7BIT} or {@code 8BITMIME}. */
    public static final String BODY_TYPE = "CamelSmtpBodyType";
    /** True when the client sent the SMTPUTF8 parameter (RFC 6531). */
    public static final String UTF8 = "CamelSmtpUtf8";
    /** DSN RET parameter of MAIL FROM: {@code FULL} or {@code HDRS} (RFC 3461), null when absent. */
    public static final String DSN_RET = "CamelSmtpDsnRet";
    /** DSN ENVID parameter of MAIL FROM, decoded from xtext, null when absent. */
    public static final String DSN_ENVID = "CamelSmtpDsnEnvid";
    /**
     * DSN NOTIFY parameter per recipient: a {@code List<String>} in the order of {@link #ENVELOPE_TO}, each entry null
     * when that recipient had none (for example {@code SUCCESS,FAILURE} or {@code NEVER}).
     */
    public static final String DSN_NOTIFY = "CamelSmtpDsnNotify";
    /**
     * DSN ORCPT parameter per recipient: a {@code List<String>} in the order of {@link #ENVELOPE_TO}, each entry
     * {@code addr-type;address} decoded from xtext, or null.
     */
    public static final String DSN_ORCPT = "CamelSmtpDsnOrcpt";
    /**
     * True when the message carries the REQUIRETLS MAIL FROM option (RFC 8689): relayed only over verified TLS to
     * servers that advertise REQUIRETLS. Absent otherwise. (Unrelated to smtp-server's {@code requireTls} option.)
     */
    public static final String REQUIRE_TLS_OPTION = "CamelSmtpRequireTlsOption";

    /**
     * The outcome of a delivery, per recipient: a {@link DeliveryReport}. {@code smtp-relay} sets it; {@code smtp-queue}
     * reads it from any delivery route (see {@link DeliveryReport#read}).
     */
    public static final String DELIVERY_REPORT = "CamelSmtpDeliveryReport";

    private SmtpEnvelopeHeaders() {
    }
}

package io.camelsmtp.smtp.server;

import io.camelsmtp.smtp.common.SmtpEnvelopeHeaders;
import org.apache.camel.spi.Metadata;

/** Headers that {@code smtp-server} sets on each Exchange, and the ones a route sets to steer the reply. */
public final class SmtpServerConstants {

    @Metadata(description = "Envelope sender (MAIL FROM reverse-path); the empty string for the null reverse-path.",
              javaType = "String")
    public static final String ENVELOPE_FROM = SmtpEnvelopeHeaders.ENVELOPE_FROM;
    @Metadata(description = "Envelope recipients (RCPT TO), in the order they were accepted.",
              javaType = "java.util.List<String>")
    public static final String ENVELOPE_TO = SmtpEnvelopeHeaders.ENVELOPE_TO;
    @Metadata(description = "Our queue id for the message; also in the Received header and the 250 reply.",
              javaType = "String")
    public static final String MESSAGE_ID = SmtpEnvelopeHeaders.MESSAGE_ID;
    @Metadata(description = "BODY parameter of MAIL FROM: 7BIT or 8BITMIME.", javaType = "String")
    public static final String BODY_TYPE = SmtpEnvelopeHeaders.BODY_TYPE;
    @Metadata(description = "True when the client sent the SMTPUTF8 parameter (RFC 6531).", javaType = "boolean")
    public static final String UTF8 = SmtpEnvelopeHeaders.UTF8;
    @Metadata(description = "DSN RET parameter (FULL or HDRS); only with dsn=true.", javaType = "String")
    public static final String DSN_RET = SmtpEnvelopeHeaders.DSN_RET;
    @Metadata(description = "DSN ENVID parameter, decoded; only with dsn=true.", javaType = "String")
    public static final String DSN_ENVID = SmtpEnvelopeHeaders.DSN_ENVID;
    @Metadata(description = "DSN NOTIFY per recipient, aligned with CamelSmtpEnvelopeTo (null entries where absent); "
                            + "only with dsn=true.",
              javaType = "java.util.List<String>")
    public static final String DSN_NOTIFY = SmtpEnvelopeHeaders.DSN_NOTIFY;
    @Metadata(description = "DSN ORCPT per recipient as addr-type;address, aligned with CamelSmtpEnvelopeTo; "
                            + "only with dsn=true.",
              javaType = "java.util.List<String>")
    public static final String DSN_ORCPT = SmtpEnvelopeHeaders.DSN_ORCPT;
    @Metadata(description = "True when the client sent the REQUIRETLS option on MAIL FROM (RFC 8689, accepted only in a "
                            + "TLS session): onward relays must use verified TLS to servers that advertise REQUIRETLS. "
                            + "Absent otherwise.",
              javaType = "Boolean")
    public static final String REQUIRE_TLS_OPTION = SmtpEnvelopeHeaders.REQUIRE_TLS_OPTION;

    @Metadata(description = "Argument of the client's HELO or EHLO.", javaType = "String")
    public static final String HELO = "CamelSmtpHelo";
    @Metadata(description = "IP address of the client.", javaType = "String")
    public static final String REMOTE_ADDRESS = "CamelSmtpRemoteAddress";
    @Metadata(description = "Local IP address the client connected to.", javaType = "String")
    public static final String LOCAL_ADDRESS = "CamelSmtpLocalAddress";
    @Metadata(description = "Local port the client connected to.", javaType = "int")
    public static final String LOCAL_PORT = "CamelSmtpLocalPort";
    @Metadata(description = "User name accepted by AUTH, or null.", javaType = "String")
    public static final String AUTHENTICATED_USER = "CamelSmtpAuthenticatedUser";
    @Metadata(description = "TLS protocol of the session (e.g. TLSv1.3), or null on a plaintext session.",
              javaType = "String")
    public static final String TLS_PROTOCOL = "CamelSmtpTlsProtocol";
    @Metadata(description = "TLS cipher suite of the session, or null on a plaintext session.", javaType = "String")
    public static final String TLS_CIPHER = "CamelSmtpTlsCipher";
    @Metadata(description = "Id of the SMTP session (one connection may carry several messages).", javaType = "String")
    public static final String SESSION_ID = "CamelSmtpSessionId";
    @Metadata(description = "SIZE parameter of MAIL FROM, or null when the client declared none.", javaType = "Long")
    public static final String DECLARED_SIZE = "CamelSmtpDeclaredSize";
    @Metadata(description = "Size in octets of the message as handed to the route, Received header included.",
              javaType = "long")
    public static final String MESSAGE_SIZE = "CamelSmtpMessageSize";
    @Metadata(description = "Stage a policy route is called for: connect, helo, mail, rcpt, etrn; data on the main route.",
              javaType = "String")
    public static final String STAGE = "CamelSmtpStage";
    @Metadata(description = "The recipient being tried, on the rcpt policy route.", javaType = "String")
    public static final String RECIPIENT = "CamelSmtpRecipient";
    @Metadata(description = "The node (domain) of an ETRN command, in lower case, on the etrn policy route.",
              javaType = "String")
    public static final String ETRN_NODE = "CamelSmtpEtrnNode";
    @Metadata(description = "True on the etrn policy route when the client asked for the node's subdomains too "
                            + "(ETRN @domain).",
              javaType = "boolean")
    public static final String ETRN_SUBDOMAINS = "CamelSmtpEtrnSubdomains";
    @Metadata(label = "consumer",
              description = "Set by the route: the reply to send. A 2xx line or bare text replaces the success text; "
                            + "a 4xx or 5xx line refuses with that reply.",
              javaType = "String")
    public static final String REPLY = "CamelSmtpReply";
    @Metadata(label = "consumer",
              description = "Set by the route on an LMTP listener (lmtp=true): a Map from recipient address to the reply "
                            + "for that recipient (read as CamelSmtpReply is). Recipients it does not name get the "
                            + "route's reply; a value that is no valid reply gets 451 4.3.0; keys naming no recipient "
                            + "are ignored. Unused in SMTP mode.",
              javaType = "java.util.Map<String, Object>")
    public static final String RECIPIENT_REPLIES = "CamelSmtpRecipientReplies";

    private SmtpServerConstants() {
    }
}

package io.camelsmtp.smtp.queue.dsn;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

import jakarta.activation.CommandMap;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetHeaders;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeUtility;
import org.eclipse.angus.mail.dsn.DeliveryStatus;
import org.eclipse.angus.mail.dsn.MessageHeaders;
import org.eclipse.angus.mail.dsn.MultipartReport;

/**
 * Builds delivery status notifications (RFC 3464) as complete messages: a {@code multipart/report} (RFC 6522) of a
 * human-readable text, the {@code message/delivery-status} fields, and the original message or its headers. The
 * result is sent from the null sender {@code <>} to the original envelope sender. Pure: no I/O, no Camel; an instance
 * is immutable and may be shared between threads.
 * <p>
 * The parts are Angus Mail's {@link MultipartReport}, {@link DeliveryStatus} and {@link MessageHeaders}. Three
 * things about them shape the code:
 * <ul>
 * <li>Content handlers. Jakarta Mail writes each part through the content handler that Jakarta Activation's command
 * map names for its MIME type, and the {@code dsn} jar registers its handlers only through a
 * {@code META-INF/mailcap} file. That works on a plain class path (the tests write and parse reports so), but a
 * shaded jar may lose the file. Every data handler of a report therefore gets a {@link
 * jakarta.activation.MailcapCommandMap} completed with {@code addMailcap}, the library's way to register handlers
 * by hand ({@link DsnContentHandlers}); the JVM-wide default map is left alone.</li>
 * <li>Field order. {@link InternetHeaders#addHeader} puts a name it knows from RFC 822 at a fixed slot, and
 * {@code Status} is one of them (the old mailbox status header), so it would land after {@code Diagnostic-Code}.
 * {@link InternetHeaders#addHeaderLine} keeps the order fields are added in, so the fields follow the ABNF of RFC
 * 3464 (section 2.2 and 2.3: {@code Original-Envelope-Id}, {@code Reporting-MTA}, {@code Arrival-Date};
 * {@code Original-Recipient}, {@code Final-Recipient}, {@code Action}, {@code Status}, {@code Remote-MTA},
 * {@code Diagnostic-Code}, {@code Last-Attempt-Date}, {@code Will-Retry-Until}). Long fields are folded with
 * {@link MimeUtility#fold}. {@link DeliveryStatus} writes an empty line after every group, the last one
 * included.</li>
 * <li>The returned message. A {@code MimeMessage} re-serialises what it parsed; {@link VerbatimMessage} writes the
 * original octet for octet instead, and the part is marked {@code Content-Transfer-Encoding: 8bit} (the message
 * too) when the original has 8-bit bytes. Line ends of the original are made CRLF first.</li>
 * </ul>
 * What goes into the third part follows Postfix: a failure returns the whole message when RET=FULL and it is no
 * larger than {@code maxReturnedSize} (Postfix's {@code bounce_size_limit}), otherwise only its header section as
 * {@code text/rfc822-headers}; delay and success reports return the headers only, whatever RET says.
 */
public final class DsnBuilder {

    /** Postfix's default {@code bounce_size_limit}. */
    public static final int DEFAULT_MAX_RETURNED_SIZE = 50_000;

    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?");
    private static final Pattern STATUS = Pattern.compile("[245]\\.\\d{1,3}\\.\\d{1,3}");
    private static final Set<String> ACTIONS = Set.of("failed", "delayed", "delivered", "relayed", "expanded");
    private static final Session SESSION = Session.getInstance(new Properties());
    private static final CommandMap HANDLERS = DsnContentHandlers.commandMap();

    private final String reportingMta;
    private final int maxReturnedSize;
    private final Clock clock;

    /**
     * @param reportingMta    our host name, such as {@code mail.example.org}: the report says
     *                        {@code Reporting-MTA: dns; mail.example.org} and comes from
     *                        {@code MAILER-DAEMON@mail.example.org}
     * @param maxReturnedSize like Postfix's {@code bounce_size_limit} ({@link #DEFAULT_MAX_RETURNED_SIZE}): with
     *                        RET=FULL the original is returned whole only up to this many bytes, else only its headers
     * @throws IllegalArgumentException if {@code reportingMta} is not a host name or {@code maxReturnedSize} is
     *                                  negative
     */
    public DsnBuilder(String reportingMta, int maxReturnedSize) {
        this(reportingMta, maxReturnedSize, Clock.systemUTC());
    }

    DsnBuilder(String reportingMta, int maxReturnedSize, Clock clock) {
        if (reportingMta == null || !HOST.matcher(reportingMta).matches()) {
            throw new IllegalArgumentException("Not a host name: " + FieldValues.ascii(reportingMta));
        }
        if (maxReturnedSize < 0) {
            throw new IllegalArgumentException("maxReturnedSize < 0: " + maxReturnedSize);
        }
        this.reportingMta = reportingMta;
        this.maxReturnedSize = maxReturnedSize;
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * Builds the whole notification as RFC 5322 bytes with CRLF line ends, ready to be sent from {@code <>} to
     * {@code envelopeSender}.
     *
     * @param kind           failure, delay or success
     * @param original       the raw original message (RFC 5322 bytes, CRLF line ends)
     * @param envelopeSender the address the report goes to (its {@code To:}); never empty, since a report is never
     *                       sent to the null sender
     * @param envid          the DSN ENVID ({@code Original-Envelope-Id}), or {@code null}
     * @param ret            {@code FULL}, {@code HDRS} or {@code null} (taken as {@code HDRS})
     * @param arrival        when we received the message ({@code Arrival-Date}), or {@code null} for no such field
     * @param recipients     one or more recipients
     * @return the notification
     * @throws IllegalArgumentException if the sender is empty, there is no recipient, or a recipient's action or
     *                                  status is not one RFC 3464 allows
     */
    public byte[] build(DsnKind kind, byte[] original, String envelopeSender, String envid, String ret,
                        Instant arrival, List<DsnRecipient> recipients) {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(original, "original");
        Objects.requireNonNull(recipients, "recipients");
        String to = FieldValues.address(envelopeSender);
        if (to == null) {
            throw new IllegalArgumentException("No report is sent to the null sender");
        }
        if (recipients.isEmpty()) {
            throw new IllegalArgumentException("A report needs at least one recipient");
        }
        List<DsnRecipient> resolved = new ArrayList<>(recipients.size());
        for (DsnRecipient r : recipients) {
            resolved.add(resolve(kind, Objects.requireNonNull(r, "recipient")));
        }
        try {
            return write(kind, OriginalMessage.of(original), original.length, to, FieldValues.ascii(envid),
                    ret, arrival, resolved);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (MessagingException e) {
            throw new IllegalStateException("Cannot build a delivery status notification", e);
        }
    }

    private byte[] write(DsnKind kind, OriginalMessage original, int originalSize, String to, String envid,
                         String ret, Instant arrival, List<DsnRecipient> recipients)
            throws MessagingException, IOException {
        boolean full = kind == DsnKind.FAILURE && ret != null && "FULL".equalsIgnoreCase(ret.trim());
        boolean whole = full && originalSize <= maxReturnedSize;
        byte[] returnedBytes = whole ? original.bytes() : original.headerSection();
        DsnText.Returned returned;
        if (returnedBytes.length == 0) {
            returned = DsnText.Returned.NONE;
        } else if (whole) {
            returned = DsnText.Returned.FULL;
        } else {
            returned = full ? DsnText.Returned.HEADERS_TOO_BIG : DsnText.Returned.HEADERS;
        }
        boolean eightBit = returned != DsnText.Returned.NONE && OriginalMessage.isEightBit(returnedBytes);

        MultipartReport report = new MultipartReport();
        MimeBodyPart text = new MimeBodyPart();
        text.setText(DsnText.compose(reportingMta, kind, recipients, returned), "UTF-8");
        report.setTextBodyPart(text);
        report.setReport(deliveryStatus(envid, arrival, recipients));
        if (returned != DsnText.Returned.NONE) {
            report.setReturnedMessage(whole
                    ? new VerbatimMessage(SESSION, returnedBytes)
                    : new MessageHeaders(new ByteArrayInputStream(returnedBytes)));
            if (eightBit) {
                report.getBodyPart(2).setHeader("Content-Transfer-Encoding", "8bit");
            }
        }
        for (int i = 0; i < report.getCount(); i++) {
            ((MimeBodyPart) report.getBodyPart(i)).getDataHandler().setCommandMap(HANDLERS);
        }

        MimeMessage message = message(kind, to, report, eightBit);
        ByteArrayOutputStream out = new ByteArrayOutputStream(returnedBytes.length + 4096);
        message.writeTo(out);
        return out.toByteArray();
    }

    /** The report's own headers around {@code report}, saved and ready to write. */
    private MimeMessage message(DsnKind kind, String to, MultipartReport report, boolean eightBit)
            throws MessagingException {
        Instant now = clock.instant();
        MimeMessage message = new ReportMessage("<" + UUID.randomUUID().toString().replace("-", "") + "."
                + now.toEpochMilli() + "@" + reportingMta + ">");
        message.setHeader("Date", FieldValues.date(now));
        message.setHeader("From", "Mail Delivery System <MAILER-DAEMON@" + reportingMta + ">");
        message.setHeader("To", "<" + to + ">");
        message.setSubject(kind.subject());
        message.setHeader("Auto-Submitted", "auto-replied");
        message.setContent(report);
        message.getDataHandler().setCommandMap(HANDLERS);
        if (eightBit) {
            // after setContent, which removes any Content-Transfer-Encoding
            message.setHeader("Content-Transfer-Encoding", "8bit");
        }
        message.saveChanges();
        return message;
    }

    private DeliveryStatus deliveryStatus(String envid, Instant arrival, List<DsnRecipient> recipients)
            throws MessagingException {
        DeliveryStatus status = new DeliveryStatus();
        InternetHeaders message = new InternetHeaders();
        field(message, "Original-Envelope-Id", envid);
        field(message, "Reporting-MTA", "dns; " + reportingMta);
        field(message, "Arrival-Date", arrival == null ? null : FieldValues.date(arrival));
        status.setMessageDSN(message);
        for (DsnRecipient r : recipients) {
            InternetHeaders fields = new InternetHeaders();
            field(fields, "Original-Recipient", r.originalRecipient());
            field(fields, "Final-Recipient", "rfc822; " + r.finalRecipient());
            field(fields, "Action", r.action());
            field(fields, "Status", r.status());
            field(fields, "Remote-MTA", r.remoteMta() == null ? null : "dns; " + r.remoteMta());
            field(fields, "Diagnostic-Code", r.diagnosticCode() == null ? null : "smtp; " + r.diagnosticCode());
            field(fields, "Last-Attempt-Date", r.lastAttempt() == null ? null : FieldValues.date(r.lastAttempt()));
            field(fields, "Will-Retry-Until",
                    r.willRetryUntil() == null ? null : FieldValues.date(r.willRetryUntil()));
            status.addRecipientDSN(fields);
        }
        return status;
    }

    /** Adds {@code name: value}, folded, in the order of the calls; nothing if {@code value} is {@code null}. */
    private static void field(InternetHeaders fields, String name, String value) {
        if (value != null) {
            fields.addHeaderLine(MimeUtility.fold(0, name + ": " + value));
        }
    }

    /** {@code r} with defaults filled in from {@code kind}, every value cleaned for a field. */
    private static DsnRecipient resolve(DsnKind kind, DsnRecipient r) {
        String finalRecipient = FieldValues.address(r.finalRecipient());
        if (finalRecipient == null) {
            throw new IllegalArgumentException("Empty final recipient");
        }
        String action = FieldValues.ascii(r.action());
        action = action == null ? kind.defaultAction() : action.toLowerCase(Locale.ROOT);
        if (!ACTIONS.contains(action)) {
            throw new IllegalArgumentException("Not an RFC 3464 action: " + action);
        }
        String status = FieldValues.ascii(r.status());
        status = status == null ? kind.defaultStatus() : status;
        if (!STATUS.matcher(status).matches()) {
            throw new IllegalArgumentException("Not an enhanced status code: " + status);
        }
        String original = FieldValues.ascii(r.originalRecipient());
        if (original != null && original.indexOf(';') < 0) {
            original = "rfc822;" + original;
        }
        return new DsnRecipient(finalRecipient, original, action, status, FieldValues.ascii(r.remoteMta()),
                FieldValues.ascii(r.diagnosticCode()), r.lastAttempt(), r.willRetryUntil());
    }

    /** The report itself, with a {@code Message-ID} at our host rather than Jakarta Mail's. */
    private static final class ReportMessage extends MimeMessage {

        private final String messageId;

        ReportMessage(String messageId) {
            super(SESSION);
            this.messageId = messageId;
        }

        @Override
        protected void updateMessageID() throws MessagingException {
            setHeader("Message-ID", messageId);
        }
    }
}

package io.camelsmtp.smtp.relay.tlsrpt;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Date;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.zip.GZIPOutputStream;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.activation.DataHandler;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import jakarta.mail.util.ByteArrayDataSource;

/**
 * One aggregate report (RFC 8460 §4) for one policy domain and one UTC day: the JSON (written with Jackson), gzipped,
 * its file name (§5.1), and as mail (§5.3). Pure: no I/O.
 *
 * @param submitter    who reports: the domain in the file name and {@code TLS-Report-Submitter}
 * @param reportId     unique per report: {@code <uuid>@<submitter>}
 */
public record TlsReport(String organization, String contact, String submitter, String policyDomain, LocalDate day,
        String reportId, List<TlsReportCollector.PolicyCounts> policies) {

    public static final String MEDIA_TYPE = "application/tlsrpt+gzip";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ISO_INSTANT;
    private static final Session SESSION = Session.getInstance(new Properties());

    public TlsReport {
        policies = List.copyOf(policies);
    }

    public static TlsReport of(String organization, String contact, String submitter, String policyDomain,
            LocalDate day, List<TlsReportCollector.PolicyCounts> policies) {
        return new TlsReport(organization, contact, submitter, policyDomain, day, UUID.randomUUID() + "@" + submitter,
                policies);
    }

    /** The report as RFC 8460 §4.4 describes it. */
    public ObjectNode json() {
        ObjectNode root = JSON.createObjectNode();
        root.put("organization-name", organization);
        ObjectNode range = root.putObject("date-range");
        range.put("start-datetime", STAMP.format(day.atStartOfDay(ZoneOffset.UTC)));
        range.put("end-datetime", STAMP.format(day.plusDays(1).atStartOfDay(ZoneOffset.UTC).minusSeconds(1)));
        root.put("contact-info", contact);
        root.put("report-id", reportId);
        ArrayNode list = root.putArray("policies");
        for (TlsReportCollector.PolicyCounts p : policies) {
            ObjectNode entry = list.addObject();
            ObjectNode policy = entry.putObject("policy");
            policy.put("policy-type", p.type().token());
            if (!p.strings().isEmpty()) {
                p.strings().forEach(policy.putArray("policy-string")::add);
            }
            policy.put("policy-domain", p.domain());
            if (!p.mxPatterns().isEmpty()) {
                p.mxPatterns().forEach(policy.putArray("mx-host")::add);
            }
            ObjectNode summary = entry.putObject("summary");
            summary.put("total-successful-session-count", p.successful());
            summary.put("total-failure-session-count", p.failed());
            if (!p.failures().isEmpty()) {
                ArrayNode rows = entry.putArray("failure-details");
                for (TlsReportCollector.FailureRow r : p.failures()) {
                    ObjectNode row = rows.addObject();
                    row.put("result-type", r.resultType());
                    putIf(row, "sending-mta-ip", r.sendingIp());
                    putIf(row, "receiving-mx-hostname", r.receivingMx());
                    putIf(row, "receiving-ip", r.receivingIp());
                    row.put("failed-session-count", r.count());
                    putIf(row, "additional-information", r.additionalInfo());
                }
            }
        }
        return root;
    }

    private static void putIf(ObjectNode node, String field, String value) {
        if (value != null && !value.isEmpty()) {
            node.put(field, value);
        }
    }

    /** The JSON, gzipped: the body of an https POST and the report part of a mail. */
    public byte[] gzip() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(bytes)) {
            gz.write(JSON.writeValueAsBytes(json()));
        } catch (IOException e) {
            throw new UncheckedIOException(e); // in memory: does not happen
        }
        return bytes.toByteArray();
    }

    /** §5.1: {@code submitter!policy-domain!begin!end!unique-id.json.gz}, times in seconds since the epoch. */
    public String fileName() {
        long begin = day.atStartOfDay(ZoneOffset.UTC).toEpochSecond();
        long end = day.plusDays(1).atStartOfDay(ZoneOffset.UTC).toEpochSecond() - 1;
        String unique = reportId.substring(0, reportId.indexOf('@')).replace("-", "");
        return submitter + "!" + policyDomain + "!" + begin + "!" + end + "!" + unique + ".json.gz";
    }

    /**
     * The report as a mail (§5.3): {@code multipart/report; report-type="tlsrpt"} with a short text and the gzipped
     * report as an {@code application/tlsrpt+gzip} attachment, the {@code TLS-Report-Domain} and
     * {@code TLS-Report-Submitter} fields, and the subject §5.3 gives.
     * <p>
     * Built with Jakarta Mail, but without its content handlers: with the {@code dsn} jar on the class path (smtp-queue
     * has it), the handler registered for {@code multipart/report} expects a DSN's {@code MultipartReport} and writes an
     * empty body for any other multipart (seen in TlsReportMailTest). So every part is a byte data source with its
     * headers set here, the multipart is written to bytes first, and the message is marked saved so that
     * {@code saveChanges} (which would ask the handler again) never runs.
     */
    public byte[] mail(String from, String to) throws MessagingException {
        MimeBodyPart text = new MimeBodyPart();
        text.setDataHandler(new DataHandler(new ByteArrayDataSource(("This is an aggregate TLS report (RFC 8460) from "
                + submitter + " for " + policyDomain + ", " + day + " UTC.\r\n").getBytes(StandardCharsets.US_ASCII),
                "text/plain; charset=us-ascii")));
        text.setHeader("Content-Type", "text/plain; charset=us-ascii");
        text.setHeader("Content-Transfer-Encoding", "7bit");
        MimeBodyPart report = new MimeBodyPart();
        report.setDataHandler(new DataHandler(new ByteArrayDataSource(gzip(), MEDIA_TYPE)));
        report.setHeader("Content-Type", MEDIA_TYPE);
        report.setHeader("Content-Transfer-Encoding", "base64");
        report.setDisposition(MimeBodyPart.ATTACHMENT);
        report.setFileName(fileName());
        MimeMultipart multipart = new MimeMultipart("report; report-type=\"tlsrpt\"");
        multipart.addBodyPart(text);
        multipart.addBodyPart(report);
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            multipart.writeTo(body);
            Prepared message = new Prepared();
            message.setDataHandler(new DataHandler(new ByteArrayDataSource(body.toByteArray(), "application/octet-stream")));
            message.setHeader("MIME-Version", "1.0");
            message.setHeader("Content-Type", multipart.getContentType());
            message.setHeader("Content-Transfer-Encoding", "7bit");
            message.setFrom(new InternetAddress(from, true));
            message.setRecipient(MimeMessage.RecipientType.TO, new InternetAddress(to, true));
            message.setSentDate(new Date());
            message.setHeader("Message-ID", "<" + reportId + ">");
            message.setSubject("Report Domain: " + policyDomain + " Submitter: " + submitter + " Report-ID: <"
                               + reportId + ">", "US-ASCII");
            message.setHeader("TLS-Report-Domain", policyDomain);
            message.setHeader("TLS-Report-Submitter", submitter);
            message.writeTo(out);
        } catch (IOException e) {
            throw new MessagingException("Cannot write the report mail", e);
        }
        return out.toByteArray();
    }

    /** A message whose headers are complete as set: {@code writeTo} does not call {@code saveChanges}. */
    private static final class Prepared extends MimeMessage {
        Prepared() {
            super(SESSION);
            saved = true;
        }
    }
}

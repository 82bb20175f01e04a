package io.camelsmtp.smtp.relay.tlsrpt;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.List;
import java.util.Properties;

import jakarta.mail.Session;
import jakarta.mail.internet.ContentType;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import jakarta.mail.util.ByteArrayDataSource;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The report's file name (§5.1) and mail (§5.3), read back with Jakarta Mail. */
class TlsReportTest {

    private static TlsReport report() {
        return new TlsReport("Org", "c@mta.example", "mta.example", "example.com", LocalDate.of(2024, 5, 1),
                "0f0e-11@mta.example", List.of(new TlsReportCollector.PolicyCounts(TlsAttempt.PolicyType.NO_POLICY_FOUND,
                        "example.com", List.of(), List.of(), 1, 0, List.of())));
    }

    @Test
    void theFileNameFollowsSection51() {
        assertEquals("mta.example!example.com!1714521600!1714607999!0f0e11.json.gz", report().fileName());
    }

    @Test
    void theMailIsAMultipartReportOfTypeTlsrpt() throws Exception {
        byte[] raw = report().mail("tlsrpt@mta.example", "rua@example.com");
        String text = new String(raw, StandardCharsets.US_ASCII);
        MimeMessage m = new MimeMessage(Session.getInstance(new Properties()), new ByteArrayInputStream(raw));
        ContentType type = new ContentType(m.getContentType());
        assertTrue(type.match("multipart/report"), text);
        assertEquals("tlsrpt", type.getParameter("report-type"), text);
        MimeMultipart parts = new MimeMultipart(new ByteArrayDataSource(m.getRawInputStream(), m.getContentType()));
        assertEquals(2, parts.getCount(), text);
        assertTrue(parts.getBodyPart(1).isMimeType("application/tlsrpt+gzip"), text);
        assertEquals("example.com", m.getHeader("TLS-Report-Domain", null));
    }
}

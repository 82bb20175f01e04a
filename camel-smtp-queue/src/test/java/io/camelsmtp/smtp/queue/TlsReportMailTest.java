package io.camelsmtp.smtp.queue;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;

import javax.net.ssl.SSLContext;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.camelsmtp.smtp.common.DnsServers;
import io.camelsmtp.smtp.relay.support.InJvmDns;
import io.camelsmtp.smtp.relay.testbed.PeerTestSupport;
import io.camelsmtp.smtp.relay.tlsrpt.TlsAttempt;
import io.camelsmtp.smtp.relay.tlsrpt.TlsReportCollector;
import io.camelsmtp.smtp.relay.tlsrpt.TlsReportSender;
import io.camelsmtp.smtp.relay.tlsrpt.TlsReporting;
import io.camelsmtp.smtp.relay.tlsrpt.TlsRptLookup;
import jakarta.mail.BodyPart;
import jakarta.mail.Multipart;
import jakarta.mail.Session;
import jakarta.mail.internet.ContentType;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import jakarta.mail.util.ByteArrayDataSource;
import org.apache.camel.builder.RouteBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A TLS report to a {@code rua=mailto:} destination (RFC 8460 §5.3) takes the mail path for real: handed to
 * {@code smtp-queue}, delivered by {@code smtp-relay} through the test bed's DNS to Postfix's smtp-sink, and the
 * message the sink dumped is parsed with Jakarta Mail: {@code multipart/report; report-type="tlsrpt"}, the two
 * required header fields, the subject, the text part and the gzipped JSON part.
 */
class TlsReportMailTest extends PeerTestSupport {

    @TempDir
    static Path spool;

    @Override
    protected void routes(RouteBuilder b) {
        b.from("smtp-queue:reports?spoolDirectory=" + spool + "&minBackoff=200&maxBackoff=400").to(MX);
    }

    /** The dumped message once smtp-sink has written all of it (the file appears at the start of DATA). */
    private static String complete(String rua) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < end) {
            List<String> dumped = testbed.dumped("mx1", rua);
            if (!dumped.isEmpty() && dumped.get(0).stripTrailing().endsWith("--")) {
                return dumped.get(0);
            }
            Thread.sleep(50);
        }
        return fail("no complete report mail at mx1 for " + rua + ": " + testbed.dumped("mx1", rua));
    }

    @Test
    void aMailtoReportIsQueuedDeliveredAndWellFormed() throws Exception {
        String rua = rcpt("multi.test");
        LocalDate day = LocalDate.of(2024, 5, 1);
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
        try (InJvmDns dns = new InJvmDns()) {
            dns.add("_smtp._tls.example.com. 0 IN TXT \"v=TLSRPTv1; rua=mailto:" + rua + "\"");
            TlsReportCollector collector = new TlsReportCollector(TlsReportCollector.Limits.DEFAULT,
                    java.time.Clock.fixed(day.atTime(10, 0).toInstant(ZoneOffset.UTC), ZoneOffset.UTC));
            collector.record(TlsAttempt.failure(TlsAttempt.PolicyType.TLSA, "example.com",
                    List.of("3 1 1 0123456789abcdef"), null, "mx.example.com", "192.0.2.1", "198.51.100.7",
                    "tlsa-invalid", null));
            TlsReporting reporting = new TlsReporting(new TlsReporting.Settings("Example Org", "postmaster@mta.test",
                    "tlsrpt@mta.test", null, List.of(), Duration.ZERO, Duration.ofMinutes(1)), collector,
                    new TlsRptLookup(DnsServers.parse(dns.server()), Duration.ofSeconds(1), Runnable::run),
                    new TlsReportSender(SSLContext.getDefault(), Duration.ofSeconds(2), true, context,
                            "smtp-queue:reports?spoolDirectory=" + spool, "tlsrpt@mta.test"),
                    scheduler);

            assertEquals(new TlsReporting.Result(1, 0, 0), reporting.send(day));
        } finally {
            scheduler.shutdownNow();
        }

        String dumped = complete(rua);
        assertTrue(dumped.contains("X-Mail-Args: <tlsrpt@mta.test>") || dumped.contains("tlsrpt@mta.test"), dumped);
        String raw = dumped.substring(dumped.indexOf("\n", dumped.indexOf("X-Rcpt-Args:")) + 1);
        MimeMessage m = new MimeMessage(Session.getInstance(new Properties()),
                new ByteArrayInputStream(raw.getBytes(StandardCharsets.ISO_8859_1)));
        ContentType type = new ContentType(m.getContentType());
        assertTrue(type.match("multipart/report"), m.getContentType());
        assertEquals("tlsrpt", type.getParameter("report-type"));
        assertEquals("example.com", m.getHeader("TLS-Report-Domain", null));
        assertEquals("mta.test", m.getHeader("TLS-Report-Submitter", null));
        String subject = m.getSubject();
        assertTrue(subject.matches("Report Domain: example\\.com Submitter: mta\\.test Report-ID: <[^>]+@mta\\.test>"),
                subject);
        // parsed as a plain multipart: the dsn jar's multipart/report handler on this class path expects a DSN
        Multipart parts = new MimeMultipart(new ByteArrayDataSource(m.getRawInputStream(), m.getContentType()));
        assertEquals(2, parts.getCount());
        assertTrue(parts.getBodyPart(0).isMimeType("text/plain"));
        BodyPart report = parts.getBodyPart(1);
        assertTrue(report.isMimeType("application/tlsrpt+gzip"), report.getContentType());
        assertTrue(report.getFileName().matches("mta\\.test!example\\.com!1714521600!1714607999!\\w+\\.json\\.gz"),
                report.getFileName());
        JsonNode json;
        try (InputStream in = new GZIPInputStream(report.getInputStream())) {
            json = new ObjectMapper().readTree(in);
        }
        assertEquals("tlsa", json.at("/policies/0/policy/policy-type").asText());
        assertEquals("tlsa-invalid", json.at("/policies/0/failure-details/0/result-type").asText());
        assertEquals(1, json.at("/policies/0/summary/total-failure-session-count").asLong());
        assertTrue(subject.contains("<" + json.get("report-id").asText() + ">"), "the subject names the report-id");
        assertTrue(Instant.parse(json.at("/date-range/start-datetime").asText()).equals(
                day.atStartOfDay(ZoneOffset.UTC).toInstant()));
    }
}

package io.camelsmtp.smtp.relay.tlsrpt;

import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.FileInputStream;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.camelsmtp.smtp.relay.support.InJvmDns;
import io.camelsmtp.smtp.relay.tlsrpt.TlsAttempt.PolicyType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Reports over https (RFC 8460 §5.3.1) to a real peer: a Python HTTPS server with a certificate from a CA made at test
 * time by openssl, which saves what it is sent. The policy comes from {@code _smtp._tls} TXT records on an in-JVM DNS.
 */
class TlsReportHttpsTest {

    private static final LocalDate YESTERDAY = LocalDate.of(2024, 5, 1);
    private static final Clock TODAY = Clock.fixed(YESTERDAY.plusDays(1).atTime(0, 30).toInstant(ZoneOffset.UTC),
            ZoneOffset.UTC);

    @TempDir
    static Path dir;
    private static Process receiver;
    private static int port;
    private static SSLContext trust;
    private static Path received;
    private static InJvmDns dns;
    private static ScheduledExecutorService scheduler;

    @BeforeAll
    static void startReceiver() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/python3")), "TlsReportHttpsTest needs /usr/bin/python3");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/openssl")), "TlsReportHttpsTest needs /usr/bin/openssl");
        Files.writeString(dir.resolve("ext"), "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
        run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.crt", "-days",
                "2", "-subj", "/CN=tlsrpt test CA");
        run("openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout", "srv.key", "-out", "srv.csr", "-subj",
                "/CN=localhost");
        run("openssl", "x509", "-req", "-in", "srv.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
                "-out", "srv.crt", "-days", "2", "-extfile", "ext");
        received = Files.createDirectories(dir.resolve("received"));
        Path script = dir.resolve("report_receiver.py");
        try (InputStream in = TlsReportHttpsTest.class.getResourceAsStream("/tlsrpt/report_receiver.py")) {
            Files.write(script, in.readAllBytes());
        }
        receiver = new ProcessBuilder("/usr/bin/python3", script.toString(), received.toString(),
                dir.resolve("srv.crt").toString(), dir.resolve("srv.key").toString())
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(receiver.getInputStream(), StandardCharsets.UTF_8));
        port = Integer.parseInt(CompletableFuture.supplyAsync(() -> {
            try {
                return out.readLine();
            } catch (Exception e) {
                return "-1";
            }
        }).get(20, TimeUnit.SECONDS).strip());
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        try (FileInputStream ca = new FileInputStream(dir.resolve("ca.crt").toFile())) {
            ks.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(ca));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        trust = SSLContext.getInstance("TLS");
        trust.init(null, tmf.getTrustManagers(), null);
        dns = new InJvmDns();
        scheduler = Executors.newSingleThreadScheduledExecutor();
    }

    @AfterAll
    static void stopReceiver() throws Exception {
        if (receiver != null) {
            receiver.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        if (dns != null) {
            dns.close();
        }
        if (scheduler != null) {
            scheduler.shutdownNow();
        }
    }

    private static void run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), String.join(" ", command));
        assertEquals(0, p.exitValue(), String.join(" ", command));
    }

    private TlsReportCollectorTest.MutableClock clock;

    /** A collector counting yesterday's sessions until the test sets {@code clock.now} to today. */
    private TlsReportCollector yesterdays() {
        clock = new TlsReportCollectorTest.MutableClock(TODAY.instant().minus(Duration.ofDays(1)));
        return new TlsReportCollector(TlsReportCollector.Limits.DEFAULT, clock);
    }

    private TlsReporting reporting(TlsReportCollector collector, Duration timeout, boolean allowPrivate) {
        TlsRptLookup lookup = new TlsRptLookup(io.camelsmtp.smtp.common.DnsServers.parse(dns.server()), Duration.ofSeconds(1),
                Runnable::run);
        TlsReportSender sender = new TlsReportSender(trust, timeout, allowPrivate, null, null, "tlsrpt@mta.example.org");
        return new TlsReporting(new TlsReporting.Settings("Example Org", "postmaster@example.org",
                "tlsrpt@mta.example.org", null, List.of(Duration.ofMillis(10), Duration.ofMillis(10)), Duration.ZERO,
                Duration.ofMinutes(1)), collector, lookup, sender, scheduler);
    }

    /** The bodies POSTed to {@code path}. */
    private static List<byte[]> posts(String path) throws Exception {
        List<byte[]> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(received)) {
            for (Path p : files.filter(f -> f.toString().endsWith(".path")).sorted().toList()) {
                if (Files.readString(p).equals(path)) {
                    String base = p.toString().substring(0, p.toString().length() - ".path".length());
                    assertEquals(TlsReport.MEDIA_TYPE, Files.readString(Path.of(base + ".type")));
                    out.add(Files.readAllBytes(Path.of(base + ".body")));
                }
            }
        }
        return out;
    }

    @Test
    void yesterdaysReportIsPostedAsGzippedJson() throws Exception {
        dns.add("example.com. 0 IN TXT \"v=spf1 -all\"");
        dns.add("_smtp._tls.example.com. 0 IN TXT \"v=TLSRPTv1; rua=https://127.0.0.1:" + port + "/v1/tlsrpt\"");
        TlsReportCollector collector = yesterdays();
        List<String> policy = List.of("version: STSv1", "mode: enforce", "mx: *.mail.example.com", "max_age: 86400");
        for (int i = 0; i < 3; i++) {
            collector.record(TlsAttempt.success(PolicyType.STS, "example.com", policy, List.of("*.mail.example.com"),
                    "mx1.mail.example.com", "192.0.2.1", "198.51.100.7"));
        }
        collector.record(TlsAttempt.failure(PolicyType.STS, "example.com", policy, List.of("*.mail.example.com"),
                "mx2.mail.example.com", "192.0.2.2", "198.51.100.7", "certificate-host-mismatch", "CN=other"));
        collector.record(TlsAttempt.success(PolicyType.NO_POLICY_FOUND, "no-rua.example", null, null, "mx.no-rua.example",
                null, null));
        TlsReporting reporting = reporting(collector, Duration.ofSeconds(5), true);
        clock.now = TODAY.instant();

        TlsReporting.Result result = reporting.sendDue();

        assertEquals(new TlsReporting.Result(1, 0, 1), result);
        List<byte[]> posts = posts("/v1/tlsrpt");
        assertEquals(1, posts.size());
        JsonNode report;
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(posts.get(0)))) {
            report = new ObjectMapper().readTree(in);
        }
        assertEquals("Example Org", report.get("organization-name").asText());
        assertEquals("postmaster@example.org", report.get("contact-info").asText());
        assertTrue(report.get("report-id").asText().endsWith("@mta.example.org"), report::toString);
        assertEquals("2024-05-01T00:00:00Z", report.at("/date-range/start-datetime").asText());
        assertEquals("2024-05-01T23:59:59Z", report.at("/date-range/end-datetime").asText());
        JsonNode p = report.at("/policies/0");
        assertEquals("sts", p.at("/policy/policy-type").asText());
        assertEquals("example.com", p.at("/policy/policy-domain").asText());
        assertEquals("mode: enforce", p.at("/policy/policy-string/1").asText());
        assertEquals("*.mail.example.com", p.at("/policy/mx-host/0").asText());
        assertEquals(3, p.at("/summary/total-successful-session-count").asLong());
        assertEquals(1, p.at("/summary/total-failure-session-count").asLong());
        JsonNode row = p.at("/failure-details/0");
        assertEquals("certificate-host-mismatch", row.get("result-type").asText());
        assertEquals("198.51.100.7", row.get("sending-mta-ip").asText());
        assertEquals("mx2.mail.example.com", row.get("receiving-mx-hostname").asText());
        assertEquals("192.0.2.2", row.get("receiving-ip").asText());
        assertEquals(1, row.get("failed-session-count").asLong());
        assertEquals(List.of(), collector.days(), "a sent day is forgotten");
    }

    @Test
    void aRedirectIsNotFollowedAndAFailureIsTriedABoundedNumberOfTimes() throws Exception {
        dns.add("_smtp._tls.redirect.example. 0 IN TXT \"v=TLSRPTv1; rua=https://127.0.0.1:" + port + "/redirect\"");
        dns.add("_smtp._tls.fail.example. 0 IN TXT \"v=TLSRPTv1; rua=https://127.0.0.1:" + port + "/fail\"");
        TlsReportCollector collector = yesterdays();
        collector.record(TlsAttempt.success(PolicyType.TLSA, "redirect.example", List.of("3 1 1 abcd"), null, "mx", null,
                null));
        collector.record(TlsAttempt.success(PolicyType.TLSA, "fail.example", List.of("3 1 1 abcd"), null, "mx", null,
                null));
        long t0 = System.nanoTime();
        clock.now = TODAY.instant();
        TlsReporting.Result result = reporting(collector, Duration.ofSeconds(5), true).sendDue();
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertEquals(new TlsReporting.Result(0, 2, 0), result);
        assertEquals(3, posts("/redirect").size(), "first try and two retries");
        assertEquals(0, posts("/followed").size(), "the redirect was not followed");
        assertEquals(3, posts("/fail").size());
        assertTrue(millis < 10_000, "a 4 MiB error answer is not read to its end: " + millis + " ms");
        assertEquals(List.of(), collector.days(), "given up, the day is forgotten");
    }

    @Test
    void aHangingReceiverTimesOut() throws Exception {
        dns.add("_smtp._tls.slow.example. 0 IN TXT \"v=TLSRPTv1; rua=https://127.0.0.1:" + port + "/slow\"");
        TlsReportCollector collector = yesterdays();
        collector.record(TlsAttempt.success(PolicyType.TLSA, "slow.example", List.of("3 1 1 abcd"), null, "mx", null,
                null));
        long t0 = System.nanoTime();
        clock.now = TODAY.instant();
        TlsReporting.Result result = reporting(collector, Duration.ofMillis(500), true).sendDue();
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertEquals(new TlsReporting.Result(0, 1, 0), result);
        assertTrue(millis < 8_000, "three tries of at most 2 x 500 ms: " + millis + " ms");
    }

    @Test
    void aPrivateAddressIsRefusedUnlessAllowed() throws Exception {
        dns.add("_smtp._tls.internal.example. 0 IN TXT \"v=TLSRPTv1; rua=https://127.0.0.1:" + port + "/internal\"");
        TlsReportCollector collector = yesterdays();
        collector.record(TlsAttempt.success(PolicyType.TLSA, "internal.example", List.of("3 1 1 abcd"), null, "mx", null,
                null));
        clock.now = TODAY.instant();
        TlsReporting.Result result = reporting(collector, Duration.ofSeconds(2), false).sendDue();
        assertEquals(new TlsReporting.Result(0, 1, 0), result);
        assertEquals(0, posts("/internal").size(), "nothing was sent into the loopback network");
    }

    @Test
    void todayIsNotDueButCanBeFlushed() throws Exception {
        dns.add("_smtp._tls.today.example. 0 IN TXT \"v=TLSRPTv1; rua=https://127.0.0.1:" + port + "/today\"");
        TlsReportCollector collector = new TlsReportCollector(TlsReportCollector.Limits.DEFAULT, TODAY);
        collector.record(TlsAttempt.success(PolicyType.TLSA, "today.example", List.of("3 1 1 abcd"), null, "mx", null,
                null));
        TlsReporting reporting = reporting(collector, Duration.ofSeconds(5), true);
        assertEquals(new TlsReporting.Result(0, 0, 0), reporting.sendDue());
        assertFalse(collector.days().isEmpty());
        assertEquals(new TlsReporting.Result(1, 0, 0), reporting.send(LocalDate.now(TODAY)));
        assertEquals(1, posts("/today").size());
    }
}

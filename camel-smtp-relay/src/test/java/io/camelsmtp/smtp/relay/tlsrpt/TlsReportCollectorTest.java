package io.camelsmtp.smtp.relay.tlsrpt;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.camelsmtp.smtp.relay.tlsrpt.TlsAttempt.PolicyType;
import io.camelsmtp.smtp.relay.tlsrpt.TlsReportCollector.PolicyCounts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Counting TLS sessions: aggregation, the caps, concurrent callers, and the state file across a restart. */
class TlsReportCollectorTest {

    private static final LocalDate DAY = LocalDate.of(2024, 5, 1);
    private static final Clock CLOCK = Clock.fixed(DAY.atTime(12, 0).toInstant(ZoneOffset.UTC), ZoneOffset.UTC);
    private static final List<String> STS = List.of("version: STSv1", "mode: enforce", "mx: *.example.com",
            "max_age: 86400");

    @TempDir
    Path dir;

    private static TlsAttempt ok(String domain) {
        return TlsAttempt.success(PolicyType.STS, domain, STS, List.of("*.example.com"), "mx1." + domain, "192.0.2.1",
                "198.51.100.1");
    }

    private static TlsAttempt failed(String domain, String result, String mx, String ip) {
        return TlsAttempt.failure(PolicyType.STS, domain, STS, List.of("*.example.com"), mx, ip, "198.51.100.1", result,
                "detail " + result);
    }

    @Test
    void sessionsAreCountedPerPolicyAndFailuresPerRow() {
        TlsReportCollector c = new TlsReportCollector(TlsReportCollector.Limits.DEFAULT, CLOCK);
        for (int i = 0; i < 5; i++) {
            c.record(ok("example.com"));
        }
        c.record(failed("example.com", "certificate-expired", "mx1.example.com", "192.0.2.1"));
        c.record(failed("example.com", "certificate-expired", "mx1.example.com", "192.0.2.1"));
        c.record(failed("example.com", "starttls-not-supported", "mx2.example.com", "192.0.2.2"));
        c.record(TlsAttempt.success(PolicyType.NO_POLICY_FOUND, "Example.COM", null, null, "mx1.example.com", null, null));
        assertEquals(List.of(DAY), c.days());
        List<PolicyCounts> counts = c.counts(DAY, "example.com");
        assertEquals(2, counts.size(), counts::toString);
        PolicyCounts none = counts.get(0);
        assertEquals(PolicyType.NO_POLICY_FOUND, none.type());
        assertEquals(1, none.successful());
        PolicyCounts sts = counts.get(1);
        assertEquals(5, sts.successful());
        assertEquals(3, sts.failed());
        assertEquals(2, sts.failures().size());
        assertEquals("certificate-expired", sts.failures().get(0).resultType());
        assertEquals(2, sts.failures().get(0).count());
        assertEquals("detail certificate-expired", sts.failures().get(0).additionalInfo());
    }

    @Test
    void theCapsHoldAndWhatIsOverThemIsCounted() {
        TlsReportCollector.Limits limits = new TlsReportCollector.Limits(2, 3, 2, 4, 20, 2);
        TlsReportCollector c = new TlsReportCollector(limits, CLOCK);
        for (int i = 0; i < 10; i++) {
            c.record(ok("d" + i + ".example"));
        }
        assertEquals(3, c.domains(DAY).size());
        assertEquals(7, c.overflow(DAY));
        for (int i = 0; i < 5; i++) {
            c.record(TlsAttempt.success(PolicyType.TLSA, "d0.example", List.of("3 1 1 " + i), null, "mx", null, null));
        }
        assertEquals(2, c.counts(DAY, "d0.example").size(), "policies per domain");
        for (int i = 0; i < 10; i++) {
            c.record(failed("d1.example", "validation-failure", "mx" + i + ".d1.example", "192.0.2." + i));
        }
        PolicyCounts p = c.counts(DAY, "d1.example").get(0);
        assertEquals(10, p.failed(), "every failure is in the total");
        assertEquals(4, p.failures().size(), "but only so many rows");
        c.record(TlsAttempt.success(PolicyType.STS, "d2.example", List.of("x".repeat(100), "b", "c"), null,
                "m".repeat(100), null, null));
        PolicyCounts cut = c.counts(DAY, "d2.example").stream().filter(x -> x.strings().size() > 0 && x.strings().get(0)
                .startsWith("xxx")).findFirst().orElseThrow();
        assertEquals(2, cut.strings().size());
        assertEquals(20, cut.strings().get(0).length());
    }

    @Test
    void daysPastTheCapAreDroppedNotStored() {
        TlsReportCollector.Limits limits = new TlsReportCollector.Limits(2, 10, 2, 4, 20, 2);
        MutableClock clock = new MutableClock(DAY.atStartOfDay(ZoneOffset.UTC).toInstant());
        TlsReportCollector c = new TlsReportCollector(limits, clock);
        for (int d = 0; d < 4; d++) {
            c.record(ok("example.com"));
            clock.now = clock.now.plusSeconds(86_400);
        }
        assertEquals(2, c.days().size());
        assertEquals(2, c.droppedDays());
        c.remove(DAY);
        clock.now = DAY.plusDays(9).atStartOfDay(ZoneOffset.UTC).toInstant();
        c.record(ok("example.com"));
        assertEquals(2, c.days().size(), "a reported day frees its slot");
    }

    @Test
    void concurrentCallersLoseNoSession() throws Exception {
        TlsReportCollector c = new TlsReportCollector(TlsReportCollector.Limits.DEFAULT, CLOCK);
        int threads = 4;
        int each = 50_000;
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int id = t;
            Thread w = new Thread(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < each; i++) {
                    c.record(i % 2 == 0 ? ok("d" + (i % 7) + ".example")
                            : failed("d" + (i % 7) + ".example", "validation-failure", "mx" + id, "192.0.2.1"));
                }
            });
            w.start();
            workers.add(w);
        }
        long t0 = System.nanoTime();
        start.countDown();
        for (Thread w : workers) {
            w.join(TimeUnit.SECONDS.toMillis(30));
            assertFalse(w.isAlive());
        }
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        long ok = 0;
        long failed = 0;
        for (String d : c.domains(DAY)) {
            for (PolicyCounts p : c.counts(DAY, d)) {
                ok += p.successful();
                failed += p.failed();
                failed -= p.failures().stream().mapToLong(TlsReportCollector.FailureRow::count).sum();
            }
        }
        assertEquals(threads * each / 2, ok);
        assertEquals(0, failed, "rows add up to the failure totals");
        assertTrue(millis < 10_000, "200k sessions took " + millis + " ms");
    }

    @Test
    void aRestartReadsTheDayBack() throws Exception {
        TlsReportCollector before = new TlsReportCollector(TlsReportCollector.Limits.DEFAULT, CLOCK);
        before.record(ok("example.com"));
        before.record(failed("example.com", "certificate-expired", "mx1.example.com", "192.0.2.1"));
        new TlsReportStore(dir).save(before);
        assertTrue(Files.exists(dir.resolve("tlsrpt-" + DAY + ".json")));
        assertFalse(Files.exists(dir.resolve("tlsrpt-" + DAY + ".json.tmp")));

        TlsReportCollector after = new TlsReportCollector(TlsReportCollector.Limits.DEFAULT, CLOCK);
        assertEquals(List.of(DAY), new TlsReportStore(dir).load(after));
        assertEquals(before.counts(DAY, "example.com"), after.counts(DAY, "example.com"));

        after.remove(DAY);
        new TlsReportStore(dir).save(after);
        assertFalse(Files.exists(dir.resolve("tlsrpt-" + DAY + ".json")), "a reported day's file goes");
    }

    @Test
    void aDamagedOrHostileStateFileIsSetAsideNotBelieved() throws Exception {
        Path file = dir.resolve("tlsrpt-" + DAY + ".json");
        for (String bad : List.of("{", "[]", "{\"format\":\"camel-smtp-tlsrpt-state/1\",\"day\":\"2024-05-02\",\"overflow\":0,"
                + "\"policies\":[]}",
                "{\"format\":\"camel-smtp-tlsrpt-state/1\",\"day\":\"2024-05-01\",\"overflow\":0,\"policies\":[{"
                + "\"policy-type\":\"sts\",\"policy-domain\":\"a.example\",\"successful\":-5,\"failed\":0}]}",
                "{\"format\":\"camel-smtp-tlsrpt-state/1\",\"day\":\"2024-05-01\",\"overflow\":0,\"policies\":[{"
                + "\"policy-type\":\"evil\",\"policy-domain\":\"a.example\",\"successful\":1,\"failed\":0}]}",
                "[".repeat(10_000))) {
            Files.writeString(file, bad);
            TlsReportCollector c = new TlsReportCollector(TlsReportCollector.Limits.DEFAULT, CLOCK);
            assertEquals(List.of(), new TlsReportStore(dir).load(c), bad);
            assertEquals(List.of(), c.days(), bad);
            assertTrue(Files.exists(dir.resolve(file.getFileName() + ".bad")), bad);
            assertFalse(Files.exists(file));
        }
        // a valid file with more domains than the caps allow is read through the caps
        StringBuilder many = new StringBuilder("{\"format\":\"camel-smtp-tlsrpt-state/1\",\"day\":\"2024-05-01\","
                                               + "\"overflow\":0,\"policies\":[");
        for (int i = 0; i < 50; i++) {
            many.append(i == 0 ? "" : ",").append("{\"policy-type\":\"sts\",\"policy-domain\":\"d").append(i)
                    .append(".example\",\"successful\":1,\"failed\":0}");
        }
        Files.writeString(file, many + "]}");
        TlsReportCollector c = new TlsReportCollector(new TlsReportCollector.Limits(3, 10, 2, 4, 20, 2), CLOCK);
        new TlsReportStore(dir).load(c);
        assertEquals(10, c.domains(DAY).size());
        assertEquals(40, c.overflow(DAY));
    }

    static final class MutableClock extends Clock {
        volatile Instant now;

        MutableClock(Instant now) {
            this.now = now;
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}

package io.camelsmtp.smtp.relay.tlsrpt;

import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts TLS sessions for RFC 8460 reports: per report day (UTC), per policy domain, per policy applied, the
 * successful and failed sessions, and the failures in detail rows keyed by (result type, sending IP, receiving MX,
 * receiving IP). Called on the delivery path, so it does no I/O and takes no lock of its own: concurrent maps and
 * {@link LongAdder}s, whose only contention is a map bin while a new key is inserted.
 * <p>
 * Bounded whatever the traffic: at most {@link Limits#maxDays} days, {@link Limits#maxDomains} domains a day,
 * {@link Limits#maxPoliciesPerDomain} policies a domain, {@link Limits#maxDetailsPerPolicy} failure rows a policy;
 * sessions past a cap are counted in {@link #overflow(LocalDate)} (and, for a failure row, still in the policy's
 * failure total), not stored. Strings are cut to {@link Limits#maxStringLength}, a policy to
 * {@link Limits#maxPolicyStrings} strings.
 */
public final class TlsReportCollector {

    /** The caps; {@link #DEFAULT} suits a busy MTA (a few MB at most per day). */
    public record Limits(int maxDays, int maxDomains, int maxPoliciesPerDomain, int maxDetailsPerPolicy,
            int maxStringLength, int maxPolicyStrings) {
        public static final Limits DEFAULT = new Limits(3, 10_000, 4, 50, 256, 32);
    }

    /** One report's policy with its counts, as read out for a report or for the state file. */
    public record PolicyCounts(TlsAttempt.PolicyType type, String domain, List<String> strings, List<String> mxPatterns,
            long successful, long failed, List<FailureRow> failures) {
    }

    /** A failure-details row. */
    public record FailureRow(String resultType, String sendingIp, String receivingMx, String receivingIp,
            String additionalInfo, long count) {
    }

    private record PolicyKey(TlsAttempt.PolicyType type, List<String> strings, List<String> mxPatterns) {
    }

    private record FailureKey(String resultType, String sendingIp, String receivingMx, String receivingIp) {
    }

    private static final class Detail {
        final LongAdder count = new LongAdder();
        final String info;

        Detail(String info) {
            this.info = info;
        }
    }

    private static final class Policy {
        final LongAdder successful = new LongAdder();
        final LongAdder failed = new LongAdder();
        final Map<FailureKey, Detail> details = new ConcurrentHashMap<>();
        final AtomicInteger rows = new AtomicInteger();
    }

    private static final class Domain {
        final Map<PolicyKey, Policy> policies = new ConcurrentHashMap<>();
        final AtomicInteger count = new AtomicInteger();
    }

    private static final class Day {
        final Map<String, Domain> domains = new ConcurrentHashMap<>();
        final AtomicInteger count = new AtomicInteger();
        final LongAdder overflow = new LongAdder();
    }

    private final Map<LocalDate, Day> days = new ConcurrentHashMap<>();
    private final AtomicInteger dayCount = new AtomicInteger();
    private final LongAdder droppedDays = new LongAdder();
    private final Limits limits;
    private final Clock clock;

    public TlsReportCollector(Limits limits, Clock clock) {
        this.limits = limits;
        this.clock = clock;
    }

    public TlsReportCollector() {
        this(Limits.DEFAULT, Clock.systemUTC());
    }

    /** Counts one finished TLS attempt in today's (UTC) report. Never throws for any attempt, never blocks. */
    public void record(TlsAttempt attempt) {
        LocalDate today = LocalDate.now(clock.withZone(ZoneOffset.UTC));
        FailureRow row = attempt.successful() ? null
                : new FailureRow(attempt.resultType(), cut(attempt.sendingIp()), cut(attempt.mxHost()),
                        cut(attempt.receivingIp()), cut(attempt.additionalInfo()), 1);
        add(today, cut(attempt.policyDomain()), new PolicyKey(attempt.policyType(), cut(attempt.policyStrings()),
                cut(attempt.mxPatterns())), attempt.successful() ? 1 : 0, attempt.successful() ? 0 : 1, row);
    }

    /** Adds counts read back from a state file, through the same caps as {@link #record}. */
    void restore(LocalDate day, PolicyCounts p) {
        Policy policy = policy(day, cut(p.domain()), new PolicyKey(p.type(), cut(p.strings()), cut(p.mxPatterns())));
        if (policy == null) {
            return;
        }
        policy.successful.add(p.successful());
        policy.failed.add(p.failed());
        for (FailureRow r : p.failures()) {
            addDetail(day, policy, new FailureRow(r.resultType(), cut(r.sendingIp()), cut(r.receivingMx()),
                    cut(r.receivingIp()), cut(r.additionalInfo()), r.count()));
        }
    }

    void restoreOverflow(LocalDate day, long overflow) {
        Day d = day(day);
        if (d != null) {
            d.overflow.add(overflow);
        }
    }

    private void add(LocalDate day, String domain, PolicyKey key, long successful, long failed, FailureRow row) {
        Policy policy = policy(day, domain, key);
        if (policy == null) {
            return;
        }
        if (successful > 0) {
            policy.successful.add(successful);
        }
        if (failed > 0) {
            policy.failed.add(failed);
        }
        if (row != null) {
            addDetail(day, policy, row);
        }
    }

    private void addDetail(LocalDate day, Policy policy, FailureRow row) {
        FailureKey key = new FailureKey(row.resultType(), row.sendingIp(), row.receivingMx(), row.receivingIp());
        Detail detail = policy.details.get(key);
        if (detail == null) {
            detail = policy.details.computeIfAbsent(key,
                    k -> within(policy.rows, limits.maxDetailsPerPolicy()) ? new Detail(row.additionalInfo()) : null);
        }
        if (detail == null) {
            overflow(day, row.count());
            return;
        }
        detail.count.add(row.count());
    }

    /** The policy's counters, created within the caps; null (and the session counted as overflow) past them. */
    private Policy policy(LocalDate date, String domainName, PolicyKey key) {
        Day day = day(date);
        if (day == null) {
            return null;
        }
        Domain domain = day.domains.get(domainName);
        if (domain == null) {
            domain = day.domains.computeIfAbsent(domainName,
                    k -> within(day.count, limits.maxDomains()) ? new Domain() : null);
            if (domain == null) {
                day.overflow.increment();
                return null;
            }
        }
        Domain d = domain;
        Policy policy = d.policies.get(key);
        if (policy == null) {
            policy = d.policies.computeIfAbsent(key,
                    k -> within(d.count, limits.maxPoliciesPerDomain()) ? new Policy() : null);
            if (policy == null) {
                day.overflow.increment();
            }
        }
        return policy;
    }

    private Day day(LocalDate date) {
        Day day = days.get(date);
        if (day == null) {
            day = days.computeIfAbsent(date, k -> within(dayCount, limits.maxDays()) ? new Day() : null);
            if (day == null) {
                droppedDays.increment();
            }
        }
        return day;
    }

    /** Takes one of {@code max} slots; runs inside computeIfAbsent, so a slot is taken only for a new entry. */
    private static boolean within(AtomicInteger taken, int max) {
        if (taken.incrementAndGet() <= max) {
            return true;
        }
        taken.decrementAndGet();
        return false;
    }

    private void overflow(LocalDate date, long n) {
        Day day = days.get(date);
        if (day != null) {
            day.overflow.add(n);
        }
    }

    /** The days with counts, oldest first. */
    public List<LocalDate> days() {
        return new ArrayList<>(new TreeSet<>(days.keySet()));
    }

    /** The domains counted on {@code day}, sorted. */
    public List<String> domains(LocalDate day) {
        Day d = days.get(day);
        return d == null ? List.of() : new ArrayList<>(new TreeSet<>(d.domains.keySet()));
    }

    /**
     * The counts of one domain on one day, a copy taken now: counts still being added may or may not be in it (so a
     * day is reported once it is over).
     */
    public List<PolicyCounts> counts(LocalDate day, String domainName) {
        Day d = days.get(day);
        Domain domain = d == null ? null : d.domains.get(domainName);
        if (domain == null) {
            return List.of();
        }
        List<PolicyCounts> out = new ArrayList<>();
        for (Map.Entry<PolicyKey, Policy> e : domain.policies.entrySet()) {
            Policy p = e.getValue();
            List<FailureRow> rows = new ArrayList<>();
            for (Map.Entry<FailureKey, Detail> f : p.details.entrySet()) {
                FailureKey k = f.getKey();
                rows.add(new FailureRow(k.resultType(), k.sendingIp(), k.receivingMx(), k.receivingIp(),
                        f.getValue().info, f.getValue().count.sum()));
            }
            rows.sort(Comparator.comparingLong(FailureRow::count).reversed());
            PolicyKey k = e.getKey();
            out.add(new PolicyCounts(k.type(), domainName, k.strings(), k.mxPatterns(), p.successful.sum(),
                    p.failed.sum(), rows));
        }
        out.sort(Comparator.comparing((PolicyCounts p) -> p.type().token()).thenComparing(p -> p.strings().toString()));
        return out;
    }

    /** Sessions of {@code day} that were over a cap and are in no report. */
    public long overflow(LocalDate day) {
        Day d = days.get(day);
        return d == null ? 0 : d.overflow.sum();
    }

    /** Sessions dropped because {@link Limits#maxDays} days were held already (reports not going out). */
    public long droppedDays() {
        return droppedDays.sum();
    }

    /** Forgets a day, once its reports are sent (or given up). */
    public void remove(LocalDate day) {
        if (days.remove(day) != null) {
            dayCount.decrementAndGet();
        }
    }

    public Limits limits() {
        return limits;
    }

    public Clock clock() {
        return clock;
    }

    private String cut(String s) {
        if (s == null) {
            return null;
        }
        return s.length() <= limits.maxStringLength() ? s : s.substring(0, limits.maxStringLength());
    }

    private List<String> cut(List<String> strings) {
        if (strings == null || strings.isEmpty()) {
            return List.of();
        }
        List<String> out = new ArrayList<>(Math.min(strings.size(), limits.maxPolicyStrings()));
        for (String s : strings) {
            if (out.size() == limits.maxPolicyStrings()) {
                break;
            }
            out.add(cut(s == null ? "" : s));
        }
        return List.copyOf(out);
    }
}

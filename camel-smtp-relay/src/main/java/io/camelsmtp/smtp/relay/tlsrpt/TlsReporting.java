package io.camelsmtp.smtp.relay.tlsrpt;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * TLS reporting (RFC 8460) for one {@code smtp-relay} component: a {@link TlsReportCollector} that the delivery path
 * feeds, its state saved to {@code tlsReportDirectory} every {@link Settings#saveInterval} and at stop, and once a
 * day, after midnight UTC plus a random delay of up to {@link Settings#maxJitter} (so that not every sender posts at
 * 00:00), the reports of the days before today: per policy domain, the {@code _smtp._tls} record is looked up and
 * the report sent to each of its destinations. A destination that fails is tried again after each of
 * {@link Settings#retryDelays}, then given up (logged); either way the day is then forgotten, so nothing piles up.
 * {@link #sendDue()} and {@link #send(LocalDate)} do the same on demand.
 */
public final class TlsReporting {

    private static final Logger LOG = LoggerFactory.getLogger(TlsReporting.class);

    /**
     * @param organization     {@code organization-name} of the reports
     * @param contact          {@code contact-info}
     * @param submitterAddress MAIL FROM of mailed reports; its domain is the submitter (§5.1)
     * @param store            where the counts are kept across restarts; null for memory only
     */
    public record Settings(String organization, String contact, String submitterAddress, TlsReportStore store,
            List<Duration> retryDelays, Duration maxJitter, Duration saveInterval) {
        public Settings {
            retryDelays = List.copyOf(retryDelays);
        }

        /** The domain of {@link #submitterAddress}. */
        public String submitter() {
            return submitterAddress.substring(submitterAddress.lastIndexOf('@') + 1);
        }
    }

    /** What one run did: reports sent (per destination), given up, and domains without a reporting policy. */
    public record Result(int sent, int failed, int withoutPolicy) {
    }

    private record Pending(TlsReport report, URI destination) {
    }

    private final Settings settings;
    private final TlsReportCollector collector;
    private final TlsRptLookup lookup;
    private final TlsReportSender sender;
    private final ScheduledExecutorService scheduler;
    private volatile ScheduledFuture<?> daily;
    private volatile ScheduledFuture<?> saving;

    public TlsReporting(Settings settings, TlsReportCollector collector, TlsRptLookup lookup, TlsReportSender sender,
            ScheduledExecutorService scheduler) {
        this.settings = settings;
        this.collector = collector;
        this.lookup = lookup;
        this.sender = sender;
        this.scheduler = scheduler;
    }

    /** The collector to feed with {@link TlsReportCollector#record(TlsAttempt)}. */
    public TlsReportCollector collector() {
        return collector;
    }

    /** Reads the saved state and schedules saving and the daily run. */
    public void start() throws IOException {
        if (settings.store() != null) {
            List<LocalDate> loaded = settings.store().load(collector);
            if (!loaded.isEmpty()) {
                LOG.info("TLS reporting: counts of {} read back", loaded);
            }
            long every = settings.saveInterval().toMillis();
            saving = scheduler.scheduleWithFixedDelay(this::save, every, every, TimeUnit.MILLISECONDS);
        }
        scheduleDaily();
    }

    /** Stops the schedule and saves the counts. */
    public void stop() {
        if (daily != null) {
            daily.cancel(true);
        }
        if (saving != null) {
            saving.cancel(false);
        }
        save();
    }

    private synchronized void save() { // the timer's save and stop's must not share the temporary file
        if (settings.store() == null) {
            return;
        }
        try {
            settings.store().save(collector);
        } catch (IOException | RuntimeException e) {
            LOG.warn("TLS reporting: cannot save the counts: {}", e.toString());
        }
    }

    private void scheduleDaily() {
        Instant now = collector.clock().instant();
        Instant midnight = LocalDate.ofInstant(now, ZoneOffset.UTC).plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant();
        long jitter = settings.maxJitter().isZero() ? 0
                : ThreadLocalRandom.current().nextLong(settings.maxJitter().toMillis());
        long delay = Duration.between(now, midnight).toMillis() + jitter;
        // days left from before a restart go out after the jitter, not only at the next midnight
        if (collector.days().stream().anyMatch(d -> d.isBefore(today()))) {
            delay = jitter;
        }
        daily = scheduler.schedule(() -> {
            try {
                sendDue();
            } catch (RuntimeException e) {
                LOG.warn("TLS reporting run failed", e);
            } finally {
                if (!scheduler.isShutdown()) {
                    scheduleDaily();
                }
            }
        }, delay, TimeUnit.MILLISECONDS);
    }

    private LocalDate today() {
        return LocalDate.ofInstant(collector.clock().instant(), ZoneOffset.UTC);
    }

    /** Sends the reports of every finished day (before today, UTC). */
    public Result sendDue() {
        int sent = 0;
        int failed = 0;
        int without = 0;
        for (LocalDate day : collector.days()) {
            if (day.isBefore(today())) {
                Result r = send(day);
                sent += r.sent();
                failed += r.failed();
                without += r.withoutPolicy();
            }
        }
        return new Result(sent, failed, without);
    }

    /**
     * Sends the reports of {@code day} now and forgets its counts. For today that sends what is counted so far; later
     * sessions of today start new counts, for a second report.
     */
    public Result send(LocalDate day) {
        List<Pending> pending = new ArrayList<>();
        int without = 0;
        for (String domain : collector.domains(day)) {
            TlsRptRecord policy;
            try {
                policy = lookup.lookup(domain);
            } catch (IOException e) {
                LOG.warn("TLS reporting: no report for {} on {}: {}", domain, day, e.getMessage());
                without++;
                continue;
            }
            if (policy == null) {
                without++;
                continue;
            }
            TlsReport report = TlsReport.of(settings.organization(), settings.contact(), settings.submitter(), domain,
                    day, collector.counts(day, domain));
            for (URI destination : policy.destinations()) {
                pending.add(new Pending(report, destination));
            }
        }
        int total = pending.size();
        for (int attempt = 0; !pending.isEmpty(); attempt++) {
            List<Pending> failed = new ArrayList<>();
            for (Pending p : pending) {
                try {
                    sender.send(p.report(), p.destination());
                    LOG.info("TLS report {} for {} sent to {}", p.report().reportId(), p.report().policyDomain(),
                            p.destination());
                } catch (Exception e) {
                    boolean last = attempt >= settings.retryDelays().size();
                    LOG.warn("TLS report for {} to {} failed{}: {}", p.report().policyDomain(), p.destination(),
                            last ? ", given up" : ", will retry", e.getMessage());
                    failed.add(p);
                }
            }
            if (failed.isEmpty() || attempt >= settings.retryDelays().size()) {
                pending = failed;
                break;
            }
            pending = failed;
            try {
                Thread.sleep(settings.retryDelays().get(attempt).toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return new Result(total - pending.size(), pending.size(), without); // stopping: the day stays, saved
            }
        }
        long overflow = collector.overflow(day);
        if (overflow > 0) {
            LOG.warn("TLS reporting: {} sessions of {} were over the collector's limits and are in no report", overflow,
                    day);
        }
        collector.remove(day);
        save();
        return new Result(total - pending.size(), pending.size(), without);
    }
}

package io.camelsmtp.smtp.relay.mtasts;

import java.net.IDN;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Pattern;

import io.camelsmtp.smtp.relay.tls.DestinationTls;
import io.camelsmtp.smtp.relay.tls.HostTls;
import io.camelsmtp.smtp.relay.tls.TlsOutcome;
import io.camelsmtp.smtp.relay.tls.TlsOutcomeListener;
import io.camelsmtp.smtp.relay.tls.TlsResultType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * MTA-STS (RFC 8461) for the relay's MX deliveries. Per destination domain: the {@code _mta-sts} TXT record is looked
 * up alongside the MX records ({@link #begin}); when it names a policy id not in the cache, the policy is fetched
 * ({@link PolicyFetcher}) and cached for its {@code max_age} ({@link PolicyCache}); when the look-up or the fetch
 * fails, a cached policy that has not expired is used (§5.1), else the domain is treated as publishing none. Then
 * ({@link #decide}) in mode {@code enforce} only MX hosts matching the policy's patterns are used, each with TLS
 * verified (PKIX, the MX name) and never plaintext; in {@code testing} delivery goes on as without a policy and what
 * would have failed is reported; {@code none} changes nothing. With {@code required} a domain without an enforced
 * policy is deferred.
 * <p>
 * A domain without a policy costs one TXT look-up per message, in parallel with its MX look-up (answered from the DNS
 * cache for the record's TTL); a TXT look-up that fails is not repeated for a minute, and a policy fetch that fails
 * not for five (per TXT id), so that a domain whose policy host is down does not slow every message.
 * <p>
 * A cached policy that is still delivered to is refreshed before it expires, in the background: once it is older than
 * half its {@code max_age} or a day, whichever is less, the next delivery starts a fetch on the refresh executor (at
 * most {@link #MAX_REFRESHES} at a time) and goes on with the cached policy. So a domain with steady traffic never
 * reaches expiry, and the window where an attacker who blocks the fetch could make the relay forget the policy does
 * not open (the policy is kept "warm", as the RFC's authors recommend; a failed refresh changes nothing).
 */
public final class MtaSts {

    private static final Logger LOG = LoggerFactory.getLogger(MtaSts.class);
    private static final Pattern DOMAIN = Pattern.compile("(?=.{1,253}$)[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)+");
    static final Duration TXT_RETRY = Duration.ofMinutes(1);
    static final Duration FETCH_RETRY = Duration.ofMinutes(5);
    static final Duration REFRESH_AFTER = Duration.ofDays(1);
    static final int MAX_REFRESHES = 4;

    /** The look-up under way for one domain. */
    public static final class Pending {
        final String domain;
        final CompletableFuture<List<String>> txt;

        Pending(String domain, CompletableFuture<List<String>> txt) {
            this.domain = domain;
            this.txt = txt;
        }

        /** Stops waiting for the answer (the destination failed otherwise). */
        public void cancel() {
            if (txt != null) {
                txt.cancel(false);
            }
        }
    }

    private record Failure(String id, Instant until) {
    }

    private final Function<String, CompletableFuture<List<String>>> txtLookup;
    private final PolicyFetcher fetcher;
    private final PolicyCache cache;
    private final boolean required;
    private final Duration txtWait;
    private final Supplier<TlsOutcomeListener> listener;
    private final Clock clock;
    private final Map<String, Instant> txtFailedUntil = new ConcurrentHashMap<>();
    private final Map<String, Failure> fetchFailed = new ConcurrentHashMap<>();
    private final Map<String, CompletableFuture<PolicyCache.Entry>> fetching = new ConcurrentHashMap<>();
    private final Executor refresher;
    private final Semaphore refreshes = new Semaphore(MAX_REFRESHES);
    private final Set<String> refreshing = ConcurrentHashMap.newKeySet();

    /**
     * @param txtLookup TXT records of a name ({@code MxResolver::txt})
     * @param txtWait   longest wait for the TXT answer (the resolver's own bound)
     * @param required  defer domains without an enforced policy ({@code mtaStsRequired})
     * @param refresher runs the background refreshes of cached policies (each bounded by the fetch time-out)
     */
    public MtaSts(Function<String, CompletableFuture<List<String>>> txtLookup, PolicyFetcher fetcher, PolicyCache cache,
            boolean required, Duration txtWait, Supplier<TlsOutcomeListener> listener, Clock clock, Executor refresher) {
        this.txtLookup = txtLookup;
        this.fetcher = fetcher;
        this.cache = cache;
        this.required = required;
        this.txtWait = txtWait;
        this.listener = listener;
        this.clock = clock;
        this.refresher = refresher;
    }

    /** Starts the TXT look-up of {@code domain}; call before resolving its MX hosts, so both run at once. */
    public Pending begin(String domain) {
        String d = normalize(domain);
        if (d == null) {
            return new Pending(null, null);
        }
        Instant until = txtFailedUntil.get(d);
        if (until != null && clock.instant().isBefore(until)) {
            return new Pending(d, null);
        }
        return new Pending(d, txtLookup.apply("_mta-sts." + d));
    }

    /** What TLS each MX host of the pending domain must have, given the endpoint's {@code base}. */
    public DestinationTls decide(Pending pending, DestinationTls base) {
        if (pending.domain == null) {
            return required ? refuseAll(base.domain(), "the domain cannot have an MTA-STS policy", List.of(), false) : base;
        }
        String domain = pending.domain;
        Instant now = clock.instant();
        PolicyCache.Entry cached = cache.get(domain, now);
        PolicyCache.Entry entry = cached;
        String why = "no MTA-STS policy published";
        boolean failed = false; // the answer could not be had: a refusal for that is temporary
        StsRecord.Lookup txt = pending.txt == null ? null : txt(pending);
        if (txt instanceof StsRecord.Found found) {
            if (cached != null && cached.id().equals(found.record().id())) {
                refreshIfAging(cached, now);
            } else {
                try {
                    entry = fetch(domain, found.record().id(), now);
                } catch (PolicyFetchException e) {
                    why = e.getMessage();
                    failed = true;
                    LOG.info("MTA-STS policy of {} (id {}): {}{}", domain, found.record().id(), e.getMessage(),
                            cached != null ? "; using the cached one (id " + cached.id() + ")" : "");
                }
            }
        } else if (txt instanceof StsRecord.Invalid invalid) {
            why = invalid.why();
            report(domain, TlsResultType.STS_POLICY_INVALID, invalid.why(), List.of());
        } else if (txt == null) {
            why = "the _mta-sts TXT look-up failed";
            failed = true;
        }
        if (entry == null || entry.policy().mode() == StsPolicy.Mode.NONE) {
            return required ? refuseAll(domain, entry == null ? why : "its MTA-STS policy is in mode none", List.of(),
                    entry == null && failed) : base;
        }
        return apply(entry, base);
    }

    private StsRecord.Lookup txt(Pending pending) {
        try {
            return StsRecord.select(pending.txt.get(txtWait.toMillis(), TimeUnit.MILLISECONDS));
        } catch (ExecutionException | TimeoutException e) {
            pending.cancel();
            txtFailedUntil.put(pending.domain, clock.instant().plus(TXT_RETRY));
            LOG.debug("TXT look-up of _mta-sts.{} failed: {}", pending.domain, e.toString());
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** Starts a background fetch of a cached policy past its refresh age; the delivery goes on with the cached one. */
    private void refreshIfAging(PolicyCache.Entry cached, Instant now) {
        Duration half = Duration.ofSeconds(cached.policy().maxAge() / 2);
        Duration age = Duration.between(cached.fetched(), now);
        if (age.compareTo(half.compareTo(REFRESH_AFTER) < 0 ? half : REFRESH_AFTER) < 0
            || !refreshing.add(cached.domain())) {
            return;
        }
        if (!refreshes.tryAcquire()) {
            refreshing.remove(cached.domain()); // enough under way; a later delivery tries again
            return;
        }
        try {
            refresher.execute(() -> {
                try {
                    fetch(cached.domain(), cached.id(), clock.instant());
                    LOG.debug("MTA-STS policy of {} (id {}) refreshed", cached.domain(), cached.id());
                } catch (PolicyFetchException | RuntimeException e) {
                    LOG.info("MTA-STS policy of {} (id {}): refresh failed: {}; the cached one stays in force until {}",
                            cached.domain(), cached.id(), e.getMessage(), cached.expires());
                } finally {
                    refreshing.remove(cached.domain());
                    refreshes.release();
                }
            });
        } catch (RejectedExecutionException e) { // stopping
            refreshing.remove(cached.domain());
            refreshes.release();
        }
    }

    /** Fetches (once at a time per domain) and caches the policy for {@code id}; remembers failures a while. */
    private PolicyCache.Entry fetch(String domain, String id, Instant now) throws PolicyFetchException {
        Failure failed = fetchFailed.get(domain);
        if (failed != null && failed.id().equals(id) && now.isBefore(failed.until())) {
            throw new PolicyFetchException(TlsResultType.STS_POLICY_FETCH_ERROR, "fetching failed recently; not retried before "
                    + failed.until());
        }
        CompletableFuture<PolicyCache.Entry> mine = new CompletableFuture<>();
        CompletableFuture<PolicyCache.Entry> running = fetching.putIfAbsent(domain, mine);
        if (running != null) {
            try {
                return running.join();
            } catch (RuntimeException e) {
                throw e.getCause() instanceof PolicyFetchException p ? p
                        : new PolicyFetchException(TlsResultType.STS_POLICY_FETCH_ERROR, String.valueOf(e.getCause()));
            }
        }
        try {
            StsPolicy policy;
            try {
                policy = StsPolicy.parse(fetcher.fetch(domain));
            } catch (IllegalArgumentException e) {
                throw new PolicyFetchException(TlsResultType.STS_POLICY_INVALID, e.getMessage());
            }
            PolicyCache.Entry e = new PolicyCache.Entry(domain, id, clock.instant(), policy);
            cache.put(e);
            fetchFailed.remove(domain);
            mine.complete(e);
            return e;
        } catch (PolicyFetchException e) {
            fetchFailed.put(domain, new Failure(id, clock.instant().plus(FETCH_RETRY)));
            report(domain, e.type(), e.getMessage(), List.of());
            mine.completeExceptionally(e);
            throw e;
        } catch (RuntimeException e) {
            mine.completeExceptionally(e);
            throw new PolicyFetchException(TlsResultType.STS_POLICY_FETCH_ERROR, e.toString());
        } finally {
            fetching.remove(domain, mine);
        }
    }

    private DestinationTls apply(PolicyCache.Entry entry, DestinationTls base) {
        StsPolicy policy = entry.policy();
        String domain = entry.domain();
        String name = "MTA-STS policy of " + domain + " (id " + entry.id() + ", " + policy.mode() + ")";
        boolean testing = policy.mode() == StsPolicy.Mode.TESTING;
        if (testing && required) {
            return refuseAll(domain, "its MTA-STS policy is in mode testing", policy.lines(), false);
        }
        HostTls verified = HostTls.verified(null, true, "sts", name, policy.lines());
        return new DestinationTls() {
            @Override
            public String domain() {
                return domain;
            }

            @Override
            public HostTls forHost(String mxHost) {
                HostTls tls = policy.allows(mxHost) ? verified
                        : HostTls.refused("sts", TlsResultType.VALIDATION_FAILURE,
                                name + " does not list it (mx: " + String.join(", ", policy.mx()) + ")", policy.lines());
                if (!testing) {
                    return tls;
                }
                // testing: checked and reported, delivered as the tls option says (not checked when that is none or required)
                HostTls own = base.forHost(mxHost);
                return own.mode() == HostTls.Mode.OPPORTUNISTIC ? tls.asTesting() : own;
            }
        };
    }

    private DestinationTls refuseAll(String domain, String why, List<String> lines, boolean temporary) {
        String description = "mtaStsRequired, but " + domain + " has no MTA-STS policy in enforce mode (" + why + ")";
        HostTls refused = temporary ? HostTls.refusedForNow("sts", TlsResultType.VALIDATION_FAILURE, description, lines)
                : HostTls.refused("sts", TlsResultType.VALIDATION_FAILURE, description, lines);
        return DestinationTls.of(domain, refused);
    }

    private void report(String domain, TlsResultType type, String detail, List<String> lines) {
        try {
            listener.get().outcome(new TlsOutcome(domain, null, null, "sts", false, lines, false, false, type, detail));
        } catch (RuntimeException e) {
            LOG.warn("TLS outcome listener failed", e);
        }
    }

    /** The domain as a lower-case A-label name fit for a policy host and a cache file name, or null. */
    static String normalize(String domain) {
        try {
            String d = IDN.toASCII(domain, IDN.ALLOW_UNASSIGNED).toLowerCase(Locale.ROOT);
            d = d.endsWith(".") ? d.substring(0, d.length() - 1) : d;
            return DOMAIN.matcher(d).matches() ? d : null;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}

package io.camelsmtp.smtp.auth.dnsbl;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.camelsmtp.smtp.auth.dns.TxtResolver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.Record;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.Type;

/**
 * Asks every zone about one client at once (A queries in parallel, each listing zone's TXT reason as soon as its A
 * answer is in, all within one time-out). Answers are cached for their TTL by the resolver. A zone that fails is reported and logged
 * at WARN once until it answers again, never counted as a listing.
 */
public final class DnsblChecker {

    private static final Logger LOG = LoggerFactory.getLogger(DnsblChecker.class);
    /** Longest reason kept; with the reply's own words it stays far below RFC 5321's 512-octet reply line. */
    public static final int MAX_REASON = 200;
    /** Listing answers kept per zone (a hostile list may send thousands of A records). */
    public static final int MAX_CODES = 16;
    /** Octets of a TXT answer read at most (the rest is never looked at). */
    private static final int MAX_TXT_OCTETS = 1024;

    private final TxtResolver resolver;
    private final List<DnsblZone> zones;
    private final Duration timeout;
    private final Set<String> failing = ConcurrentHashMap.newKeySet();

    public DnsblChecker(TxtResolver resolver, List<DnsblZone> zones, Duration timeout) {
        this.resolver = resolver;
        this.zones = List.copyOf(zones);
        this.timeout = timeout;
    }

    public DnsblResult check(InetAddress client) {
        long deadline = System.nanoTime() + timeout.toNanos();
        String reversed = DnsblQuery.reversed(client);
        List<CompletableFuture<List<Record>>> answers = new ArrayList<>();
        List<CompletableFuture<List<Record>>> reasons = new ArrayList<>();
        for (DnsblZone z : zones) {
            String name = reversed + "." + z.name();
            CompletableFuture<List<Record>> a = resolver.lookupAsync(name, Type.A);
            answers.add(a);
            // a listing zone's TXT is asked as soon as its A answer is in, so a slow list elsewhere does not eat
            // the time the reason needs
            reasons.add(a.thenCompose(rs -> lists(z, rs) ? resolver.lookupAsync(name, Type.TXT)
                    : CompletableFuture.completedFuture(List.of())));
        }
        await(reasons, deadline);

        List<DnsblZone> listedZones = new ArrayList<>();
        List<String> codes = new ArrayList<>();
        List<String> failed = new ArrayList<>();
        for (int i = 0; i < zones.size(); i++) {
            DnsblZone z = zones.get(i);
            String error = null;
            List<String> hits = new ArrayList<>();
            CompletableFuture<List<Record>> answer = answers.get(i);
            if (!answer.isDone()) {
                error = "timed out after " + timeout.toMillis() + " ms";
            } else if (answer.isCompletedExceptionally()) {
                error = failure(answer);
            } else {
                for (Record r : answer.join()) {
                    InetAddress a = ((ARecord) r).getAddress();
                    switch (z.meaning(a)) {
                        case LISTED -> {
                            if (hits.size() < MAX_CODES) {
                                hits.add(z.name() + "=" + a.getHostAddress());
                            }
                        }
                        case ERROR -> error = error != null ? error : "answered " + a.getHostAddress();
                        case IGNORED -> { }
                    }
                }
            }
            if (error != null) {
                // one bad answer makes the whole answer suspect: a wildcard or a refusal never lists
                failed.add(z.name() + ": " + error);
                if (failing.add(z.name())) {
                    LOG.warn("DNS block list {} failed ({}); clients pass while it does (logged once until it "
                             + "answers again)", z.name(), error);
                }
                continue;
            }
            if (failing.remove(z.name())) {
                LOG.info("DNS block list {} answers again", z.name());
            }
            if (!hits.isEmpty()) {
                listedZones.add(z);
                codes.addAll(hits);
            }
        }
        if (listedZones.isEmpty()) {
            return new DnsblResult(failed.isEmpty() ? "clean" : "temperror", List.of(), List.of(), null, List.copyOf(failed));
        }
        String reason = null;
        for (int i = 0; i < zones.size() && reason == null; i++) {
            if (listedZones.contains(zones.get(i))) {
                reason = reason(reasons.get(i));
            }
        }
        return new DnsblResult("listed", listedZones.stream().map(DnsblZone::name).toList(), List.copyOf(codes), reason,
                List.copyOf(failed));
    }

    private static boolean lists(DnsblZone z, List<Record> records) {
        boolean listed = false;
        for (Record r : records) {
            switch (z.meaning(((ARecord) r).getAddress())) {
                case LISTED -> listed = true;
                case ERROR -> {
                    return false;
                }
                case IGNORED -> { }
            }
        }
        return listed;
    }

    /** The first TXT record's strings joined, sanitised; null when there is none (or it failed, or came too late). */
    private static String reason(CompletableFuture<List<Record>> t) {
        if (!t.isDone() || t.isCompletedExceptionally()) {
            return null;
        }
        for (Record r : t.join()) {
            if (r instanceof TXTRecord txt) {
                StringBuilder sb = new StringBuilder();
                for (byte[] s : txt.getStringsAsByteArrays()) {
                    sb.append(new String(s, StandardCharsets.ISO_8859_1));
                    if (sb.length() > MAX_TXT_OCTETS) {
                        break;
                    }
                }
                String text = ReplyText.sanitise(sb, MAX_REASON);
                return text.isEmpty() ? null : text;
            }
        }
        return null;
    }

    private static String failure(CompletableFuture<?> f) {
        try {
            f.join();
            return "failed";
        } catch (RuntimeException e) { // a CompletionException around the resolver's TemporaryFailure
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            return String.valueOf(cause.getMessage());
        }
    }

    private static void await(List<? extends CompletableFuture<?>> futures, long deadline) {
        try {
            CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new))
                    .get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException | ExecutionException e) {
            // what is not done by now counts as timed out; failures are read per future
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

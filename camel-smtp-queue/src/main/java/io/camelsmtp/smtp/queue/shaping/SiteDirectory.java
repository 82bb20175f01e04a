package io.camelsmtp.smtp.queue.shaping;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import java.util.function.Supplier;

import io.camelsmtp.smtp.common.shaping.SiteResolver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The MX host sets of recipient domains, looked up through a {@link SiteResolver} off the scheduler's thread and
 * kept for a while: {@link #TTL_MS} when known, {@link #FAILED_TTL_MS} when the look-up failed (the domain is then
 * its own site). Bounded: at most {@link #MAX_DOMAINS} domains (least recently used go first), and a look-up that has
 * not answered after {@link #STUCK_MS} counts as failed, so a resolver that hangs never parks mail for good.
 */
final class SiteDirectory {

    private static final Logger LOG = LoggerFactory.getLogger(SiteDirectory.class);
    static final long TTL_MS = 10 * 60_000L;
    static final long FAILED_TTL_MS = 60_000L;
    static final long STUCK_MS = 30_000L;
    static final int MAX_DOMAINS = 100_000;

    private record Known(List<String> mxHosts, long expires) {
    }

    private final Supplier<SiteResolver> resolver;
    private final Executor executor;
    private final Consumer<String> resolved;
    private final Map<String, Known> known = new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Known> eldest) {
            return size() > MAX_DOMAINS;
        }
    };
    private final Map<String, Long> asking = new HashMap<>();

    /**
     * @param resolver gives the resolver when there is one (looked up each time until found), else null: then every
     *                 domain is its own site
     * @param resolved told (on the resolving thread, no lock held) when a domain's answer is in
     */
    SiteDirectory(Supplier<SiteResolver> resolver, Executor executor, Consumer<String> resolved) {
        this.resolver = resolver;
        this.executor = executor;
        this.resolved = resolved;
    }

    /** Whether there is a resolver to ask (one may be bound later: smtp-relay binds its own when it starts). */
    boolean hasResolver() {
        return resolver.get() != null;
    }

    /**
     * The MX hosts of {@code domain}: a list (empty: unknown or none, the domain is its own site), or null when a
     * look-up has started or is running and {@link #resolved} will be told.
     */
    synchronized List<String> mxHosts(String domain, long now) {
        Known k = known.get(domain);
        if (k != null && k.expires > now) {
            return k.mxHosts;
        }
        if (asking.containsKey(domain)) {
            return null;
        }
        SiteResolver r = resolver.get();
        if (r == null) {
            return List.of();
        }
        asking.put(domain, now);
        try {
            executor.execute(() -> ask(r, domain));
        } catch (RejectedExecutionException e) {
            asking.remove(domain);
            return List.of();
        }
        return null;
    }

    private void ask(SiteResolver r, String domain) {
        List<String> mx;
        long ttl = TTL_MS;
        try {
            List<String> answer = r.mxHosts(domain);
            mx = new ArrayList<>(Math.min(answer.size(), 64));
            for (String h : answer) {
                if (h != null && mx.size() < 64) {
                    mx.add(h.toLowerCase(Locale.ROOT));
                }
            }
            mx.sort(null);
            mx = List.copyOf(mx);
        } catch (Exception | StackOverflowError e) {
            LOG.debug("MX look-up of {} for its site failed: {}", domain, e.toString());
            mx = List.of();
            ttl = FAILED_TTL_MS;
        }
        synchronized (this) {
            if (asking.remove(domain) == null) {
                return; // given up on as stuck meanwhile
            }
            known.put(domain, new Known(mx, System.currentTimeMillis() + ttl));
        }
        resolved.accept(domain);
    }

    /** Gives up on look-ups older than {@link #STUCK_MS}; returns their domains, now their own sites for a while. */
    synchronized List<String> giveUpStuck(long now) {
        List<String> out = null;
        for (var it = asking.entrySet().iterator(); it.hasNext(); ) {
            var e = it.next();
            if (now - e.getValue() >= STUCK_MS) {
                it.remove();
                known.put(e.getKey(), new Known(List.of(), now + FAILED_TTL_MS));
                (out == null ? out = new ArrayList<>() : out).add(e.getKey());
                LOG.warn("MX look-up of {} for its site took longer than {} s; it is its own site for now", e.getKey(),
                        STUCK_MS / 1000);
            }
        }
        return out == null ? List.of() : out;
    }
}

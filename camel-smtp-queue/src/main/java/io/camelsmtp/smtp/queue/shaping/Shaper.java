package io.camelsmtp.smtp.queue.shaping;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import java.util.function.Supplier;

import io.camelsmtp.smtp.common.SmtpReply;
import io.camelsmtp.smtp.common.shaping.ShapingRule;
import io.camelsmtp.smtp.common.shaping.SiteResolver;
import io.camelsmtp.smtp.queue.shaping.ShapingConfig.Limits;
import io.camelsmtp.smtp.queue.shaping.ShapingConfig.Reaction;
import io.camelsmtp.smtp.queue.shaping.ShapingConfig.SiteRule;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which site a recipient domain belongs to, the limits of each site, and the automatic reactions to replies. Without
 * rules every domain is its own site with {@code maxPerDomain} deliveries at once and nothing else, as before
 * shaping existed. With rules a domain belongs to the first site rule naming it, else to the first whose MX suffixes
 * cover every MX host of the domain, else to the site of its MX host set (so the domains one provider hosts share one
 * budget), else, while its MX hosts are unknown or have failed to resolve, to itself.
 * <p>
 * Not thread-safe: every method runs under the delivery scheduler's lock. What a method returns as events is emitted
 * by the caller once the lock is released.
 */
public final class Shaper {

    private static final Logger LOG = LoggerFactory.getLogger(Shaper.class);
    private static final int MAX_SITE_KEYS = 100_000;

    /** A change of a site's state, to be logged and published as a delivery event. */
    public record SiteChange(String type, String site, String reason, SmtpReply reply, Instant until, Instant at) {
        public static final String SUSPENDED = "site-suspended";
        public static final String RATE_LOWERED = "site-rate-lowered";
        public static final String REROUTED = "site-rerouted";
        public static final String RESUMED = "site-resumed";
    }

    private final String queue;
    private final int defaultMaxConnections;
    private final SiteDirectory directory;
    private ShapingConfig config;
    private final Map<String, SiteState> states = new HashMap<>();
    private final Map<String, String> siteOfDomain = new HashMap<>();
    private boolean noResolver; // some domains were remembered as their own sites for want of a resolver

    /**
     * @param config   the rules, or null for shaping off
     * @param resolver the MX look-up for sites, found lazily; null or answering null: domains are their own sites
     * @param resolved told (without the lock) when a domain's site is known after {@link #siteOf} returned null
     */
    public Shaper(String queue, ShapingConfig config, int defaultMaxConnections, Supplier<SiteResolver> resolver,
            Executor lookups, Consumer<String> resolved) {
        this.queue = queue;
        this.config = config;
        this.defaultMaxConnections = defaultMaxConnections;
        this.directory = config == null || resolver == null ? null : new SiteDirectory(resolver, lookups, resolved);
    }

    public boolean enabled() {
        return config != null;
    }

    /** The site of {@code domain} (lower case), or null while its MX hosts are looked up. */
    public String siteOf(String domain, long now) {
        if (config == null) {
            return domain;
        }
        if (noResolver && directory != null && directory.hasResolver()) {
            noResolver = false; // a resolver appeared: domains remembered as their own sites are grouped anew
            siteOfDomain.clear();
        }
        String key = siteOfDomain.get(domain);
        if (key != null) {
            return key;
        }
        for (SiteRule r : config.sites()) {
            if (r.matchesDomain(domain)) {
                return remember(domain, r.name());
            }
        }
        if (directory == null || !directory.hasResolver()) {
            noResolver = directory != null;
            return remember(domain, domain); // no MX grouping: remembered, so the rules are not scanned per job
        }
        List<String> mx = directory.mxHosts(domain, now);
        if (mx == null) {
            return null;
        }
        if (mx.isEmpty()) {
            return domain; // not remembered: asked again once the failed answer expires
        }
        for (SiteRule r : config.sites()) {
            if (r.matchesMx(mx)) {
                return remember(domain, r.name());
            }
        }
        return remember(domain, "mx:" + String.join(",", mx));
    }

    private String remember(String domain, String key) {
        if (siteOfDomain.size() >= MAX_SITE_KEYS) {
            siteOfDomain.clear();
        }
        siteOfDomain.put(domain, key);
        return key;
    }

    /** The site's state, made with its rule when new. */
    public SiteState state(String key) {
        SiteState s = states.get(key);
        if (s == null) {
            SiteRule rule = ruleNamed(key);
            s = new SiteState(key, rule == null ? null : rule.name(), rule(key, rule));
            states.put(key, s);
        }
        return s;
    }

    private SiteRule ruleNamed(String key) {
        if (config != null) {
            for (SiteRule r : config.sites()) {
                if (r.name().equals(key)) {
                    return r;
                }
            }
        }
        return null;
    }

    private ShapingRule rule(String key, SiteRule rule) {
        if (config == null) {
            return new ShapingRule(key, defaultMaxConnections, 0, null, null, null, null);
        }
        Limits l = rule == null ? config.defaults() : rule.limits().over(config.defaults());
        return new ShapingRule(key, l.maxConnections() != null ? l.maxConnections() : defaultMaxConnections,
                l.maxMessagesPerConnection() != null ? l.maxMessagesPerConnection() : 0, l.messageRate(),
                l.connectionRate(), l.tls(), null);
    }

    /** New rules: every site takes its new rule; domains are matched to sites anew. */
    public void reconfigure(ShapingConfig c) {
        this.config = c;
        siteOfDomain.clear();
        for (SiteState s : states.values()) {
            s.configure(rule(s.key, ruleNamed(s.key)));
        }
    }

    /** Every site with a state (running, paced, or changed by a reaction). */
    public Collection<SiteState> sites() {
        return states.values();
    }

    /** Forgets a site with nothing to remember (called when a delivery ends and by the sweep). */
    public void release(SiteState s, long nanoNow) {
        if (s.idle(System.currentTimeMillis(), nanoNow)) {
            states.remove(s.key);
        }
    }

    /**
     * A reply from a delivery to {@code site}: counted by every reaction it matches; a reaction whose threshold is
     * reached applies to the site (and its count starts again).
     */
    public List<SiteChange> observe(SiteState s, SmtpReply reply, long now) {
        if (config == null || config.reactions().isEmpty() || reply == null || reply.isPositive()) {
            return List.of();
        }
        List<SiteChange> out = List.of();
        SiteChange ended = expireDue(s, now);
        if (ended != null) {
            out = new ArrayList<>(2);
            out.add(ended);
        }
        for (Reaction r : config.reactions()) {
            if (!r.appliesTo(s.ruleName) || !r.matches(reply)) {
                continue;
            }
            int n = (int) r.threshold().permits();
            long[] ring = s.recent.computeIfAbsent(r.name(), k -> new long[n]);
            if (ring.length != n) { // the threshold changed with a reload
                ring = new long[n];
                s.recent.put(r.name(), ring);
            }
            int next = s.recentNext.getOrDefault(r.name(), 0);
            ring[next % n] = now;
            s.recentNext.put(r.name(), next + 1);
            long oldest = ring[(next + 1) % n];
            if (next + 1 >= n && now - oldest <= r.threshold().per().toMillis()) {
                s.recent.remove(r.name());
                s.recentNext.remove(r.name());
                if (out.isEmpty()) {
                    out = new ArrayList<>(1);
                }
                out.add(apply(s, r, reply, now));
            }
        }
        return out;
    }

    private SiteChange apply(SiteState s, Reaction r, SmtpReply reply, long now) {
        long until = now + r.duration().toMillis();
        String why = "reaction " + r.name() + ": " + r.threshold().permits() + " matching replies within "
                     + r.threshold().per() + ", the last " + reply;
        SiteChange c = switch (r.action()) {
            case SUSPEND -> {
                s.suspendedUntil = Math.max(s.suspendedUntil, until);
                s.suspendedBy = why;
                yield new SiteChange(SiteChange.SUSPENDED, s.key, why, reply, Instant.ofEpochMilli(s.suspendedUntil), Instant.ofEpochMilli(now));
            }
            case RATE -> {
                s.lowered = r.rate();
                s.loweredUntil = until;
                s.loweredBy = why;
                s.pace(r.rate());
                yield new SiteChange(SiteChange.RATE_LOWERED, s.key, why + "; rate " + r.rate(), reply, Instant.ofEpochMilli(until),
                        Instant.ofEpochMilli(now));
            }
            case SMART_HOST -> {
                s.smartHost = r.smartHost();
                s.smartHostUntil = until;
                s.reroutedBy = why;
                yield new SiteChange(SiteChange.REROUTED, s.key, why + "; to " + r.smartHost(), reply, Instant.ofEpochMilli(until),
                        Instant.ofEpochMilli(now));
            }
        };
        LOG.warn("smtp-queue:{} site {}: {} until {} ({})", queue, s.key, c.type(), c.until(), why);
        return c;
    }

    /**
     * Ends what has expired (the site's own rule is back), gives up on stuck MX look-ups (returned in
     * {@code unparked}), and forgets idle sites.
     */
    public List<SiteChange> sweep(long now, long nanoNow, List<String> unparked) {
        List<SiteChange> out = new ArrayList<>(0);
        for (var it = states.values().iterator(); it.hasNext(); ) {
            SiteState s = it.next();
            SiteChange c = expireDue(s, now);
            if (c != null) {
                out.add(c);
            }
            if (s.recent.isEmpty() == false) {
                forgetOldCounts(s, now);
            }
            if (s.idle(now, nanoNow)) {
                it.remove();
            }
        }
        if (directory != null) {
            unparked.addAll(directory.giveUpStuck(now));
        }
        return out;
    }

    /**
     * Ends what has expired of the site's reactions, or returns null when nothing has. The scheduler asks before it
     * starts a site's delivery and before a reply counts, so a reaction that ends is always seen to end (its
     * {@code site-resumed}) before the site is served again or a new reaction begins.
     */
    public SiteChange expireDue(SiteState s, long now) {
        if (s.suspendedUntil != 0 && s.suspendedUntil <= now || s.loweredUntil != 0 && s.loweredUntil <= now
            || s.smartHostUntil != 0 && s.smartHostUntil <= now) {
            return expire(s, now);
        }
        return null;
    }

    private SiteChange expire(SiteState s, long now) {
        StringBuilder what = new StringBuilder();
        if (s.suspendedUntil != 0 && s.suspendedUntil <= now) {
            s.suspendedUntil = 0;
            s.suspendedBy = null;
            what.append("suspension ended");
        }
        if (s.loweredUntil != 0 && s.loweredUntil <= now) {
            s.lowered = null;
            s.loweredUntil = 0;
            s.loweredBy = null;
            s.pace(s.configured.messageRate());
            what.append(what.isEmpty() ? "" : "; ").append("lowered rate ended");
        }
        if (s.smartHostUntil != 0 && s.smartHostUntil <= now) {
            s.smartHost = null;
            s.smartHostUntil = 0;
            s.reroutedBy = null;
            what.append(what.isEmpty() ? "" : "; ").append("smart host ended");
        }
        LOG.info("smtp-queue:{} site {}: {}; its own rule applies again", queue, s.key, what);
        return new SiteChange(SiteChange.RESUMED, s.key, what.toString(), null, null, Instant.ofEpochMilli(now));
    }

    private void forgetOldCounts(SiteState s, long now) {
        if (config == null) {
            s.recent.clear();
            s.recentNext.clear();
            return;
        }
        for (var it = s.recent.entrySet().iterator(); it.hasNext(); ) {
            var e = it.next();
            Reaction r = config.reactions().stream().filter(x -> x.name().equals(e.getKey())).findFirst().orElse(null);
            long newest = 0;
            for (long t : e.getValue()) {
                newest = Math.max(newest, t);
            }
            if (r == null || now - newest > r.threshold().per().toMillis()) {
                it.remove();
                s.recentNext.remove(e.getKey());
            }
        }
    }

    /** Lifts whatever reactions changed for {@code key} by hand; null when the site has no state. */
    public SiteChange resume(String key, long now) {
        SiteState s = states.get(key);
        if (s == null) {
            return null;
        }
        s.suspendedUntil = Math.min(s.suspendedUntil, now);
        s.loweredUntil = s.lowered != null ? now : 0;
        s.smartHostUntil = s.smartHost != null ? now : 0;
        SiteChange c = expire(s, now);
        return new SiteChange(SiteChange.RESUMED, key, "lifted by hand" + (c.reason().isEmpty() ? "" : ": " + c.reason()), null,
                null, c.at());
    }

    /**
     * The site {@code domain} is known to belong to, without looking anything up: its remembered site, the site rule
     * naming it, else the domain itself.
     */
    public String knownSite(String domain) {
        String k = config == null ? domain : siteOfDomain.get(domain);
        if (k != null) {
            return k;
        }
        for (SiteRule r : config.sites()) {
            if (r.matchesDomain(domain)) {
                return r.name();
            }
        }
        return domain;
    }

    /** The state of {@code key}, or null when the site has none (nothing running, waiting or in force). */
    public SiteState existing(String key) {
        return states.get(key);
    }

    /** The domains whose site is {@code key}, as matched so far (for releasing mail that waited for it). */
    public boolean domainIn(String domain, String key) {
        String k = siteOfDomain.get(domain);
        return key.equals(k != null ? k : domain);
    }
}

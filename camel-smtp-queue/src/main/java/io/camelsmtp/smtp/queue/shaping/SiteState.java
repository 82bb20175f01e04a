package io.camelsmtp.smtp.queue.shaping;

import java.util.HashMap;
import java.util.Map;

import io.camelsmtp.smtp.common.shaping.Pacer;
import io.camelsmtp.smtp.common.shaping.Rate;
import io.camelsmtp.smtp.common.shaping.ShapingRule;

/**
 * The live state of one site: deliveries running, the pacer of its message rate, and what an automatic reaction (or
 * nothing) has changed until when. Guarded by the delivery scheduler's lock, like the rest of the scheduling state.
 */
public final class SiteState {

    final String key;
    /** The rule as configured (after the last reload), before any reaction. */
    ShapingRule configured;
    /** The name of the site rule it matched, or null for the defaults. */
    final String ruleName;
    int active;
    Pacer pacer;
    long suspendedUntil; // epoch ms; 0: not suspended
    String suspendedBy;
    Rate lowered;
    long loweredUntil;
    String loweredBy;
    String smartHost;
    long smartHostUntil;
    String reroutedBy;
    /** Per reaction: when its last matching replies came (a ring of its threshold's size). */
    final Map<String, long[]> recent = new HashMap<>(2);
    final Map<String, Integer> recentNext = new HashMap<>(2);

    SiteState(String key, String ruleName, ShapingRule configured) {
        this.key = key;
        this.ruleName = ruleName;
        configure(configured);
    }

    /** A new configured rule (at creation, and after a reload); a lowered rate stays in force until it expires. */
    void configure(ShapingRule rule) {
        this.configured = rule;
        pace(lowered != null ? lowered : rule.messageRate());
    }

    void pace(Rate r) {
        if (r == null) {
            pacer = null;
        } else if (pacer == null) {
            pacer = new Pacer(r);
        } else {
            pacer.rate(r);
        }
    }

    public String key() {
        return key;
    }

    public String ruleName() {
        return ruleName;
    }

    public int active() {
        return active;
    }

    public boolean suspended(long now) {
        return suspendedUntil > now;
    }

    /** Until when it is suspended (epoch ms), 0 when it is not. */
    public long suspendedUntil() {
        return suspendedUntil;
    }

    public int maxConnections() {
        return configured.maxConnections();
    }

    /** The pacer of its message rate (the configured or a lowered one), or null for no limit. */
    public Pacer pacer() {
        return pacer;
    }

    /** Milliseconds between two messages at its rate, 0 with no rate. */
    public long pacerIntervalMillis() {
        return pacer == null ? 0 : pacer.rate().intervalNanos() / 1_000_000;
    }

    public void started() {
        active++;
    }

    public void ended() {
        active--;
    }

    public String suspendedBy() {
        return suspendedBy;
    }

    public Rate lowered() {
        return lowered;
    }

    public long loweredUntil() {
        return loweredUntil;
    }

    public String loweredBy() {
        return loweredBy;
    }

    public String smartHost() {
        return smartHost;
    }

    public long smartHostUntil() {
        return smartHostUntil;
    }

    public String reroutedBy() {
        return reroutedBy;
    }

    public ShapingRule configured() {
        return configured;
    }

    /** The rule a delivery starting now goes with: the configured one as the reactions in force change it. */
    public ShapingRule effective() {
        ShapingRule r = configured;
        if (lowered != null) {
            r = r.withMessageRate(lowered);
        }
        if (smartHost != null) {
            r = r.withSmartHost(smartHost);
        }
        return r;
    }

    /** Nothing here needs remembering: no delivery, no reaction in force or counting, a pacer with nothing owed. */
    boolean idle(long now, long nanoNow) {
        return active == 0 && suspendedUntil == 0 && lowered == null && smartHost == null && recent.isEmpty()
               && (pacer == null || pacer.waitNanos(nanoNow) == 0);
    }
}

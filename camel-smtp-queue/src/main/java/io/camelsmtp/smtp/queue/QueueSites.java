package io.camelsmtp.smtp.queue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.camelsmtp.smtp.queue.shaping.SiteState;

/**
 * The destination sites of a queue as operations see them (mailq, JMX, HTTP): each site with deliveries running,
 * mail waiting in its line, a pacer still owed, or a reaction in force (suspended, rate lowered, sent to a smart host),
 * and lifting a reaction by hand. Empty while no consumer delivers the queue.
 */
public final class QueueSites {

    private final DeliveryScheduler scheduler;

    QueueSites(DeliveryScheduler scheduler) {
        this.scheduler = scheduler;
    }

    /** One map per site: site, rule, active, maxConnections, messageRate, and what a reaction changed until when. */
    public List<Map<String, Object>> list() {
        if (scheduler == null) {
            return List.of();
        }
        long now = System.currentTimeMillis();
        List<Map<String, Object>> out = scheduler.withShaper(sh -> {
            List<Map<String, Object>> l = new ArrayList<>();
            for (SiteState s : sh.sites()) {
                l.add(view(s, now));
            }
            return l;
        });
        out.sort(Comparator.comparing(m -> m.get("site").toString()));
        return out;
    }

    private static Map<String, Object> view(SiteState s, long now) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("site", s.key());
        m.put("rule", s.ruleName() == null ? "defaults" : s.ruleName());
        m.put("active", s.active());
        m.put("maxConnections", s.maxConnections());
        m.put("state", s.suspended(now) ? "suspended" : s.lowered() != null ? "rate-lowered"
                : s.smartHost() != null ? "rerouted" : "normal");
        if (s.configured().messageRate() != null) {
            m.put("messageRate", s.configured().messageRate().toString());
        }
        if (s.suspended(now)) {
            m.put("suspendedUntil", Instant.ofEpochMilli(s.suspendedUntil()).toString());
            m.put("suspendedBy", s.suspendedBy());
        }
        if (s.lowered() != null) {
            m.put("loweredRate", s.lowered().toString());
            m.put("loweredUntil", Instant.ofEpochMilli(s.loweredUntil()).toString());
            m.put("loweredBy", s.loweredBy());
        }
        if (s.smartHost() != null) {
            m.put("smartHost", s.smartHost());
            m.put("smartHostUntil", Instant.ofEpochMilli(s.smartHostUntil()).toString());
            m.put("reroutedBy", s.reroutedBy());
        }
        return m;
    }

    /**
     * Lifts whatever a reaction changed for {@code site} (its own rule applies again at once), emits
     * {@code site-resumed}, and makes the mail that waited for it due now. False when the site has no state (nothing
     * to lift).
     */
    public boolean resume(String site) {
        return scheduler != null && scheduler.resumeSite(site);
    }

    /**
     * For each of {@code domains}: its site and, when that site is suspended, until when; for the console's
     * destinations. One pass under the scheduler's lock.
     */
    public Map<String, String[]> siteStates(java.util.Collection<String> domains) {
        if (scheduler == null) {
            return Map.of();
        }
        long now = System.currentTimeMillis();
        return scheduler.withShaper(sh -> {
            Map<String, String[]> out = new java.util.HashMap<>();
            for (String d : domains) {
                String key = sh.knownSite(d);
                SiteState st = sh.existing(key);
                out.put(d, new String[] {key, st != null && st.suspended(now) ? Instant.ofEpochMilli(st.suspendedUntil()).toString() : null});
            }
            return out;
        });
    }

    /** The lines mailq adds for sites not in their normal state; empty when there are none. */
    public String mailqLines() {
        StringBuilder sb = new StringBuilder();
        for (Map<String, Object> m : list()) {
            Object state = m.get("state");
            if ("suspended".equals(state)) {
                sb.append("-- site ").append(m.get("site")).append(" suspended until ").append(m.get("suspendedUntil"))
                        .append(" (").append(m.get("suspendedBy")).append(")\n");
            } else if ("rate-lowered".equals(state)) {
                sb.append("-- site ").append(m.get("site")).append(" rate lowered to ").append(m.get("loweredRate"))
                        .append(" until ").append(m.get("loweredUntil")).append('\n');
            } else if ("rerouted".equals(state)) {
                sb.append("-- site ").append(m.get("site")).append(" sent to ").append(m.get("smartHost"))
                        .append(" until ").append(m.get("smartHostUntil")).append('\n');
            }
        }
        return sb.toString();
    }

    /** The shaping rules file in force and why its last change was refused, for stats; null without rules. */
    public Map<String, Object> rules() {
        if (scheduler == null || scheduler.rules() == null) {
            return null;
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("file", scheduler.rules().path().toString());
        m.put("sites", scheduler.rules().current().sites().size());
        m.put("reactions", scheduler.rules().current().reactions().size());
        if (scheduler.rules().lastError() != null) {
            m.put("reloadError", scheduler.rules().lastError());
        }
        return m;
    }
}

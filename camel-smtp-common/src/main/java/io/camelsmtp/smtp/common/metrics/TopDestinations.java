package io.camelsmtp.smtp.common.metrics;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The {@code destination} tag with bounded cardinality: at most {@code limit} destinations are ever named, the
 * busiest ones, and every other is {@link SmtpMeters#OTHER}. Meters are never removed (a Prometheus counter must only
 * grow), so a name once given stays; a meter tagged by destination thus has at most {@code limit + 1} series.
 * <p>
 * Which are the busiest is counted with the Space-Saving algorithm (Metwally et al.) over {@code 8 x limit}
 * candidates: a destination is named once it has been seen {@code threshold} times and is then among the
 * {@code limit} busiest candidates not named yet. Once {@code limit} names are given the counting stops, and a call
 * costs one hash look-up. A destination that is not a plausible host name or address literal (letters, digits,
 * {@code .-:[]}, at most 255 characters) is always {@code other}. Thread-safe.
 */
public final class TopDestinations {

    /** Destinations named by default. */
    public static final int DEFAULT_LIMIT = 20;
    /** Sightings before a destination may be named, by default. */
    public static final int DEFAULT_THRESHOLD = 10;

    private final int limit;
    private final int threshold;
    private final int capacity;
    private final Set<String> named = ConcurrentHashMap.newKeySet();
    private final Map<String, long[]> candidates = new HashMap<>(); // guarded by this

    public TopDestinations() {
        this(DEFAULT_LIMIT, DEFAULT_THRESHOLD);
    }

    /**
     * @param limit     most destinations ever named
     * @param threshold sightings before one may be named (1: the first {@code limit} seen)
     */
    public TopDestinations(int limit, int threshold) {
        if (limit < 0 || threshold < 1) {
            throw new IllegalArgumentException("limit must be >= 0 and threshold >= 1");
        }
        this.limit = limit;
        this.threshold = threshold;
        this.capacity = Math.max(16, 8 * limit);
    }

    /** The tag value for one sighting of {@code destination}: its name (lower case) or {@code other}. */
    public String tag(String destination) {
        if (destination == null || limit == 0) {
            return SmtpMeters.OTHER;
        }
        if (named.contains(destination)) {
            return destination;
        }
        if (named.size() >= limit || !plausible(destination)) {
            return SmtpMeters.OTHER;
        }
        String d = destination.toLowerCase(Locale.ROOT);
        if (named.contains(d)) {
            return d;
        }
        return count(d) ? d : SmtpMeters.OTHER;
    }

    /** The destinations named so far. */
    public Set<String> named() {
        return Set.copyOf(named);
    }

    private synchronized boolean count(String d) {
        if (named.contains(d)) {
            return true;
        }
        if (named.size() >= limit) {
            candidates.clear();
            return false;
        }
        long[] n = candidates.get(d);
        if (n == null) {
            long floor = 0;
            if (candidates.size() >= capacity) {
                floor = evictSmallest();
            }
            n = new long[] { floor };
            candidates.put(d, n);
        }
        n[0]++;
        if (n[0] < threshold || n[0] % threshold != 0) {
            return false;
        }
        int above = 0;
        for (long[] other : candidates.values()) {
            if (other[0] > n[0]) {
                above++;
            }
        }
        if (above >= limit - named.size()) {
            return false;
        }
        named.add(d);
        candidates.remove(d);
        return true;
    }

    /** Removes the least-seen candidate; returns its count, which its replacement inherits (Space-Saving). */
    private long evictSmallest() {
        String smallest = null;
        long min = Long.MAX_VALUE;
        for (Map.Entry<String, long[]> e : candidates.entrySet()) {
            if (e.getValue()[0] < min) {
                min = e.getValue()[0];
                smallest = e.getKey();
            }
        }
        candidates.remove(smallest);
        return min;
    }

    private static boolean plausible(String d) {
        int n = d.length();
        if (n == 0 || n > 255) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            char c = d.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-'
                  || c == ':' || c == '[' || c == ']')) {
                return false;
            }
        }
        return true;
    }
}

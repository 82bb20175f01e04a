package io.camelsmtp.smtp.auth;

import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;

import io.camelsmtp.smtp.auth.spf.SpfResult;

/**
 * SPF verdicts of {@code smtp-auth:spf} kept for {@code smtp-auth:verify} of the same transaction. smtp-server calls a
 * {@code mailPolicy} route with an Exchange of its own and does not carry its headers on to the message's Exchange, so
 * the verdict reached at MAIL FROM is remembered here under what it was computed from: the SMTP session id, client
 * address, HELO name and MAIL FROM (the same inputs give the same verdict, so a second transaction of the session
 * with the same sender may reuse it). Bounded: at most {@link #MAX_ENTRIES}, each for {@link #TTL_MILLIS}; the oldest
 * go first. One per component.
 */
final class SpfVerdicts {

    static final int MAX_ENTRIES = 10_000;
    static final long TTL_MILLIS = 30 * 60_000L; // a DATA phase ends long before (RFC 5321 §4.5.3.2)

    private record Entry(SpfResult result, long expires) {
    }

    private final Clock clock;
    private final Map<String, Entry> entries = new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Entry> eldest) {
            return size() > MAX_ENTRIES;
        }
    };

    SpfVerdicts(Clock clock) {
        this.clock = clock;
    }

    static String key(String sessionId, String clientIp, String helo, String mailFrom) {
        if (sessionId == null || clientIp == null) {
            return null; // not from smtp-server: nothing to share
        }
        return sessionId + '\u0000' + clientIp + '\u0000' + (helo == null ? "" : helo) + '\u0000'
               + (mailFrom == null ? "" : mailFrom);
    }

    synchronized void put(String key, SpfResult result) {
        if (key != null) {
            entries.remove(key); // re-inserted at the young end
            entries.put(key, new Entry(result, clock.millis() + TTL_MILLIS));
        }
    }

    synchronized SpfResult get(String key) {
        if (key == null) {
            return null;
        }
        Entry e = entries.get(key);
        if (e == null) {
            return null;
        }
        if (e.expires() < clock.millis()) {
            entries.remove(key);
            return null;
        }
        return e.result();
    }
}

package io.camelsmtp.smtp.common.shaping;

import java.time.Duration;
import java.util.Locale;

/**
 * A rate such as {@code 100/s}, {@code 50/min} or {@code 1000/h}: at most {@code permits} per {@code per}. Parsed
 * strictly (a value that is not exactly that fails) so that a typo in a rules file is refused, not read as
 * "unlimited".
 */
public record Rate(long permits, Duration per) {

    /** At most this many permits in one rate, and at least one nanosecond between two. */
    static final long MAX_PERMITS = 1_000_000_000L;

    public Rate {
        if (permits < 1 || permits > MAX_PERMITS) {
            throw new IllegalArgumentException("a rate needs 1 to " + MAX_PERMITS + " permits, not " + permits);
        }
        if (per == null || per.isNegative() || per.isZero() || per.compareTo(Duration.ofDays(1)) > 0) {
            throw new IllegalArgumentException("a rate's period must be more than 0 and at most a day, not " + per);
        }
    }

    /**
     * {@code N/s}, {@code N/sec}, {@code N/second}, {@code N/m}, {@code N/min}, {@code N/minute}, {@code N/h},
     * {@code N/hour}, {@code N/d}, {@code N/day}, or {@code N/<duration>} such as {@code 5/10s}; spaces around the
     * parts are allowed.
     */
    public static Rate parse(String text) {
        if (text == null || text.length() > 64) {
            throw new IllegalArgumentException("not a rate (N/s, N/min, N/h): " + text);
        }
        int slash = text.indexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException("not a rate (N/s, N/min, N/h): '" + text + "'");
        }
        long n;
        try {
            n = Long.parseLong(text.substring(0, slash).strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a rate (N/s, N/min, N/h): '" + text + "'");
        }
        String unit = text.substring(slash + 1).strip().toLowerCase(Locale.ROOT);
        Duration per = switch (unit) {
            case "s", "sec", "second" -> Duration.ofSeconds(1);
            case "m", "min", "minute" -> Duration.ofMinutes(1);
            case "h", "hour" -> Duration.ofHours(1);
            case "d", "day" -> Duration.ofDays(1);
            default -> period(unit, text);
        };
        return new Rate(n, per);
    }

    private static Duration period(String unit, String text) {
        int i = 0;
        while (i < unit.length() && Character.isDigit(unit.charAt(i))) {
            i++;
        }
        if (i == 0 || i > 9) {
            throw new IllegalArgumentException("not a rate (N/s, N/min, N/h): '" + text + "'");
        }
        long k = Long.parseLong(unit.substring(0, i));
        return switch (unit.substring(i)) {
            case "ms" -> Duration.ofMillis(k);
            case "s" -> Duration.ofSeconds(k);
            case "m", "min" -> Duration.ofMinutes(k);
            case "h" -> Duration.ofHours(k);
            default -> throw new IllegalArgumentException("not a rate (N/s, N/min, N/h): '" + text + "'");
        };
    }

    /** Time between two permits when they are spread evenly, at least 1 ns. */
    public long intervalNanos() {
        return Math.max(1, per.toNanos() / permits);
    }

    @Override
    public String toString() {
        long s = per.toSeconds();
        if (per.toNanos() == s * 1_000_000_000L) {
            if (s == 1) {
                return permits + "/s";
            }
            if (s == 60) {
                return permits + "/min";
            }
            if (s == 3600) {
                return permits + "/h";
            }
            if (s == 86400) {
                return permits + "/d";
            }
            return permits + "/" + s + "s";
        }
        return permits + "/" + per.toMillis() + "ms";
    }
}

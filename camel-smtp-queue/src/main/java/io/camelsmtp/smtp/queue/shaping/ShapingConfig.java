package io.camelsmtp.smtp.queue.shaping;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

import io.camelsmtp.smtp.common.SmtpReply;
import io.camelsmtp.smtp.common.shaping.Rate;

/**
 * A rules file as read: the defaults for every site, the named site rules (first match wins) and the automatic
 * reactions to replies. Immutable; a reload makes a new one.
 */
public record ShapingConfig(Limits defaults, List<SiteRule> sites, List<Reaction> reactions) {

    /**
     * Limits of a site; a null field is not set here (a site rule takes the defaults' value for it).
     *
     * @param tls none, opportunistic or required (the relay's {@code tls} for this site)
     */
    public record Limits(Integer maxConnections, Integer maxMessagesPerConnection, Rate messageRate,
                         Rate connectionRate, String tls) {

        static final Limits NONE = new Limits(null, null, null, null, null);

        /** This site's values, the defaults' where this one sets none. */
        Limits over(Limits d) {
            return new Limits(maxConnections != null ? maxConnections : d.maxConnections,
                    maxMessagesPerConnection != null ? maxMessagesPerConnection : d.maxMessagesPerConnection,
                    messageRate != null ? messageRate : d.messageRate,
                    connectionRate != null ? connectionRate : d.connectionRate, tls != null ? tls : d.tls);
        }
    }

    /**
     * A named site: the domains it covers (exact names or {@code *.suffix}) and the MX host name suffixes that make a
     * domain part of it (every MX host of the domain must end with one of them).
     */
    public record SiteRule(String name, List<String> domains, List<String> mxSuffixes, Limits limits) {

        boolean matchesDomain(String domain) {
            for (String p : domains) {
                if (p.startsWith("*.") ? domain.endsWith(p.substring(1)) : domain.equals(p)) {
                    return true;
                }
            }
            return false;
        }

        boolean matchesMx(List<String> mxHosts) {
            if (mxSuffixes.isEmpty() || mxHosts.isEmpty()) {
                return false;
            }
            for (String h : mxHosts) {
                boolean any = false;
                for (String s : mxSuffixes) {
                    if (h.endsWith(s) || h.equals(s.substring(1))) {
                        any = true;
                        break;
                    }
                }
                if (!any) {
                    return false;
                }
            }
            return true;
        }
    }

    /** What a reaction does for its duration. */
    public enum Action {
        /** No delivery to the site; its mail waits (nothing bounces because of it). */
        SUSPEND,
        /** The site's message rate is lowered to the reaction's rate. */
        RATE,
        /** The site's mail goes to the reaction's smart host instead of its MX hosts. */
        SMART_HOST;

        static Action parse(String s) {
            return switch (s.toLowerCase(Locale.ROOT)) {
                case "suspend" -> SUSPEND;
                case "rate" -> RATE;
                case "smarthost", "smart-host" -> SMART_HOST;
                default -> throw new IllegalArgumentException("action must be suspend, rate or smartHost, not '" + s + "'");
            };
        }

        @Override
        public String toString() {
            return this == SMART_HOST ? "smartHost" : name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * An automatic reaction: replies matching {@code code}, {@code enhancedCode} (a prefix) and {@code text} (a
     * regular expression found in the text); every condition given must hold. When {@code threshold.permits()} such
     * replies from one site fall within {@code threshold.per()}, {@code action} applies to that site for
     * {@code duration}.
     *
     * @param sites the site rules it watches; empty for every site
     */
    public record Reaction(String name, List<String> sites, Integer code, String enhancedCode, Pattern text,
                           Rate threshold, Action action, Rate rate, String smartHost, Duration duration) {

        boolean appliesTo(String siteRule) {
            return sites.isEmpty() || siteRule != null && sites.contains(siteRule);
        }

        boolean matches(SmtpReply reply) {
            if (code != null && reply.code() != code) {
                return false;
            }
            if (enhancedCode != null && (reply.enhancedStatus() == null || !reply.enhancedStatus().startsWith(enhancedCode))) {
                return false;
            }
            return text == null || Bounded.find(text, reply.text());
        }
    }

    /**
     * Reply text handed to a regular expression: at most 1,000 characters, and a match that reads more than
     * {@link #MAX_STEPS} characters (an expression that backtracks badly on a text a hostile server chose) stops and
     * counts as no match.
     */
    static final class Bounded implements CharSequence {
        static final int MAX_STEPS = 200_000;
        private final String s;
        private final int[] steps;

        private Bounded(String s, int[] steps) {
            this.s = s;
            this.steps = steps;
        }

        static boolean find(Pattern p, String text) {
            String t = text == null ? "" : text.length() <= 1000 ? text : text.substring(0, 1000);
            try {
                return p.matcher(new Bounded(t, new int[1])).find();
            } catch (TooLong e) {
                return false;
            }
        }

        @Override
        public char charAt(int index) {
            if (++steps[0] > MAX_STEPS) {
                throw new TooLong();
            }
            return s.charAt(index);
        }

        @Override
        public int length() {
            return s.length();
        }

        @Override
        public CharSequence subSequence(int start, int end) {
            return new Bounded(s.substring(start, end), steps);
        }

        @Override
        public String toString() {
            return s;
        }
    }

    private static final class TooLong extends RuntimeException {
        TooLong() {
            super(null, null, false, false);
        }
    }
}

package io.camelsmtp.smtp.relay.mtasts;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * An MTA-STS policy (RFC 8461 §3.2), the body of {@code https://mta-sts.<domain>/.well-known/mta-sts.txt}:
 * <pre>
 * version: STSv1
 * mode: enforce
 * mx: mail.example.com
 * mx: *.example.net
 * max_age: 604800
 * </pre>
 * Lines end with LF or CRLF; {@code key: value}, spaces and tabs after the colon and at the end ignored; blank lines
 * skipped; unknown keys ignored. Fails closed: a missing or repeated {@code version}, {@code mode} or
 * {@code max_age}, a value out of its syntax, {@code max_age} over 31557600, no {@code mx} in mode enforce or
 * testing, a bare CR, bytes that are not UTF-8: the whole policy is invalid.
 *
 * @param mode   enforce, testing or none
 * @param maxAge seconds the policy may be cached (at most 31557600, a year)
 * @param mx     the mx patterns, lower case: a host name, or {@code *.} and a domain (one label more)
 * @param lines  the policy's lines as received (without line ends), for reports (RFC 8460 policy-string)
 */
public record StsPolicy(Mode mode, long maxAge, List<String> mx, List<String> lines) {

    /** Most a policy may be cached (RFC 8461 §3.2). */
    public static final long MAX_AGE_LIMIT = 31_557_600L;
    /** Largest policy body read (RFC 8461 §3.3: senders may limit it to 64 KB). */
    public static final int MAX_SIZE = 64 * 1024;

    private static final Pattern KEY = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,31}");
    private static final Pattern LABEL = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");
    private static final int MAX_MX = 256;

    public enum Mode {
        ENFORCE("enforce"),
        TESTING("testing"),
        NONE("none");

        private final String text;

        Mode(String text) {
            this.text = text;
        }

        @Override
        public String toString() {
            return text;
        }
    }

    public StsPolicy {
        mx = List.copyOf(mx);
        lines = List.copyOf(lines);
    }

    /**
     * Parses a policy body.
     *
     * @throws IllegalArgumentException saying what is wrong
     */
    public static StsPolicy parse(byte[] body) {
        if (body.length > MAX_SIZE) {
            throw new IllegalArgumentException("MTA-STS policy larger than " + MAX_SIZE + " bytes");
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(body)).toString();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("MTA-STS policy is not UTF-8");
        }
        String version = null;
        Mode mode = null;
        Long maxAge = null;
        List<String> mx = new ArrayList<>();
        List<String> lines = new ArrayList<>();
        for (String raw : text.split("\n", -1)) {
            String line = raw.endsWith("\r") ? raw.substring(0, raw.length() - 1) : raw;
            if (line.indexOf('\r') >= 0) {
                throw new IllegalArgumentException("Bare CR in MTA-STS policy");
            }
            if (line.isBlank()) {
                continue;
            }
            lines.add(line);
            int colon = line.indexOf(':');
            if (colon <= 0) {
                throw new IllegalArgumentException("Not a key: value line in MTA-STS policy: " + StsRecord.shorten(line));
            }
            String key = line.substring(0, colon);
            String value = StsRecord.stripWsp(line.substring(colon + 1));
            if (!KEY.matcher(key).matches()) {
                throw new IllegalArgumentException("Bad key in MTA-STS policy: " + StsRecord.shorten(key));
            }
            switch (key) {
                case "version" -> {
                    if (version != null || !value.equals("STSv1")) {
                        throw new IllegalArgumentException("MTA-STS policy version must be STSv1, once: " + StsRecord.shorten(value));
                    }
                    version = value;
                }
                case "mode" -> {
                    if (mode != null) {
                        throw new IllegalArgumentException("mode twice in MTA-STS policy");
                    }
                    mode = switch (value) {
                        case "enforce" -> Mode.ENFORCE;
                        case "testing" -> Mode.TESTING;
                        case "none" -> Mode.NONE;
                        default -> throw new IllegalArgumentException("Unknown MTA-STS mode: " + StsRecord.shorten(value));
                    };
                }
                case "max_age" -> {
                    if (maxAge != null || !value.matches("[0-9]{1,10}") || Long.parseLong(value) > MAX_AGE_LIMIT) {
                        throw new IllegalArgumentException("max_age must be 0 to " + MAX_AGE_LIMIT + ", once: "
                                + StsRecord.shorten(value));
                    }
                    maxAge = Long.parseLong(value);
                }
                case "mx" -> {
                    if (mx.size() >= MAX_MX) {
                        throw new IllegalArgumentException("More than " + MAX_MX + " mx patterns in MTA-STS policy");
                    }
                    mx.add(mxPattern(value));
                }
                default -> {
                    // an extension (RFC 8461 §3.2): ignored
                }
            }
        }
        if (version == null || mode == null || maxAge == null) {
            throw new IllegalArgumentException("MTA-STS policy lacks " + (version == null ? "version" : mode == null ? "mode" : "max_age"));
        }
        if (mode != Mode.NONE && mx.isEmpty()) {
            throw new IllegalArgumentException("MTA-STS policy in mode " + mode + " has no mx");
        }
        return new StsPolicy(mode, maxAge, mx, lines);
    }

    private static String mxPattern(String value) {
        String v = value.toLowerCase(Locale.ROOT);
        String domain = v.startsWith("*.") ? v.substring(2) : v;
        if (domain.endsWith(".")) {
            domain = domain.substring(0, domain.length() - 1);
        }
        if (domain.isEmpty() || domain.length() > 253) {
            throw new IllegalArgumentException("Bad mx in MTA-STS policy: " + StsRecord.shorten(value));
        }
        for (String label : domain.split("\\.", -1)) {
            if (!LABEL.matcher(label).matches()) {
                throw new IllegalArgumentException("Bad mx in MTA-STS policy: " + StsRecord.shorten(value));
            }
        }
        return (v.startsWith("*.") ? "*." : "") + domain;
    }

    /**
     * Whether {@code host} (an MX target) is allowed: equal to a pattern, or one label more than a {@code *.}
     * pattern's domain (RFC 8461 §4.1: {@code *.example.com} matches {@code mx1.example.com}, not
     * {@code a.mx1.example.com} nor {@code example.com}). Case and a trailing dot do not matter.
     */
    public boolean allows(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        h = h.endsWith(".") ? h.substring(0, h.length() - 1) : h;
        for (String p : mx) {
            if (p.startsWith("*.")) {
                String suffix = p.substring(1);
                if (h.endsWith(suffix) && h.length() > suffix.length() && h.lastIndexOf('.', h.length() - suffix.length() - 1) < 0) {
                    return true;
                }
            } else if (p.equals(h)) {
                return true;
            }
        }
        return false;
    }
}

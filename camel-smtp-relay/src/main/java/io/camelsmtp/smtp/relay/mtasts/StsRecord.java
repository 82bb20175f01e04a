package io.camelsmtp.smtp.relay.mtasts;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The {@code _mta-sts.<domain>} TXT record (RFC 8461 §3.1): {@code v=STSv1; id=20160831085700Z;}. Parsed strictly;
 * anything that does not fit fails closed to "no policy", as the RFC says for several STSv1 records.
 *
 * @param id the policy instance id: 1 to 32 letters and digits
 */
public record StsRecord(String id) {

    private static final Pattern ID = Pattern.compile("[A-Za-z0-9]{1,32}");
    private static final Pattern EXT_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,31}");
    private static final Pattern EXT_VALUE = Pattern.compile("[\\x21-\\x3A\\x3C\\x3E-\\x7E]+");

    /** What the TXT records of {@code _mta-sts.<domain>} say. */
    public sealed interface Lookup permits Found, Absent, Invalid {
    }

    /** One valid STSv1 record. */
    public record Found(StsRecord record) implements Lookup {
    }

    /** No record starts with {@code v=STSv1}: the domain publishes no policy. */
    public record Absent() implements Lookup {
    }

    /** Several STSv1 records, or one that does not parse: treated as no policy, reported as invalid. */
    public record Invalid(String why) implements Lookup {
    }

    /**
     * Reads the TXT records of {@code _mta-sts.<domain>} (each record's strings joined): records that do not start
     * with {@code v=STSv1} are ignored; exactly one may, and it must parse.
     */
    public static Lookup select(List<String> txtRecords) {
        List<String> sts = new ArrayList<>();
        for (String r : txtRecords) {
            if (r.startsWith("v=STSv1") && (r.length() == 7 || r.charAt(7) == ';' || r.charAt(7) == ' ' || r.charAt(7) == '\t')) {
                sts.add(r);
            }
        }
        if (sts.isEmpty()) {
            return new Absent();
        }
        if (sts.size() > 1) {
            return new Invalid(sts.size() + " TXT records start with v=STSv1 (RFC 8461 §3.1: no policy)");
        }
        try {
            return new Found(parse(sts.get(0)));
        } catch (IllegalArgumentException e) {
            return new Invalid(e.getMessage());
        }
    }

    /**
     * Parses one record: {@code v=STSv1}, then {@code ;}-separated fields (spaces and tabs around the separators),
     * exactly one {@code id}, extensions {@code name=value} ignored, a trailing {@code ;} allowed.
     *
     * @throws IllegalArgumentException saying what is wrong
     */
    public static StsRecord parse(String text) {
        if (text.length() > 2048) {
            throw new IllegalArgumentException("MTA-STS TXT record longer than 2048 characters");
        }
        String[] fields = text.split(";", -1);
        if (!stripWsp(fields[0]).equals("v=STSv1") || !fields[0].startsWith("v=STSv1")) {
            throw new IllegalArgumentException("MTA-STS TXT record does not start with v=STSv1: " + shorten(text));
        }
        String id = null;
        Set<String> seen = new HashSet<>();
        for (int i = 1; i < fields.length; i++) {
            String f = stripWsp(fields[i]);
            if (f.isEmpty()) {
                if (i == fields.length - 1 && i > 1) {
                    break; // the optional trailing separator
                }
                throw new IllegalArgumentException("Empty field in MTA-STS TXT record: " + shorten(text));
            }
            int eq = f.indexOf('=');
            String name = eq < 0 ? f : f.substring(0, eq);
            String value = eq < 0 ? "" : f.substring(eq + 1);
            if (!seen.add(name)) {
                throw new IllegalArgumentException("Field " + shorten(name) + " twice in MTA-STS TXT record");
            }
            if (name.equals("id")) {
                if (!ID.matcher(value).matches()) {
                    throw new IllegalArgumentException("Bad id in MTA-STS TXT record (1-32 letters and digits): " + shorten(value));
                }
                id = value;
            } else if (!EXT_NAME.matcher(name).matches() || !EXT_VALUE.matcher(value).matches()) {
                throw new IllegalArgumentException("Bad field in MTA-STS TXT record: " + shorten(f));
            }
        }
        if (id == null) {
            throw new IllegalArgumentException("MTA-STS TXT record without id: " + shorten(text));
        }
        return new StsRecord(id);
    }

    /** Without leading and trailing spaces and tabs (WSP), nothing else. */
    static String stripWsp(String s) {
        int b = 0;
        int e = s.length();
        while (b < e && (s.charAt(b) == ' ' || s.charAt(b) == '\t')) {
            b++;
        }
        while (e > b && (s.charAt(e - 1) == ' ' || s.charAt(e - 1) == '\t')) {
            e--;
        }
        return s.substring(b, e);
    }

    static String shorten(String s) {
        String clean = s.replaceAll("[^\\x20-\\x7E]", "?");
        return clean.length() > 80 ? clean.substring(0, 80) + "..." : clean;
    }
}

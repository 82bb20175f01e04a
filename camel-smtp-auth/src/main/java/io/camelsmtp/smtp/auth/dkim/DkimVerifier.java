package io.camelsmtp.smtp.auth.dkim;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.DigestOutputStream;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

import io.camelsmtp.smtp.auth.dkim.DkimResult.Status;

/**
 * Verifies the DKIM-Signature fields of a message (RFC 6376 §6; Ed25519 per RFC 8463). Bounded: at most
 * {@link #MAX_SIGNATURES} signatures are evaluated (the top-most; the others are counted, not checked), the body is
 * read once whatever their number, each key record is fetched once per message. Every signature gets a result;
 * nothing a message or a key record holds makes this throw (an I/O error of the body stream does).
 * <p>
 * Results: body or header changed, expired (x=), revoked key (empty p=), RSA key under 1024 bits: {@code fail}; a
 * signature that cannot be parsed or checked (unknown or rsa-sha1 algorithm, h= without From, i= outside d=,
 * malformed or absent key record): {@code permerror}; SERVFAIL or time-out fetching the key: {@code temperror}; a
 * valid signature whose l= leaves part of the body unsigned: {@code policy} (RFC 6376 §8.2: appended content would
 * otherwise be shown as signed).
 */
public final class DkimVerifier {

    public static final int MAX_SIGNATURES = 10;
    /** Key records tried per name when a name has several (RFC 6376 §6.1.2 leaves the choice to the verifier). */
    public static final int MAX_KEY_RECORDS = 3;

    /** The results, top-most signature first, and how many signatures were beyond {@link #MAX_SIGNATURES}. */
    public record Outcome(List<DkimResult> results, int notEvaluated) {
    }

    private static final Pattern TRAILING_LINE_END = Pattern.compile("\r?\n$");
    private static final Pattern SIGNING_DOMAIN = Pattern.compile("[a-z0-9_-]+(\\.[a-z0-9_-]+)+");
    private static final Pattern SELECTOR = Pattern.compile("[A-Za-z0-9_-]+(\\.[A-Za-z0-9_-]+)*");
    /** Parsed key records by their text: parsing one (an RSA key factory included) costs more than checking it. */
    private static final int PARSED_KEYS = 256;

    private final KeyRecordSource keys;
    private final Map<String, KeyRecord> parsedKeys = new ConcurrentHashMap<>();
    private final Clock clock;

    public DkimVerifier(KeyRecordSource keys, Clock clock) {
        this.keys = keys;
        this.clock = clock;
    }

    /** @param body the message after its header section; read to its end */
    public Outcome verify(HeaderSection section, InputStream body) throws IOException {
        List<HeaderSection.Field> fields = section.all("DKIM-Signature");
        int evaluated = Math.min(fields.size(), MAX_SIGNATURES);
        List<Object> parsed = new ArrayList<>(evaluated); // Parsed or DkimResult
        Map<String, BodyHash> hashes = new LinkedHashMap<>();
        for (int i = 0; i < evaluated; i++) {
            HeaderSection.Field f = fields.get(i);
            try {
                Parsed p = Parsed.of(f, clock.millis() / 1000);
                hashes.computeIfAbsent(p.bodyCanon + "/" + p.length, k -> new BodyHash(p.bodyCanon, p.length));
                parsed.add(p);
            } catch (Verdict v) {
                parsed.add(v.result(null));
            }
        }
        if (!hashes.isEmpty()) {
            hashAll(body, hashes.values());
        }
        Map<String, Object> keyCache = new HashMap<>();
        List<DkimResult> results = new ArrayList<>(evaluated);
        for (Object o : parsed) {
            if (o instanceof DkimResult r) {
                results.add(r);
                continue;
            }
            Parsed p = (Parsed) o;
            try {
                results.add(check(p, section, hashes.get(p.bodyCanon + "/" + p.length), keyCache));
            } catch (Verdict v) {
                results.add(v.result(p));
            }
        }
        return new Outcome(results, fields.size() - evaluated);
    }

    private DkimResult check(Parsed p, HeaderSection section, BodyHash bh, Map<String, Object> keyCache) throws Verdict {
        if (p.length >= 0 && p.length > bh.total) {
            throw new Verdict(Status.FAIL, "l=" + p.length + " is longer than the body (" + bh.total + " octets)");
        }
        if (!MessageDigest.isEqual(bh.digest, p.bodyHash)) {
            throw new Verdict(Status.FAIL, "body hash did not verify");
        }
        KeyRecord key = key(p, keyCache);
        if (key.revoked()) {
            throw new Verdict(Status.FAIL, "key revoked (empty p=)");
        }
        int bits = DkimKeys.rsaBits(key.key());
        if (p.algorithm == DkimAlgorithm.RSA_SHA256 && bits < DkimKeys.MIN_VERIFYING_RSA_BITS) {
            throw new Verdict(Status.FAIL, "RSA key of " + bits + " bits, under " + DkimKeys.MIN_VERIFYING_RSA_BITS);
        }
        if (bits > DkimKeys.MAX_RSA_BITS) {
            throw new Verdict(Status.PERMERROR, "RSA key of " + bits + " bits, over " + DkimKeys.MAX_RSA_BITS);
        }
        if (key.strictIdentity() && p.identity != null && !domainOf(p.identity).equals(p.domain)) {
            throw new Verdict(Status.PERMERROR, "key record requires i= in d= itself (t=s)");
        }
        byte[] data = DkimSigner.HeaderData.of(section, p.headers, p.headerCanon, p.field.name(),
                TagList.withoutSignature(TRAILING_LINE_END.matcher(p.field.value()).replaceAll("")));
        boolean ok;
        try {
            ok = p.algorithm.verify(key.key(), data, p.signature);
        } catch (GeneralSecurityException | RuntimeException e) {
            ok = false;
        }
        if (!ok) {
            throw new Verdict(Status.FAIL, "signature did not verify");
        }
        if (p.length >= 0 && bh.total > p.length) {
            throw new Verdict(Status.POLICY, (bh.total - p.length) + " octets of the body after l=" + p.length + " are not signed");
        }
        return p.result(Status.PASS, key.testing() ? "key in testing mode (t=y)" : null);
    }

    private KeyRecord key(Parsed p, Map<String, Object> cache) throws Verdict {
        String name = p.selector + "._domainkey." + p.domain;
        Object cached = cache.get(name + "/" + p.algorithm);
        if (cached == null) {
            cached = fetch(name, p.algorithm);
            cache.put(name + "/" + p.algorithm, cached);
        }
        if (cached instanceof Verdict v) {
            throw v;
        }
        return (KeyRecord) cached;
    }

    private Object fetch(String name, DkimAlgorithm algorithm) {
        List<String> records;
        try {
            records = keys.txt(name);
        } catch (KeyRecordSource.TemporaryFailure e) {
            return new Verdict(Status.TEMPERROR, "key record lookup failed: " + e.getMessage());
        } catch (RuntimeException e) {
            return new Verdict(Status.TEMPERROR, "key record lookup failed: " + e);
        }
        if (records == null || records.isEmpty()) {
            return new Verdict(Status.PERMERROR, "no key record at " + name);
        }
        String first = null;
        for (String r : records.subList(0, Math.min(records.size(), MAX_KEY_RECORDS))) {
            try {
                return parsed(r, algorithm);
            } catch (DkimException e) {
                first = first == null ? e.getMessage() : first;
            }
        }
        return new Verdict(Status.PERMERROR, "bad key record at " + name + ": " + first);
    }

    /** A key record parsed before (the same text and algorithm), or parsed now; only good records are kept. */
    private KeyRecord parsed(String record, DkimAlgorithm algorithm) throws DkimException {
        String cacheKey = algorithm + "/" + record;
        KeyRecord k = parsedKeys.get(cacheKey);
        if (k == null) {
            k = KeyRecord.parse(record, algorithm);
            if (parsedKeys.size() >= PARSED_KEYS) {
                parsedKeys.clear(); // bounded; a hostile sender's keys only make us parse again
            }
            parsedKeys.put(cacheKey, k);
        }
        return k;
    }

    private static void hashAll(InputStream body, Iterable<BodyHash> hashes) throws IOException {
        List<OutputStream> outs = new ArrayList<>();
        for (BodyHash h : hashes) {
            outs.add(h.open());
        }
        byte[] buf = new byte[16 * 1024];
        int n;
        while ((n = body.read(buf)) > 0) {
            for (OutputStream o : outs) {
                o.write(buf, 0, n);
            }
        }
        for (OutputStream o : outs) {
            o.close();
        }
        for (BodyHash h : hashes) {
            h.finish();
        }
    }

    static String domainOf(String identity) {
        return identity.substring(identity.lastIndexOf('@') + 1).toLowerCase(Locale.ROOT);
    }

    /** One body hash: a canonicalization and a length limit (-1 for none); counts all canonical octets. */
    private static final class BodyHash {
        private final Canonicalization canon;
        private final long limit;
        private final MessageDigest md = DkimSigner.sha256();
        private long total;
        private byte[] digest;

        BodyHash(Canonicalization canon, long limit) {
            this.canon = canon;
            this.limit = limit;
        }

        OutputStream open() {
            OutputStream digesting = new DigestOutputStream(OutputStream.nullOutputStream(), md);
            return canon.body(new OutputStream() {
                @Override
                public void write(int b) throws IOException {
                    write(new byte[] { (byte) b }, 0, 1);
                }

                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    long room = limit < 0 ? len : Math.max(0, Math.min(len, limit - total));
                    if (room > 0) {
                        digesting.write(b, off, (int) room);
                    }
                    total += len;
                }
            });
        }

        void finish() {
            digest = md.digest();
        }
    }

    /** A signature's tags, checked (RFC 6376 §6.1.1). */
    private static final class Parsed {
        HeaderSection.Field field;
        String domain;
        String selector;
        String identity;
        DkimAlgorithm algorithm;
        String algorithmTag;
        Canonicalization headerCanon;
        Canonicalization bodyCanon;
        List<String> headers;
        long length = -1;
        byte[] bodyHash;
        byte[] signature;
        String b;

        static Parsed of(HeaderSection.Field field, long now) throws Verdict {
            Parsed p = new Parsed();
            p.field = field;
            TagList tags;
            try {
                tags = TagList.parse(TRAILING_LINE_END.matcher(field.value()).replaceAll(""));
            } catch (DkimException e) {
                throw new Verdict(Status.PERMERROR, "malformed DKIM-Signature: " + e.getMessage());
            }
            p.domain = lower(tags.compact("d"));
            p.selector = tags.compact("s");
            p.algorithmTag = tags.compact("a");
            p.identity = tags.compact("i");
            p.b = tags.compact("b");
            for (String required : new String[] { "v", "a", "b", "bh", "d", "h", "s" }) {
                if (tags.get(required) == null) {
                    throw new Verdict(Status.PERMERROR, "DKIM-Signature has no " + required + "=").with(p);
                }
            }
            if (!"1".equals(tags.compact("v"))) {
                throw new Verdict(Status.PERMERROR, "unsupported version v=" + tags.compact("v")).with(p);
            }
            p.algorithm = DkimAlgorithm.ofTag(p.algorithmTag);
            if (p.algorithm == null) {
                throw new Verdict(Status.PERMERROR, "algorithm " + p.algorithmTag + " not accepted"
                        + ("rsa-sha1".equalsIgnoreCase(p.algorithmTag) ? " (RFC 8301)" : "")).with(p);
            }
            if (!SIGNING_DOMAIN.matcher(p.domain).matches() || !SELECTOR.matcher(p.selector).matches()) {
                throw new Verdict(Status.PERMERROR, "bad d= or s=").with(p);
            }
            try {
                Canonicalization[] c = Canonicalization.parse(tags.compact("c"));
                p.headerCanon = c[0];
                p.bodyCanon = c[1];
            } catch (DkimException e) {
                throw new Verdict(Status.PERMERROR, e.getMessage()).with(p);
            }
            p.headers = Arrays.asList(tags.compact("h").split(":", -1));
            if (p.headers.stream().noneMatch(n -> n.equalsIgnoreCase("From"))) {
                throw new Verdict(Status.PERMERROR, "h= does not include From").with(p);
            }
            if (p.headers.size() > 200) {
                throw new Verdict(Status.PERMERROR, "h= lists more than 200 fields").with(p);
            }
            if (p.identity != null) {
                String id = domainOf(p.identity);
                if (p.identity.indexOf('@') < 0 || !(id.equals(p.domain) || id.endsWith("." + p.domain))) {
                    throw new Verdict(Status.PERMERROR, "i= is not in d=").with(p);
                }
            }
            String q = tags.compact("q");
            if (q != null && !Arrays.asList(q.split(":")).contains("dns/txt")) {
                throw new Verdict(Status.PERMERROR, "q=" + q + " has no dns/txt").with(p);
            }
            String l = tags.compact("l");
            if (l != null) {
                if (!l.matches("[0-9]{1,76}")) {
                    throw new Verdict(Status.PERMERROR, "bad l=").with(p);
                }
                p.length = l.length() > 18 ? Long.MAX_VALUE : Long.parseLong(l);
            }
            long t = number(tags.compact("t"), "t", p);
            long x = number(tags.compact("x"), "x", p);
            if (x >= 0 && t >= 0 && x < t) {
                throw new Verdict(Status.PERMERROR, "x= is before t=").with(p);
            }
            if (x >= 0 && x < now) {
                throw new Verdict(Status.FAIL, "signature expired (x=" + x + ")").with(p);
            }
            try {
                p.bodyHash = Base64.getDecoder().decode(tags.compact("bh"));
                p.signature = Base64.getDecoder().decode(p.b);
            } catch (IllegalArgumentException e) {
                throw new Verdict(Status.PERMERROR, "bh= or b= is not base64").with(p);
            }
            return p;
        }

        private static long number(String v, String tag, Parsed p) throws Verdict {
            if (v == null) {
                return -1;
            }
            if (!v.matches("[0-9]{1,12}")) {
                throw new Verdict(Status.PERMERROR, "bad " + tag + "=").with(p);
            }
            return Long.parseLong(v);
        }

        private static String lower(String s) {
            return s == null ? null : s.toLowerCase(Locale.ROOT);
        }

        DkimResult result(Status status, String reason) {
            return new DkimResult(domain, selector, algorithmTag, identity, status, reason,
                    b == null ? null : b.substring(0, Math.min(12, b.length())));
        }
    }

    /** A signature's verdict, thrown from where it is known. */
    private static final class Verdict extends Exception {
        private static final long serialVersionUID = 1L;
        private final Status status;
        private transient Parsed parsed;

        Verdict(Status status, String reason) {
            super(reason, null, false, false);
            this.status = status;
        }

        Verdict with(Parsed p) {
            this.parsed = p;
            return this;
        }

        DkimResult result(Parsed p) {
            Parsed q = p != null ? p : parsed;
            return q != null ? q.result(status, getMessage()) : new DkimResult(null, null, null, null, status, getMessage(), null);
        }
    }
}

package io.camelsmtp.smtp.auth.dkim;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.DigestOutputStream;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Makes DKIM-Signature fields (RFC 6376 §5) for a message: the body is hashed once as it streams past, whatever the
 * number of signatures; each key then signs the selected header fields. Nothing of the message is changed: the
 * caller puts the returned fields in front of it.
 */
public final class DkimSigner {

    /**
     * RFC 6376 §5.4.1's list of fields to sign, with the MIME fields and Message-ID that signers commonly add. Each
     * is signed as many times as it is present (absent ones are left out), except the {@link #OVER_SIGNED} ones.
     */
    public static final List<String> DEFAULT_HEADERS = List.of("From", "Reply-To", "Subject", "Date", "To", "Cc",
            "Resent-Date", "Resent-From", "Resent-To", "Resent-Cc", "In-Reply-To", "References", "List-Id", "List-Help",
            "List-Unsubscribe", "List-Unsubscribe-Post", "List-Subscribe", "List-Post", "List-Owner", "List-Archive",
            "Message-ID", "MIME-Version", "Content-Type", "Content-Transfer-Encoding", "Sender");

    /**
     * Listed in h= once more than they are present, so that a field of these names added on the way (a second
     * From, a Subject where there was none) breaks the signature instead of being shown beside a valid one.
     */
    public static final Set<String> OVER_SIGNED = Set.of("from", "to", "subject", "date");

    private final Canonicalization headerCanon;
    private final Canonicalization bodyCanon;
    private final List<String> headers;
    private final Duration expiration;
    private final Clock clock;

    /**
     * @param headers    the fields to sign (null for {@link #DEFAULT_HEADERS}); From is always signed
     * @param expiration how long signatures are valid (x=); null or zero for no x=
     */
    public DkimSigner(Canonicalization headerCanon, Canonicalization bodyCanon, List<String> headers, Duration expiration,
            Clock clock) {
        this.headerCanon = headerCanon;
        this.bodyCanon = bodyCanon;
        List<String> h = new ArrayList<>(headers == null || headers.isEmpty() ? DEFAULT_HEADERS : headers);
        if (h.stream().noneMatch(n -> n.equalsIgnoreCase("From"))) {
            h.add(0, "From");
        }
        for (String n : h) {
            if (!n.matches("[!-9;-~]+") || n.equalsIgnoreCase("DKIM-Signature")) {
                throw new IllegalArgumentException("'" + n + "' cannot be a signed header field");
            }
        }
        this.headers = List.copyOf(h);
        this.expiration = expiration == null || expiration.isZero() || expiration.isNegative() ? null : expiration;
        this.clock = clock;
    }

    /**
     * The DKIM-Signature fields, one per key, each ending with CRLF, to be put in front of the message.
     *
     * @param body the rest of the message after the header section; read to its end
     */
    public String sign(List<SigningKey> keys, HeaderSection section, InputStream body) throws IOException, DkimException {
        if (section.all("From").size() != 1) {
            throw new DkimException("a message to sign needs exactly one From field, it has " + section.all("From").size());
        }
        String bh = Base64.getEncoder().encodeToString(bodyHash(body));
        List<String> h = signedNames(section);
        long now = clock.millis() / 1000;
        StringBuilder fields = new StringBuilder();
        for (SigningKey key : keys) {
            StringBuilder v = new StringBuilder();
            v.append(" v=1; a=").append(key.algorithm().tag()).append("; c=").append(headerCanon.tag()).append('/')
                    .append(bodyCanon.tag()).append("; d=").append(key.domain()).append("; s=").append(key.selector())
                    .append(";\r\n\tt=").append(now);
            if (expiration != null) {
                v.append("; x=").append(now + expiration.toSeconds());
            }
            v.append(";\r\n\th=");
            int lineLength = 3;
            for (int i = 0; i < h.size(); i++) {
                String name = (i > 0 ? ":" : "") + h.get(i);
                if (lineLength + name.length() > 72) {
                    v.append("\r\n\t ");
                    lineLength = 2;
                }
                v.append(name);
                lineLength += name.length();
            }
            v.append(";\r\n\tbh=").append(bh).append(";\r\n\tb=");
            byte[] data = headerData(section, h, v.toString());
            byte[] signature;
            try {
                signature = key.algorithm().sign(key.privateKey(), data);
            } catch (GeneralSecurityException e) {
                throw new DkimException("signing with " + key + " failed: " + e.getMessage(), e);
            }
            fields.append("DKIM-Signature:").append(v).append(fold(Base64.getEncoder().encodeToString(signature)))
                    .append("\r\n");
        }
        return fields.toString();
    }

    /** The h= list: each configured name as often as it is present, the over-signed ones once more. */
    List<String> signedNames(HeaderSection section) {
        List<String> h = new ArrayList<>();
        for (String name : headers) {
            int present = section.all(name).size();
            int times = present + (OVER_SIGNED.contains(name.toLowerCase(Locale.ROOT)) ? 1 : 0);
            for (int i = 0; i < times; i++) {
                h.add(name);
            }
        }
        return h;
    }

    private byte[] bodyHash(InputStream body) throws IOException {
        MessageDigest digest = sha256();
        try (OutputStream canon = bodyCanon.body(new DigestOutputStream(OutputStream.nullOutputStream(), digest))) {
            body.transferTo(canon);
        }
        return digest.digest();
    }

    /** RFC 6376 §5.4.2: fields named in h= from the bottom up, then this signature's field with an empty b=. */
    private byte[] headerData(HeaderSection section, List<String> h, String signatureValue) {
        return HeaderData.of(section, h, headerCanon, "DKIM-Signature", signatureValue);
    }

    private static String fold(String b64) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < b64.length(); i += 70) {
            if (i > 0) {
                sb.append("\r\n\t ");
            }
            sb.append(b64, i, Math.min(b64.length(), i + 70));
        }
        return sb.toString();
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Builds the header data both the signer and the verifier hash. */
    static final class HeaderData {

        private HeaderData() {
        }

        static byte[] of(HeaderSection section, List<String> h, Canonicalization canon, String sigName, String sigValue) {
            Map<String, List<HeaderSection.Field>> byName = new HashMap<>();
            Map<String, Integer> used = new HashMap<>();
            StringBuilder sb = new StringBuilder();
            for (String name : h) {
                String key = name.strip().toLowerCase(Locale.ROOT);
                List<HeaderSection.Field> instances = byName.computeIfAbsent(key, section::all);
                int n = used.merge(key, 1, Integer::sum);
                if (n <= instances.size()) {
                    sb.append(canon.header(instances.get(instances.size() - n)));
                } // a name listed more often than present stands for nothing (RFC 6376 §5.4.2)
            }
            sb.append(canon.header(sigName, sigValue));
            return sb.toString().getBytes(StandardCharsets.ISO_8859_1);
        }
    }
}

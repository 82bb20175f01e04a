package io.camelsmtp.smtp.relay.dane;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.HexFormat;
import java.util.List;

import io.camelsmtp.smtp.relay.dane.support.DaneCertificates;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static io.camelsmtp.smtp.relay.dane.support.DaneCertificates.association;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** TLSA matching (RFC 7672 §3, RFC 7671 §5) on certificates made by keytool at test time. */
class DaneTrustManagerTest {

    static final List<String> MX = List.of(DaneCertificates.MX);

    @TempDir
    static Path dir;
    static DaneCertificates certs;
    static X509Certificate[] good;
    static X509Certificate[] expired;
    static X509Certificate[] wrongName;
    static X509Certificate[] other;

    @BeforeAll
    static void make() throws Exception {
        certs = DaneCertificates.make(Files.createDirectories(dir.resolve("certs")));
        good = certs.chain("good");
        expired = certs.chain("expired");
        wrongName = certs.chain("wrongname");
        other = certs.chain("other");
    }

    static Tlsa record(int usage, int selector, int matching, X509Certificate cert) throws Exception {
        return new Tlsa(usage, selector, matching, association(selector, matching, cert));
    }

    static DaneTrustManager manager(Tlsa... records) {
        return new DaneTrustManager(List.of(records), MX, Clock.systemUTC());
    }

    static DaneResultType refusal(DaneTrustManager m, X509Certificate[] chain) {
        DaneCertificateException e = assertThrows(DaneCertificateException.class, () -> m.verify(chain));
        assertEquals(e.resultType(), m.outcome().failure());
        assertTrue(e.getMessage().contains(e.resultType().rfc8460Name()), e.getMessage());
        return e.resultType();
    }

    @Test
    void everyUsableCombinationMatchesItsCertificate() throws Exception {
        for (int selector = 0; selector <= 1; selector++) {
            for (int matching = 0; matching <= 2; matching++) {
                DaneTrustManager ee = manager(record(3, selector, matching, good[0]));
                ee.verify(good);
                assertTrue(ee.outcome().verified());
                assertEquals(3, ee.outcome().matched().usage());
                DaneTrustManager ta = manager(record(2, selector, matching, good[1]));
                ta.verify(good);
                assertEquals(2, ta.outcome().matched().usage(), "2 " + selector + " " + matching);
                assertEquals(DaneResultType.TLSA_INVALID, refusal(manager(record(3, selector, matching, good[0])), other),
                        "3 " + selector + " " + matching + " against another certificate");
            }
        }
    }

    @Test
    void aWrongHashMatchesNothing() throws Exception {
        byte[] hash = association(1, 1, good[0]);
        hash[31] ^= 1;
        assertEquals(DaneResultType.TLSA_INVALID, refusal(manager(new Tlsa(3, 1, 1, hash)), good));
        byte[] truncated = new byte[31];
        System.arraycopy(association(1, 1, good[0]), 0, truncated, 0, 31);
        assertFalse(new Tlsa(3, 1, 1, truncated).usable(), "a SHA-256 digest of 31 octets");
        assertFalse(new Tlsa(3, 1, 2, association(1, 1, good[0])).usable(), "a SHA-256 digest as SHA-512");
    }

    @Test
    void unknownAndPkixParametersAreUnusableNotErrors() throws Exception {
        byte[] hash = association(1, 1, good[0]);
        for (Tlsa t : List.of(new Tlsa(0, 1, 1, hash), new Tlsa(1, 1, 1, hash), new Tlsa(4, 1, 1, hash),
                new Tlsa(255, 1, 1, hash), new Tlsa(3, 2, 1, hash), new Tlsa(3, 1, 3, hash), new Tlsa(3, 0, 0, new byte[0]))) {
            assertFalse(t.usable(), t.toString());
            assertFalse(t.matches(good[0]), t.toString());
        }
        // PKIX-EE(1) with the right digest is still ignored: nothing usable, nothing matches
        assertEquals(DaneResultType.TLSA_INVALID, refusal(manager(new Tlsa(1, 1, 1, hash), new Tlsa(0, 0, 1,
                association(0, 1, good[1]))), good));
        // next to a usable record, they change nothing
        manager(new Tlsa(4, 1, 1, hash), record(3, 1, 1, good[0])).verify(good);
    }

    @Test
    void daneEeChecksNeitherNamesNorDates() throws Exception {
        manager(record(3, 1, 1, expired[0])).verify(expired);
        manager(record(3, 0, 1, wrongName[0])).verify(wrongName);
    }

    @Test
    void daneTaChecksDatesAndNames() throws Exception {
        Tlsa ca = record(2, 0, 1, good[1]);
        assertEquals(DaneResultType.CERTIFICATE_EXPIRED, refusal(manager(ca), expired));
        assertEquals(DaneResultType.CERTIFICATE_HOST_MISMATCH, refusal(manager(ca), wrongName));
        // the destination domain counts only when the caller lists it (a secure MX RRset)
        DaneTrustManager byDomain = new DaneTrustManager(List.of(ca), List.of("signed.dnssec.test"), Clock.systemUTC());
        assertEquals(DaneResultType.CERTIFICATE_HOST_MISMATCH, refusal(byDomain, good));
    }

    @Test
    void daneTaDoesNotAcceptTheLeafAsItsOwnAnchor() throws Exception {
        // a self-signed server certificate published as 2 x x: not an anchor above the leaf, so no match
        assertEquals(DaneResultType.TLSA_INVALID, refusal(manager(record(2, 1, 1, other[0])), other));
    }

    @Test
    void aFullDaneTaRecordIsTheAnchorWhenTheServerLeavesItOut() throws Exception {
        X509Certificate[] leafOnly = { good[0] };
        manager(record(2, 0, 0, good[1])).verify(leafOnly);
        manager(record(2, 1, 0, good[1])).verify(leafOnly);
        assertEquals(DaneResultType.VALIDATION_FAILURE, refusal(manager(record(2, 1, 0, other[0])), leafOnly),
                "another key as anchor: the signature does not verify");
        assertEquals(DaneResultType.CERTIFICATE_EXPIRED, refusal(manager(record(2, 0, 0, good[1])),
                new X509Certificate[] { expired[0] }));
    }

    @Test
    void noCertificateOrTooLongAChainIsRefused() throws Exception {
        Tlsa ee = record(3, 1, 1, good[0]);
        assertEquals(DaneResultType.VALIDATION_FAILURE, refusal(manager(ee), new X509Certificate[0]));
        X509Certificate[] longChain = new X509Certificate[DaneTrustManager.MAX_CHAIN + 1];
        java.util.Arrays.fill(longChain, good[0]);
        assertEquals(DaneResultType.VALIDATION_FAILURE, refusal(manager(ee), longChain));
        assertNull(new DaneTrustManager(List.of(), MX, Clock.systemUTC()).outcome());
    }

    @Test
    void referenceIdentifiersMatchWholeLeftmostWildcardsOnly() {
        assertTrue(ReferenceIdentifiers.matches("MX.Example.COM.", "mx.example.com"));
        assertTrue(ReferenceIdentifiers.matches("*.example.com", "mx.example.com"));
        assertFalse(ReferenceIdentifiers.matches("*.example.com", "a.mx.example.com"));
        assertFalse(ReferenceIdentifiers.matches("*.example.com", "example.com"));
        assertFalse(ReferenceIdentifiers.matches("m*.example.com", "mx.example.com"));
        assertFalse(ReferenceIdentifiers.matches("*.com", "example.com"), "a wildcard over a bare suffix");
        assertFalse(ReferenceIdentifiers.matches("mx.*.com", "mx.example.com"));
        assertTrue(ReferenceIdentifiers.matches("xn--bcher-kva.example", "bücher.example"));
    }

    @Test
    void wireRdataParsesIntoRecords() {
        assertNull(Tlsa.parse(new byte[2]));
        Tlsa t = Tlsa.parse(HexFormat.of().parseHex("030101" + "00".repeat(32)));
        assertEquals(new Tlsa(3, 1, 1, new byte[32]), t);
        assertTrue(t.usable());
    }
}

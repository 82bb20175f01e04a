package io.camelsmtp.smtp.relay.dane;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import io.camelsmtp.smtp.relay.dane.support.AdForger;
import io.camelsmtp.smtp.relay.dane.support.DaneCertificates;
import io.camelsmtp.smtp.relay.dane.support.DnssecTestbed;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.Name;
import org.xbill.DNS.Type;

import static io.camelsmtp.smtp.relay.dane.support.DaneCertificates.tlsa;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * DNSSEC classification and DANE policies against real signed zones (named) and a real validating resolver
 * (unbound), both started here (see {@link DnssecTestbed}); skipped, loudly, when bind9/unbound are not installed.
 */
class DaneDnssecTest {

    @TempDir
    static Path dir;
    static DnssecTestbed bed;
    static DaneCertificates certs;
    static ExecutorService executor;

    @BeforeAll
    static void start() throws Exception {
        DnssecTestbed.assumeBind();
        certs = DaneCertificates.make(java.nio.file.Files.createDirectories(dir.resolve("certs")));
        X509Certificate good = certs.chain("good")[0];
        X509Certificate other = certs.chain("other")[0];
        String ee = "TLSA " + tlsa(3, 1, 1, good);
        List<String> signed = new ArrayList<>(List.of("@ MX 10 mx", "mx A 127.0.0.1", "_25._tcp.mx " + ee,
                "_25._tcp.mx TLSA " + tlsa(2, 0, 1, certs.ca()),
                "alias CNAME target", "target A 127.0.0.1", "_25._tcp.target " + ee,
                "_25._tcp.alias TLSA " + tlsa(3, 1, 1, other),
                "unusable A 127.0.0.1", "_25._tcp.unusable TLSA " + tlsa(0, 0, 1, certs.ca()),
                "_25._tcp.unusable TLSA 4 1 1 " + "ab".repeat(32),
                "notlsa A 127.0.0.1", "v6only AAAA ::1", "_25._tcp.v6only " + ee,
                "insecurealias CNAME mx.plain.dnssec.test.", "toomany A 127.0.0.1"));
        for (int i = 0; i <= DaneLookup.MAX_TLSA; i++) {
            signed.add(String.format("_25._tcp.toomany TLSA 3 1 1 %064x", i));
        }
        List<String> plain = List.of("@ MX 10 mx", "mx A 127.0.0.1", "_25._tcp.mx " + ee);
        List<String> bogus = List.of("@ MX 10 mx", "mx A 127.0.0.1", "_25._tcp.mx " + ee, "tlsabad A 127.0.0.1",
                "_25._tcp.tlsabad " + ee);
        bed = DnssecTestbed.start(java.nio.file.Files.createDirectories(dir.resolve("zones")), signed, plain, bogus);
        executor = Executors.newCachedThreadPool();
    }

    @AfterAll
    static void stop() {
        if (bed != null) {
            bed.close();
        }
        if (executor != null) {
            executor.shutdownNow();
        }
    }

    private static DnssecResolver validating(InetSocketAddress server) throws Exception {
        return DnssecResolver.validating(List.of(server), TrustAnchors.load(bed.trustAnchorFile().toString()),
                Duration.ofSeconds(2), executor, Clock.systemUTC());
    }

    private static Security security(SecureDns dns, String name, int type) throws Exception {
        return dns.query(Name.fromString(name + "."), type).security();
    }

    @Test
    void validatingResolverFromTheDsTrustAnchorTellsSecureInsecureAndBogus() throws Exception {
        DnssecResolver dns = validating(bed.named());
        assertEquals(Security.SECURE, security(dns, "mx.signed.dnssec.test", Type.A));
        assertEquals(Security.SECURE, security(dns, "signed.dnssec.test", Type.MX));
        assertEquals(Security.SECURE, security(dns, "_25._tcp.mx.signed.dnssec.test", Type.TLSA));
        assertEquals(Security.SECURE, security(dns, "notlsa.signed.dnssec.test", Type.AAAA), "secure NODATA");
        assertEquals(Security.INSECURE, security(dns, "mx.plain.dnssec.test", Type.A));
        assertEquals(Security.INSECURE, security(dns, "_25._tcp.mx.plain.dnssec.test", Type.TLSA));
        assertEquals(Security.BOGUS, security(dns, "mx.bogus.dnssec.test", Type.A));
        assertEquals(Security.BOGUS, security(dns, "_25._tcp.tlsabad.bogus.dnssec.test", Type.TLSA));
    }

    @Test
    void adBitOfTheTrustedUnboundGivesTheSameClassification() throws Exception {
        bed.startUnboundOnce();
        DnssecResolver dns = DnssecResolver.trustingAd(List.of(bed.unbound()), Duration.ofSeconds(2), executor,
                Clock.systemUTC());
        assertEquals(Security.SECURE, security(dns, "mx.signed.dnssec.test", Type.A));
        assertEquals(Security.SECURE, security(dns, "_25._tcp.mx.signed.dnssec.test", Type.TLSA));
        assertEquals(Security.INSECURE, security(dns, "mx.plain.dnssec.test", Type.A));
        // unbound answers a bogus name with SERVFAIL: no answer to trust, the same outcome for DANE
        assertTrue(dns.query(Name.fromString("mx.bogus.dnssec.test."), Type.A).failed());
        assertTrue(dns.query(Name.fromString("_25._tcp.tlsabad.bogus.dnssec.test."), Type.TLSA).failed());
        assertPolicies(new DaneLookup(dns));
    }

    @Test
    void theAdBitOfAServerNotListedAsTrustedIsNeverBelieved() throws Exception {
        bed.startUnboundOnce();
        try (AdForger forger = new AdForger()) {
            // validating here over a server that sets AD on forged, unsigned answers: the validator finds no signatures
            DnssecResolver overForger = validating(forger.address());
            assertFalse(overForger.query(Name.fromString("mx.signed.dnssec.test."), Type.A).secure());
            assertFalse(overForger.query(Name.fromString("_25._tcp.mx.signed.dnssec.test."), Type.TLSA).secure());
            // AD mode: the forger is the relay's dnsServers, unbound the trusted resolver; only unbound is asked
            int before = forger.questions();
            DnssecResolver trusted = DaneSetup.resolver(null, null, bed.unbound().getHostString() + ":"
                    + bed.unbound().getPort(), forger.address().getHostString() + ":" + forger.address().getPort(),
                    Duration.ofSeconds(2), executor, Clock.systemUTC());
            assertEquals(DanePolicy.Kind.NONE, new DaneLookup(trusted).policy("mx.plain.dnssec.test", "plain.dnssec.test",
                    null).kind(), "the forger's AD would have made plain.dnssec.test secure");
            assertEquals(before, forger.questions(), "the untrusted server was asked");
        }
    }

    @Test
    void policiesFollowRfc7672() throws Exception {
        // dnsServers is a recursive resolver in real life (it follows CNAMEs across zones): unbound, its AD ignored
        bed.startUnboundOnce();
        assertPolicies(new DaneLookup(validating(bed.unbound())));
    }

    private static void assertPolicies(DaneLookup dane) throws Exception {
        DanePolicy mx = dane.policy("mx.signed.dnssec.test", "signed.dnssec.test", null);
        assertEquals(DanePolicy.Kind.AUTHENTICATE, mx.kind(), mx.reason());
        assertEquals(2, mx.records().size());
        assertEquals(List.of("mx.signed.dnssec.test", "signed.dnssec.test"), mx.referenceIdentifiers(),
                "the destination domain counts because the MX RRset is secure");
        mx.trustManager(Clock.systemUTC()).verify(certs.chain("good"));

        assertTrue(dane.mxSecure("signed.dnssec.test", "mx.signed.dnssec.test"));
        assertFalse(dane.mxSecure("signed.dnssec.test", "evil.example"), "a host the secure MX RRset does not name");
        assertFalse(dane.mxSecure("plain.dnssec.test", "mx.plain.dnssec.test"));
        DanePolicy insecureMx = dane.policy("mx.signed.dnssec.test", "signed.dnssec.test", false);
        assertEquals(List.of("mx.signed.dnssec.test"), insecureMx.referenceIdentifiers());

        DanePolicy alias = dane.policy("alias.signed.dnssec.test", "signed.dnssec.test", true);
        assertEquals(DanePolicy.Kind.AUTHENTICATE, alias.kind(), alias.reason());
        assertTrue(alias.reason().contains("_25._tcp.target.signed.dnssec.test"), "CNAME-expanded name first: " + alias);
        assertTrue(alias.referenceIdentifiers().contains("target.signed.dnssec.test"));
        alias.trustManager(Clock.systemUTC()).verify(certs.chain("good"));

        assertEquals(DanePolicy.Kind.ENCRYPT, dane.policy("unusable.signed.dnssec.test", "signed.dnssec.test", true).kind());
        assertEquals(DanePolicy.Kind.NONE, dane.policy("notlsa.signed.dnssec.test", "signed.dnssec.test", true).kind());
        assertEquals(DanePolicy.Kind.AUTHENTICATE, dane.policy("v6only.signed.dnssec.test", "signed.dnssec.test", true).kind());
        DanePolicy insecureAlias = dane.policy("insecurealias.signed.dnssec.test", "signed.dnssec.test", true);
        assertEquals(DanePolicy.Kind.NONE, insecureAlias.kind(), "addresses reached through an insecure CNAME: "
                + insecureAlias.reason());
        DanePolicy tooMany = dane.policy("toomany.signed.dnssec.test", "signed.dnssec.test", true);
        assertEquals(DaneResultType.TLSA_INVALID, tooMany.failure(), tooMany.reason());
        assertEquals(DanePolicy.Kind.NONE, dane.policy("mx.plain.dnssec.test", "plain.dnssec.test", null).kind());
        DanePolicy bogusA = dane.policy("mx.bogus.dnssec.test", "bogus.dnssec.test", null);
        assertEquals(DanePolicy.Kind.REFUSE, bogusA.kind(), bogusA.reason());
        assertEquals(DaneResultType.DNSSEC_INVALID, bogusA.failure());
        assertTrue(bogusA.deferral("mx.bogus.dnssec.test").toString().contains("4.7.5"), bogusA.deferral("x").toString());
        DanePolicy bogusTlsa = dane.policy("tlsabad.bogus.dnssec.test", "bogus.dnssec.test", null);
        assertEquals(DanePolicy.Kind.REFUSE, bogusTlsa.kind(), bogusTlsa.reason());
        assertEquals(DaneResultType.DNSSEC_INVALID, bogusTlsa.failure());
    }

    @Test
    void aSecondDeliveryToTheSameHostAsksNothing() throws Exception {
        DnssecResolver dns = validating(bed.named());
        DaneLookup dane = new DaneLookup(dns);
        DanePolicy first = dane.policy("mx.signed.dnssec.test", "signed.dnssec.test", null);
        long asked = dns.queriesSent();
        assertTrue(asked > 0);
        DanePolicy second = dane.policy("mx.signed.dnssec.test", "signed.dnssec.test", null);
        assertEquals(asked, dns.queriesSent());
        assertEquals(first, second);
    }

    @Test
    void startUpChoosesOneModeOrNone() throws Exception {
        assertEquals(null, DaneSetup.resolver(null, null, null, null, Duration.ofSeconds(1), executor, Clock.systemUTC()));
        assertEquals(null, DaneSetup.resolver(false, bed.trustAnchorFile().toString(), null, null, Duration.ofSeconds(1),
                executor, Clock.systemUTC()));
        assertThrows(IllegalArgumentException.class, () -> DaneSetup.resolver(true, null, null, null,
                Duration.ofSeconds(1), executor, Clock.systemUTC()));
        assertThrows(IllegalArgumentException.class, () -> DaneSetup.resolver(null, bed.trustAnchorFile().toString(),
                "127.0.0.1:53", null, Duration.ofSeconds(1), executor, Clock.systemUTC()));
    }
}

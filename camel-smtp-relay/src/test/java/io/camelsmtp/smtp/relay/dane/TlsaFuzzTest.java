package io.camelsmtp.smtp.relay.dane;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fuzz test of TLSA parsing and matching (Jazzer): whatever rdata a zone publishes (hostile lengths, unknown
 * parameters, junk certificates for Full(0) anchors), parsing never throws, an unusable record never matches, and
 * the trust manager either accepts a chain because a usable record matched or refuses it with a
 * {@link DaneCertificateException}: never another exception, never an acceptance without a match. The chain is the
 * committed test-bed certificate (src/test/resources/testbed/tls.p12), so no keytool run is needed here. Regression
 * inputs in {@code src/test/resources/io/camelsmtp/smtp/relay/dane/TlsaFuzzTestInputs/}.
 */
class TlsaFuzzTest {

    private static final X509Certificate[] CHAIN = chain();

    private static X509Certificate[] chain() {
        try (InputStream in = TlsaFuzzTest.class.getResourceAsStream("/testbed/tls.p12")) {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(in, "changeit".toCharArray());
            String alias = ks.aliases().nextElement();
            List<X509Certificate> out = new ArrayList<>();
            for (java.security.cert.Certificate c : ks.getCertificateChain(alias)) {
                out.add((X509Certificate) c);
            }
            return out.toArray(X509Certificate[]::new);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @FuzzTest(maxDuration = "60s")
    void tlsa(FuzzedDataProvider data) {
        List<Tlsa> records = new ArrayList<>();
        int n = data.consumeInt(0, 4);
        for (int i = 0; i < n; i++) {
            byte[] rdata = data.consumeBytes(data.consumeInt(0, 600));
            Tlsa t = Tlsa.parse(rdata);
            if (t == null) {
                assertTrue(rdata.length < 3);
                continue;
            }
            boolean matches = t.matches(CHAIN[0]);
            assertTrue(!matches || t.usable(), "an unusable record matched: " + t);
            records.add(t);
        }
        if (data.consumeBoolean()) {
            // a Full(0) record whose data is whatever the fuzzer makes of a certificate
            byte[] junk = data.consumeRemainingAsBytes();
            records.add(new Tlsa(2, data.consumeBoolean() ? 0 : 1, 0, junk));
        }
        DaneTrustManager m = new DaneTrustManager(records, List.of("mx.tls.test"), Clock.systemUTC());
        try {
            m.verify(CHAIN);
            assertTrue(m.outcome().verified() && m.outcome().matched() != null && m.outcome().matched().usable());
        } catch (DaneCertificateException e) {
            assertTrue(!m.outcome().verified() && m.outcome().failure() == e.resultType());
        }
    }
}

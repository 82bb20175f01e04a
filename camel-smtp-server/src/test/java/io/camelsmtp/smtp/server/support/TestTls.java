package io.camelsmtp.smtp.server.support;

import java.io.InputStream;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import org.apache.camel.support.jsse.KeyManagersParameters;
import org.apache.camel.support.jsse.KeyStoreParameters;
import org.apache.camel.support.jsse.SSLContextParameters;

/** The test certificate (src/test/resources/peers/localhost.p12, see its README): server parameters for smtp-server and a client that trusts it. */
public final class TestTls {

    private TestTls() {
    }

    public static SSLContextParameters serverParameters() {
        KeyStoreParameters ks = new KeyStoreParameters();
        ks.setResource("classpath:peers/localhost.p12");
        ks.setPassword("changeit");
        ks.setType("PKCS12");
        KeyManagersParameters km = new KeyManagersParameters();
        km.setKeyStore(ks);
        km.setKeyPassword("changeit");
        SSLContextParameters p = new SSLContextParameters();
        p.setKeyManagers(km);
        return p;
    }

    public static SSLContext trustingClient() throws java.security.GeneralSecurityException, java.io.IOException {
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        try (InputStream in = TestTls.class.getResourceAsStream("/peers/localhost.crt")) {
            trust.setCertificateEntry("smtp", (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
    }
}

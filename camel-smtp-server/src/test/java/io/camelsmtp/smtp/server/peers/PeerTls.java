package io.camelsmtp.smtp.server.peers;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;

import org.apache.camel.support.jsse.KeyManagersParameters;
import org.apache.camel.support.jsse.KeyStoreParameters;
import org.apache.camel.support.jsse.SSLContextParameters;

/**
 * The one test certificate of the peer tests (src/test/resources/peers/localhost.p12, see the README there): the
 * server side as Camel {@link SSLContextParameters}, the client side as a socket factory that trusts exactly this
 * certificate, built in memory.
 */
final class PeerTls {

    static final String KEYSTORE = "peers/localhost.p12";
    static final String PASSWORD = "changeit";

    private PeerTls() {
    }

    /** What the server gets as its {@code sslContextParameters} option. */
    static SSLContextParameters serverParameters() {
        KeyStoreParameters store = new KeyStoreParameters();
        store.setResource("classpath:" + KEYSTORE);
        store.setType("PKCS12");
        store.setPassword(PASSWORD);
        KeyManagersParameters keys = new KeyManagersParameters();
        keys.setKeyStore(store);
        keys.setKeyPassword(PASSWORD);
        SSLContextParameters params = new SSLContextParameters();
        params.setKeyManagers(keys);
        return params;
    }

    /** A client socket factory whose only trust anchor is the test certificate. */
    static SSLSocketFactory clientSocketFactory() throws GeneralSecurityException, IOException {
        KeyStore keyStore = KeyStore.getInstance("PKCS12");
        try (InputStream in = PeerTls.class.getClassLoader().getResourceAsStream(KEYSTORE)) {
            if (in == null) {
                throw new IOException("Missing test resource " + KEYSTORE);
            }
            keyStore.load(in, PASSWORD.toCharArray());
        }
        Certificate certificate = keyStore.getCertificate("localhost");
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        trust.setCertificateEntry("camel-smtp-test", certificate);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, tmf.getTrustManagers(), null);
        return context.getSocketFactory();
    }

    /** A test resource under src/test/resources as a file (Maven copies them to target/test-classes). */
    static Path resource(String name) throws IOException {
        URL url = PeerTls.class.getClassLoader().getResource(name);
        if (url == null) {
            throw new IOException("Missing test resource " + name);
        }
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IOException(e);
        }
    }
}

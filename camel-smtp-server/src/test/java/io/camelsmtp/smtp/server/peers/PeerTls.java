package io.camelsmtp.smtp.server.peers;

import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;
import java.security.GeneralSecurityException;

import javax.net.ssl.SSLSocketFactory;

import io.camelsmtp.smtp.server.support.TestTls;
import org.apache.camel.support.jsse.SSLContextParameters;

/**
 * The one test certificate of the peer tests (src/test/resources/peers/localhost.p12, see the README there): the
 * server side as Camel {@link SSLContextParameters}, the client side as a socket factory that trusts exactly this
 * certificate, built in memory.
 */
public final class PeerTls {


    private PeerTls() {
    }

    /** What the server gets as its {@code sslContextParameters} option. */
    static SSLContextParameters serverParameters() {
        return TestTls.serverParameters();
    }

    /** A client socket factory whose only trust anchor is the test certificate. */
    static SSLSocketFactory clientSocketFactory() throws GeneralSecurityException, IOException {
        return TestTls.trustingClient().getSocketFactory();
    }

    /** A test resource under src/test/resources as a file (Maven copies them to target/test-classes). */
    public static Path resource(String name) throws IOException {
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

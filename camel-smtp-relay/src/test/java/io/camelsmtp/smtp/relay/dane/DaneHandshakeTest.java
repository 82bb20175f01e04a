package io.camelsmtp.smtp.relay.dane;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;

import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

import io.camelsmtp.smtp.relay.dane.support.DaneCertificates;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.spi.Registry;
import org.apache.camel.support.jsse.KeyManagersParameters;
import org.apache.camel.support.jsse.KeyStoreParameters;
import org.apache.camel.support.jsse.SSLContextParameters;
import org.apache.camel.test.AvailablePortFinder;
import org.apache.camel.test.junit5.CamelTestSupport;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static io.camelsmtp.smtp.relay.dane.DaneTrustManagerTest.record;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Real TLS handshakes after STARTTLS with this project's smtp-server, the client trusting only a
 * {@link DaneTrustManager}: the JDK's SSLSocket must accept the matching certificate and fail the handshake for the
 * others, and the result type must be readable afterwards.
 */
class DaneHandshakeTest extends CamelTestSupport {

    @TempDir
    static Path dir;
    static DaneCertificates certs;
    private final int goodPort = AvailablePortFinder.getNextAvailable();
    private final int expiredPort = AvailablePortFinder.getNextAvailable();

    @BeforeAll
    static void make() throws Exception {
        certs = DaneCertificates.make(Files.createDirectories(dir.resolve("certs")));
    }

    private static SSLContextParameters serving(String name) {
        KeyStoreParameters ks = new KeyStoreParameters();
        ks.setResource("file:" + certs.keyStore(name));
        ks.setPassword(DaneCertificates.PASSWORD);
        ks.setType("PKCS12");
        KeyManagersParameters km = new KeyManagersParameters();
        km.setKeyStore(ks);
        km.setKeyPassword(DaneCertificates.PASSWORD);
        SSLContextParameters p = new SSLContextParameters();
        p.setKeyManagers(km);
        return p;
    }

    @Override
    protected void bindToRegistry(Registry registry) {
        registry.bind("goodTls", serving("good"));
        registry.bind("expiredTls", serving("expired"));
    }

    @Override
    protected RoutesBuilder createRouteBuilder() {
        return new RouteBuilder() {
            @Override
            public void configure() {
                from("smtp-server:127.0.0.1:" + goodPort + "?hostName=" + DaneCertificates.MX
                        + "&sslContextParameters=#goodTls&acceptedDomains=*").to("mock:good");
                from("smtp-server:127.0.0.1:" + expiredPort + "?hostName=" + DaneCertificates.MX
                        + "&sslContextParameters=#expiredTls&acceptedDomains=*").to("mock:expired");
            }
        };
    }

    /** EHLO, STARTTLS, handshake with only {@code trust}; returns what the server says to EHLO over TLS. */
    private static String startTls(int port, DaneTrustManager trust) throws Exception {
        try (Socket plain = new Socket(InetAddress.getLoopbackAddress(), port)) {
            plain.setSoTimeout(10_000);
            BufferedReader in = new BufferedReader(new InputStreamReader(plain.getInputStream(), StandardCharsets.US_ASCII));
            OutputStream out = plain.getOutputStream();
            assertTrue(in.readLine().startsWith("220"));
            out.write("EHLO client.test\r\n".getBytes(StandardCharsets.US_ASCII));
            String line;
            do {
                line = in.readLine();
            } while (line != null && line.startsWith("250-"));
            out.write("STARTTLS\r\n".getBytes(StandardCharsets.US_ASCII));
            assertTrue(in.readLine().startsWith("220"));
            SSLSocket tls = (SSLSocket) trust.context().getSocketFactory().createSocket(plain, DaneCertificates.MX, port,
                    true);
            SSLParameters p = tls.getSSLParameters();
            p.setEndpointIdentificationAlgorithm("HTTPS"); // as SmtpConnection sets it: must not add a PKIX name check
            tls.setSSLParameters(p);
            tls.setSoTimeout(10_000);
            tls.startHandshake();
            tls.getOutputStream().write("EHLO client.test\r\n".getBytes(StandardCharsets.US_ASCII));
            return new BufferedReader(new InputStreamReader(tls.getInputStream(), StandardCharsets.US_ASCII)).readLine();
        }
    }

    private static DaneTrustManager trust(Tlsa... records) {
        return new DaneTrustManager(List.of(records), List.of(DaneCertificates.MX), Clock.systemUTC());
    }

    @Test
    void theMatchingCertificatePassesDaneEeAndDaneTa() throws Exception {
        DaneTrustManager ee = trust(record(3, 1, 1, certs.chain("good")[0]));
        assertTrue(startTls(goodPort, ee).startsWith("250"));
        assertTrue(ee.outcome().verified());
        DaneTrustManager ta = trust(record(2, 0, 1, certs.ca()));
        assertTrue(startTls(goodPort, ta).startsWith("250"));
        // DANE-EE: an expired certificate that matches passes (RFC 7672 §3.1.1)
        assertTrue(startTls(expiredPort, trust(record(3, 1, 1, certs.chain("expired")[0]))).startsWith("250"));
    }

    @Test
    void anotherCertificateFailsTheHandshakeWithItsResultType() throws Exception {
        DaneTrustManager wrong = trust(record(3, 1, 1, certs.chain("other")[0]));
        assertThrows(SSLHandshakeException.class, () -> startTls(goodPort, wrong));
        assertEquals(DaneResultType.TLSA_INVALID, wrong.outcome().failure());
        DaneTrustManager ta = trust(record(2, 0, 1, certs.ca()));
        assertThrows(SSLHandshakeException.class, () -> startTls(expiredPort, ta));
        assertEquals(DaneResultType.CERTIFICATE_EXPIRED, ta.outcome().failure());
    }
}

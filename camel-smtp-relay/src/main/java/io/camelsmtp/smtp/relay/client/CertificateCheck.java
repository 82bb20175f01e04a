package io.camelsmtp.smtp.relay.client;

import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * For one opportunistic TLS handshake: takes any certificate (RFC 7435), but asks the configured trust whether it
 * would have passed, trust chain and host name both, and remembers the answer. Credentials go only to a server
 * whose certificate passed. Being an {@link X509ExtendedTrustManager}, it is the only place the JDK checks the host
 * name, so that check can fail without failing the handshake.
 */
final class CertificateCheck extends X509ExtendedTrustManager {

    private final X509TrustManager trust;
    private volatile boolean verified;
    private volatile String problem = "no certificate was checked";
    private volatile Exception failure;

    CertificateCheck(X509TrustManager trust) {
        this.trust = trust;
    }

    /** A context for one handshake whose outcome this check records. */
    SSLContext context() {
        try {
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, new TrustManager[] { this }, null);
            return ctx;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("No TLS in this JVM", e);
        }
    }

    /** Why the certificate did not pass, or null when it did. */
    String problem() {
        return verified ? null : problem;
    }

    /** What the check threw, or null when it passed or was not run (for classifying, see TlsFailures). */
    Exception failure() {
        return verified ? null : failure;
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {
        record(x -> x.checkServerTrusted(chain, authType, socket));
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
        record(x -> x.checkServerTrusted(chain, authType, engine));
    }

    private interface Check {
        void run(X509ExtendedTrustManager trust) throws CertificateException;
    }

    private void record(Check check) {
        if (!(trust instanceof X509ExtendedTrustManager x)) {
            problem = "the configured trust manager cannot check host names";
            return;
        }
        try {
            check.run(x);
            verified = true;
            problem = null;
        } catch (CertificateException | RuntimeException e) {
            problem = String.valueOf(e.getMessage());
            failure = e;
        }
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) {
        problem = "no host name to check the certificate against";
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        throw new CertificateException("client side only");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        throw new CertificateException("client side only");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        throw new CertificateException("client side only");
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return new X509Certificate[0];
    }
}

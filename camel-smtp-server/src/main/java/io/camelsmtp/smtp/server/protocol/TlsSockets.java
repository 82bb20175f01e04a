package io.camelsmtp.smtp.server.protocol;

import java.io.IOException;
import java.net.Socket;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * Turns an accepted plain socket into a server-side TLS socket, for STARTTLS and for implicit TLS. The
 * {@link SSLContext} comes from Camel's {@code SSLContextParameters}, whose protocol and cipher filters apply.
 */
public final class TlsSockets {

    private final SSLContext context;
    private final boolean needClientAuth;
    private final boolean wantClientAuth;

    public TlsSockets(SSLContext context, boolean needClientAuth, boolean wantClientAuth) {
        this.context = context;
        this.needClientAuth = needClientAuth;
        this.wantClientAuth = wantClientAuth;
    }

    /** Layers TLS over {@code plain}; the handshake happens on first use or on {@code startHandshake()}. */
    public SSLSocket wrap(Socket plain) throws IOException {
        SSLSocket s = (SSLSocket) context.getSocketFactory()
                .createSocket(plain, plain.getInetAddress().getHostAddress(), plain.getPort(), true);
        s.setUseClientMode(false);
        if (needClientAuth) {
            s.setNeedClientAuth(true);
        } else if (wantClientAuth) {
            s.setWantClientAuth(true);
        }
        return s;
    }
}

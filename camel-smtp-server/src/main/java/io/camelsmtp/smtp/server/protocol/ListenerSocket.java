package io.camelsmtp.smtp.server.protocol;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.CountDownLatch;

/**
 * The listening socket handed to SubEthaSMTP. It adds two things the library lacks: {@link #stopAccepting()} closes
 * the port while sessions go on (the library's accept thread then waits quietly instead of logging a failed accept
 * every second until the real stop), and, for implicit TLS, each accepted socket is wrapped in TLS before the
 * session sees it, so the handshake happens on the session's thread, not the accept thread.
 */
final class ListenerSocket extends ServerSocket {

    private final TlsSockets implicitTls;
    private final CountDownLatch closed = new CountDownLatch(1);
    private volatile boolean draining;

    ListenerSocket(TlsSockets implicitTls) throws IOException {
        this.implicitTls = implicitTls;
    }

    @Override
    public Socket accept() throws IOException {
        Socket socket;
        try {
            socket = super.accept();
        } catch (IOException e) {
            if (draining) {
                awaitClose();
            }
            throw e;
        }
        socket.setTcpNoDelay(true);
        return implicitTls == null ? socket : implicitTls.wrap(socket);
    }

    /** Closes the port; sessions already accepted go on. */
    void stopAccepting() throws IOException {
        draining = true;
        super.close();
    }

    @Override
    public void close() throws IOException {
        closed.countDown();
        super.close();
    }

    private void awaitClose() {
        try {
            closed.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

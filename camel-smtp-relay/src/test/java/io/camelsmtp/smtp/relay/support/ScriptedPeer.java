package io.camelsmtp.smtp.relay.support;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * A hand-written SMTP peer on a loopback port, for behaviour no real server shows: each connection runs a
 * {@link Script} on its own thread. It records every line it reads and counts connections. Every script ends by
 * {@link #MAX_LIFE} at the latest (and at {@link #close()}), so a test whose relay never gives up still finishes.
 */
public final class ScriptedPeer implements Closeable {

    /** How long any connection of a scripted peer lives at most. */
    public static final Duration MAX_LIFE = Duration.ofSeconds(20);

    /** What the peer does on one connection. */
    @FunctionalInterface
    public interface Script {
        void run(Session s) throws Exception;
    }

    private final ServerSocket server;
    private final Script script;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final AtomicInteger connections = new AtomicInteger();
    private volatile boolean closed;

    private ScriptedPeer(ServerSocket server, Script script) {
        this.server = server;
        this.script = script;
        Thread t = new Thread(this::accept, "scripted-peer-" + server.getLocalPort());
        t.setDaemon(true);
        t.start();
    }

    /** On 127.0.0.1, a free port. */
    public static ScriptedPeer start(Script script) throws IOException {
        return start(InetAddress.getLoopbackAddress(), 0, script);
    }

    /** On {@code address}:{@code port} (0 for a free one). */
    public static ScriptedPeer start(InetAddress address, int port, Script script) throws IOException {
        ServerSocket s = new ServerSocket();
        try {
            s.bind(new InetSocketAddress(address, port), 50);
        } catch (IOException e) {
            s.close();
            throw e;
        }
        return new ScriptedPeer(s, script);
    }

    public int port() {
        return server.getLocalPort();
    }

    /** Connections accepted so far. */
    public int connections() {
        return connections.get();
    }

    /** Every line the peer read, over all connections, in order. */
    public List<String> lines() {
        return new ArrayList<>(lines);
    }

    private void accept() {
        while (!closed) {
            try {
                Socket s = server.accept();
                connections.incrementAndGet();
                sockets.add(s);
                Thread t = new Thread(() -> serve(s), "scripted-peer-session");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket socket) {
        long end = System.nanoTime() + MAX_LIFE.toNanos();
        try (socket) {
            socket.setSoTimeout((int) MAX_LIFE.toMillis());
            script.run(new Session(socket, end));
        } catch (Exception | Error e) {
            // the relay hung up, or the script gave up: either way this connection is over
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        for (Socket s : sockets) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }

    /** One connection, seen from the peer. */
    public final class Session {

        private final Socket socket;
        private final InputStream in;
        private final OutputStream out;
        private final long endNanos;

        Session(Socket socket, long endNanos) throws IOException {
            this.socket = socket;
            this.in = socket.getInputStream();
            this.out = socket.getOutputStream();
            this.endNanos = endNanos;
        }

        /** True until the peer is closed or the connection has lived {@link #MAX_LIFE}. */
        public boolean alive() {
            return !closed && !socket.isClosed() && System.nanoTime() < endNanos;
        }

        /** Sends {@code text} as it is (add CRLF yourself). */
        public void send(String text) throws IOException {
            send(text.getBytes(StandardCharsets.ISO_8859_1));
        }

        public void send(byte[] bytes) throws IOException {
            out.write(bytes);
            out.flush();
        }

        /** Sends one octet every {@code every} for as long as the connection lives. */
        public void trickle(byte[] bytes, Duration every) throws IOException, InterruptedException {
            for (int i = 0; alive(); i = (i + 1) % bytes.length) {
                out.write(bytes[i]);
                out.flush();
                Thread.sleep(every.toMillis());
            }
        }

        /** Says nothing, reading and recording what comes, until the relay hangs up or the connection's life ends. */
        public void silence() throws IOException {
            while (alive() && readLine() != null) {
                // recorded by readLine
            }
        }

        /** One line without its CRLF, recorded; null at the end of the stream. */
        public String readLine() throws IOException {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            int c;
            while ((c = in.read()) >= 0) {
                if (c == '\n') {
                    String line = b.toString(StandardCharsets.UTF_8);
                    line = line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
                    lines.add(line);
                    return line;
                }
                if (b.size() < 100_000) {
                    b.write(c);
                }
            }
            return null;
        }

        /**
         * A plain SMTP server after the greeting: EHLO gets {@code ehlo} (complete reply lines with CRLF), MAIL and
         * RCPT 250 (RCPT runs {@code onRcpt} first, which may answer instead by returning a reply), DATA 354 and the
         * content up to the dot 250, RSET 250, QUIT 221. Returns at QUIT or at the end of the stream.
         */
        public void serveMail(String ehlo, Function<String, String> onRcpt) throws IOException {
            String line;
            while ((line = readLine()) != null) {
                String verb = line.length() >= 4 ? line.substring(0, 4).toUpperCase(Locale.ROOT) : line;
                switch (verb) {
                case "EHLO" -> send(ehlo);
                case "HELO", "MAIL", "RSET", "NOOP" -> send("250 2.0.0 Ok\r\n");
                case "RCPT" -> {
                    String reply = onRcpt == null ? null : onRcpt.apply(line);
                    send(reply != null ? reply + "\r\n" : "250 2.1.5 Ok\r\n");
                }
                case "DATA" -> {
                    send("354 End data with <CR><LF>.<CR><LF>\r\n");
                    String content;
                    while ((content = readLine()) != null && !content.equals(".")) {
                        // recorded
                    }
                    if (content == null) {
                        return;
                    }
                    send("250 2.0.0 Ok: queued\r\n");
                }
                case "QUIT" -> {
                    send("221 2.0.0 Bye\r\n");
                    return;
                }
                default -> send("502 5.5.2 Error: command not recognized\r\n");
                }
            }
        }

        /** {@link #serveMail(String, Function)} with an EHLO reply offering nothing. */
        public void serveMail() throws IOException {
            serveMail("250 hostile.test\r\n", null);
        }
    }
}

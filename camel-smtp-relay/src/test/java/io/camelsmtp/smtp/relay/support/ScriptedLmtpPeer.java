package io.camelsmtp.smtp.relay.support;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A hand-written LMTP peer, on a loopback TCP port or on a Unix-domain socket, for what Dovecot never does: too few
 * replies after the data, a connection closed mid-replies, a malformed reply, a reply too late. Each connection runs
 * a {@link Script} on its own thread; every line read is recorded. A connection lives {@link #MAX_LIFE} at most.
 */
public final class ScriptedLmtpPeer implements Closeable {

    public static final Duration MAX_LIFE = Duration.ofSeconds(20);

    @FunctionalInterface
    public interface Script {
        void run(Session s) throws Exception;
    }

    private final ServerSocketChannel server;
    private final Script script;
    private final Path socketPath;
    private final List<SocketChannel> channels = new CopyOnWriteArrayList<>();
    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final List<String> chunks = new CopyOnWriteArrayList<>();
    private final AtomicInteger connections = new AtomicInteger();
    private volatile boolean closed;

    private ScriptedLmtpPeer(ServerSocketChannel server, Path socketPath, Script script) {
        this.server = server;
        this.socketPath = socketPath;
        this.script = script;
        Thread t = new Thread(this::accept, "scripted-lmtp-peer");
        t.setDaemon(true);
        t.start();
    }

    /** On 127.0.0.1, a free port. */
    public static ScriptedLmtpPeer tcp(Script script) throws IOException {
        ServerSocketChannel s = ServerSocketChannel.open();
        s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        return new ScriptedLmtpPeer(s, null, script);
    }

    /** On a Unix-domain socket at {@code path}. */
    public static ScriptedLmtpPeer unix(Path path, Script script) throws IOException {
        ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        s.bind(UnixDomainSocketAddress.of(path), 50);
        return new ScriptedLmtpPeer(s, path, script);
    }

    /** The destination of {@code smtp-relay}: {@code lmtp:127.0.0.1:port} or {@code lmtp:/path}. */
    public String destination() throws IOException {
        return socketPath != null ? "lmtp:" + socketPath
                : "lmtp:127.0.0.1:" + ((InetSocketAddress) server.getLocalAddress()).getPort();
    }

    public int connections() {
        return connections.get();
    }

    public List<String> lines() {
        return new ArrayList<>(lines);
    }

    /** The octets of every BDAT chunk received, as ISO-8859-1 text, in order. */
    public List<String> chunks() {
        return new ArrayList<>(chunks);
    }

    private void accept() {
        while (!closed) {
            try {
                SocketChannel ch = server.accept();
                connections.incrementAndGet();
                channels.add(ch);
                Thread t = new Thread(() -> serve(ch), "scripted-lmtp-session");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(SocketChannel ch) {
        long end = System.nanoTime() + MAX_LIFE.toNanos();
        try (ch) {
            script.run(new Session(ch, end));
        } catch (Exception | Error e) {
            // the relay hung up, or the script gave up
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
        for (SocketChannel c : channels) {
            try {
                c.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
        if (socketPath != null) {
            try {
                Files.deleteIfExists(socketPath);
            } catch (IOException ignored) {
                // a temporary folder
            }
        }
    }

    /** One connection, seen from the peer. */
    public final class Session {

        private final SocketChannel channel;
        private final InputStream in;
        private final OutputStream out;
        private final long endNanos;
        private boolean greeted;

        Session(SocketChannel channel, long endNanos) {
            this.channel = channel;
            this.in = Channels.newInputStream(channel);
            this.out = Channels.newOutputStream(channel);
            this.endNanos = endNanos;
        }

        public boolean alive() {
            return !closed && channel.isOpen() && System.nanoTime() < endNanos;
        }

        public void send(String text) throws IOException {
            out.write(text.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
        }

        /** Hangs up. */
        public void hangUp() throws IOException {
            channel.close();
        }

        /** Reads and records until the relay hangs up or the connection's life ends. */
        public void silence() throws IOException {
            while (alive() && readLine() != null) {
                // recorded
            }
        }

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
         * An LMTP server up to the final dot: greeting (on the first call), LHLO gets {@code lhlo} (reply lines with CRLF), MAIL 250, RCPT
         * 250 unless its address contains "refuse" (550), DATA 354 and the content read to the dot, or BDAT chunks
         * read (each but the last answered 250; offer CHUNKING in {@code lhlo} for that). Returns the
         * number of accepted recipients once the dot or the last chunk has come (the script then answers), or -1 at the end of the
         * stream or at QUIT.
         */
        public int upToTheDot(String lhlo) throws IOException {
            if (!greeted) {
                greeted = true;
                send("220 lmtp.test LMTP ready\r\n");
            }
            int accepted = 0;
            String line;
            while ((line = readLine()) != null) {
                String verb = line.length() >= 4 ? line.substring(0, 4).toUpperCase(Locale.ROOT) : line;
                switch (verb) {
                case "LHLO" -> send(lhlo);
                case "MAIL", "RSET", "NOOP" -> {
                    accepted = 0;
                    send("250 2.0.0 Ok\r\n");
                }
                case "RCPT" -> {
                    if (line.contains("refuse")) {
                        send("550 5.1.1 No such user\r\n");
                    } else {
                        accepted++;
                        send("250 2.1.5 Ok\r\n");
                    }
                }
                case "BDAT" -> {
                    String[] args = line.split(" ");
                    byte[] chunk = in.readNBytes(Integer.parseInt(args[1]));
                    chunks.add(new String(chunk, StandardCharsets.ISO_8859_1));
                    if (args.length > 2 && "LAST".equalsIgnoreCase(args[2])) {
                        return accepted;
                    }
                    send("250 2.0.0 " + chunk.length + " octets received\r\n");
                }
                case "DATA" -> {
                    send("354 go ahead\r\n");
                    String content;
                    while ((content = readLine()) != null && !content.equals(".")) {
                        // recorded
                    }
                    return content == null ? -1 : accepted;
                }
                case "QUIT" -> {
                    send("221 2.0.0 Bye\r\n");
                    return -1;
                }
                default -> send("500 5.5.1 Unknown command\r\n");
                }
            }
            return -1;
        }

        /** {@link #upToTheDot(String)} with an LHLO reply offering PIPELINING and ENHANCEDSTATUSCODES. */
        public int upToTheDot() throws IOException {
            return upToTheDot("250-lmtp.test\r\n250-PIPELINING\r\n250 ENHANCEDSTATUSCODES\r\n");
        }
    }
}

package io.camelsmtp.smtp.relay.client;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.net.UnixDomainSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

import io.camelsmtp.smtp.common.MailContent;
import io.camelsmtp.smtp.common.SmtpReply;
import io.camelsmtp.smtp.relay.tls.TlsResultType;

/**
 * One client connection to an SMTP server: replies read whole (multi-line included), EHLO capabilities, STARTTLS,
 * and DATA content written dot-stuffed with CRLF line endings. Every read and every write has a time-out; the caller
 * sets it per stage as RFC 5321 §4.5.3.2 suggests. Besides, a {@link #deadline deadline} bounds a whole attempt,
 * since a peer that trickles a byte now and then satisfies every per-read time-out; and replies are read within
 * {@link ReplyReader}'s limits, so a peer cannot fill the heap.
 * <p>
 * The same connection speaks LMTP (RFC 2033: {@link #lhlo LHLO} instead of EHLO), over TCP or over a Unix-domain
 * socket ({@link UnixSocketLink}, which bounds reads and writes as a TCP socket does; no STARTTLS there).
 */
public final class SmtpConnection implements Closeable {

    private static final Duration QUIT_TIME = Duration.ofSeconds(2);

    private final String host;
    private final SocketAddress address;
    private final ScheduledExecutorService timer;
    /** The TCP socket, under TLS too, or the Unix-domain link: the deadline closes this one, which no TLS lock can hold up. */
    private final Closeable raw;
    /** The socket in use (the TLS one after STARTTLS); null on a Unix-domain socket. */
    private Socket socket;
    /** The Unix-domain socket, or null on TCP. */
    private final UnixSocketLink unix;
    private ReplyReader replies;
    private OutputStream out;
    private final Map<String, String> extensions = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    private String tlsProtocol;
    private String tlsUnverified;
    /** What a policy checked only for reporting (MTA-STS testing) found wrong with this session's TLS, or null. */
    private TlsResultType reportedFailure;
    private String reportedDetail;
    private long lastUsedNanos = System.nanoTime();
    private int transactions; // completed on this connection, for maxMessagesPerConnection
    private ScheduledFuture<?> deadline;
    private long deadlineAtNanos;
    private String deadlineText;
    private volatile boolean deadlinePassed;

    private SmtpConnection(String host, InetSocketAddress address, Socket socket, ScheduledExecutorService timer)
            throws IOException {
        this.host = host;
        this.address = address;
        this.timer = timer;
        this.raw = socket;
        this.unix = null;
        attach(socket);
    }

    private SmtpConnection(String host, UnixDomainSocketAddress address, UnixSocketLink link,
            ScheduledExecutorService timer) {
        this.host = host;
        this.address = address;
        this.timer = timer;
        this.raw = link;
        this.unix = link;
        this.replies = new ReplyReader(new BufferedInputStream(link.input(), 8192), host);
        this.out = new BufferedOutputStream(link.output(), 16384);
    }

    /**
     * Connects over TCP from {@code source} (null: the system chooses) or, for a {@link UnixDomainSocketAddress}, over a
     * Unix-domain socket.
     */
    public static SmtpConnection open(String host, SocketAddress address, Duration connectTimeout,
            ScheduledExecutorService timer, InetAddress source) throws IOException {
        if (address instanceof UnixDomainSocketAddress path) {
            return new SmtpConnection(host, path, UnixSocketLink.open(path, timer), timer);
        }
        return open(host, (InetSocketAddress) address, connectTimeout, timer, source);
    }

    /**
     * Connects from {@code source} (null: the system chooses); the caller reads the greeting. {@code timer} enforces
     * write time-outs (see {@link DeadlineOutputStream}).
     */
    private static SmtpConnection open(String host, InetSocketAddress address, Duration connectTimeout,
            ScheduledExecutorService timer, InetAddress source) throws IOException {
        Socket s = new Socket();
        try {
            s.setTcpNoDelay(true);
            if (source != null) {
                s.bind(new InetSocketAddress(source, 0));
            }
            s.connect(address, (int) connectTimeout.toMillis());
        } catch (IOException e) {
            s.close();
            throw e;
        }
        return new SmtpConnection(host, address, s, timer);
    }

    private void attach(Socket s) throws IOException {
        this.socket = s;
        this.replies = new ReplyReader(new BufferedInputStream(s.getInputStream(), 8192), host);
        this.out = new BufferedOutputStream(new DeadlineOutputStream(s.getOutputStream(), s, timer), 16384);
    }

    /** The MX or smart host name this connection was opened for. */
    public String host() {
        return host;
    }

    public SocketAddress address() {
        return address;
    }

    /** The peer's IP address, or the path of a Unix-domain socket (for reports). */
    public String peer() {
        return peer(address);
    }

    static String peer(SocketAddress address) {
        return address instanceof InetSocketAddress inet ? inet.getAddress().getHostAddress()
                : String.valueOf(((UnixDomainSocketAddress) address).getPath());
    }

    /** {@code host [ip]:port}, or the socket's path, for messages. */
    static String where(String host, SocketAddress address) {
        return address instanceof InetSocketAddress inet
                ? host + " [" + inet.getAddress().getHostAddress() + "]:" + inet.getPort()
                : "unix:" + peer(address);
    }

    /** True when the server has sent something that no command asked for yet (buffered, unread). */
    boolean hasUnreadInput() {
        try {
            return replies.hasBuffered();
        } catch (IOException e) {
            return true;
        }
    }

    /** TLS protocol in use, or null on plaintext. */
    public String tlsProtocol() {
        return tlsProtocol;
    }

    /** True when TLS is in use and the server's certificate was trusted and matched the host name. */
    public boolean tlsVerified() {
        return tlsProtocol != null && tlsUnverified == null;
    }

    /** Why the certificate of this TLS session does not count as verified, or null when it does (or no TLS). */
    public String tlsUnverified() {
        return tlsUnverified;
    }

    /** Records what a report-only policy found wrong with this session's TLS (not enforced). */
    void reportFailure(TlsResultType type, String detail) {
        reportedFailure = type;
        reportedDetail = detail;
    }

    TlsResultType reportedFailure() {
        return reportedFailure;
    }

    String reportedDetail() {
        return reportedDetail;
    }

    /**
     * Closes the connection {@code limit} from now unless {@link #clearDeadline()} comes first; whatever I/O is then
     * under way fails with a {@link SocketTimeoutException} saying {@code why}. Replaces an earlier deadline.
     */
    public synchronized void deadline(Duration limit, String why) {
        clearDeadline();
        deadlinePassed = false;
        deadlineText = why;
        deadlineAtNanos = System.nanoTime() + limit.toNanos();
        deadline = timer.schedule(this::expire, Math.max(1, limit.toMillis()), TimeUnit.MILLISECONDS);
    }

    public synchronized void clearDeadline() {
        if (deadline != null) {
            deadline.cancel(false);
            deadline = null;
        }
    }

    /** Time left before the deadline (a large value when none is set). */
    synchronized Duration remaining() {
        return deadline == null ? Duration.ofDays(1) : Duration.ofNanos(deadlineAtNanos - System.nanoTime());
    }

    private void expire() {
        deadlinePassed = true;
        try {
            raw.close();
        } catch (IOException ignored) {
            // the I/O under way fails either way
        }
    }

    /** The deadline's explanation in place of the "Socket closed" it causes. */
    private IOException explain(IOException e) {
        if (!deadlinePassed) {
            return e;
        }
        DeadlinePassed t = new DeadlinePassed(deadlineText);
        t.initCause(e);
        return t;
    }

    public boolean supports(String extension) {
        return extensions.containsKey(extension);
    }

    /** The parameter of an EHLO keyword (e.g. SIZE's limit, AUTH's mechanisms), or null. */
    public String extension(String keyword) {
        return extensions.get(keyword);
    }

    public void timeout(Duration timeout) throws IOException {
        if (unix != null) {
            unix.timeout(timeout);
            return;
        }
        socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, timeout.toMillis()));
    }

    long idleNanos() {
        return System.nanoTime() - lastUsedNanos;
    }

    void touch() {
        lastUsedNanos = System.nanoTime();
    }

    /** Counts a completed transaction; returns how many this connection has carried. */
    int countTransaction() {
        return ++transactions;
    }

    int transactions() {
        return transactions;
    }

    /** EHLO, falling back to HELO when the server refuses EHLO; records the extensions offered. */
    public SmtpReply hello(String name) throws IOException {
        SmtpReply r = command("EHLO " + name);
        extensions(r);
        if (r.code() == 250) {
            return r;
        }
        if (r.code() >= 500 && r.code() < 600) {
            return command("HELO " + name);
        }
        return r;
    }

    /** LMTP's LHLO (RFC 2033 §4.1), with no fallback: a server that refuses it does not speak LMTP. */
    public SmtpReply lhlo(String name) throws IOException {
        SmtpReply r = command("LHLO " + name);
        extensions(r);
        return r;
    }

    private void extensions(SmtpReply r) {
        extensions.clear();
        if (r.code() == 250) {
            String[] lines = r.text().split("\n");
            for (int i = 1; i < lines.length; i++) {
                String[] kv = lines[i].strip().split(" ", 2);
                extensions.put(kv[0].toUpperCase(Locale.ROOT), kv.length > 1 ? kv[1] : "");
            }
        }
    }

    /**
     * Upgrades to TLS. With {@code verifyHost} the trust manager is asked to check that the peer's certificate
     * matches {@code host} (like HTTPS). {@code unverified}, asked after the handshake, says why the certificate does
     * not count as verified, or null when it does: always null for a context that fails the handshake otherwise, a
     * recording trust manager's finding for one that never fails it.
     */
    public void startTls(SSLContext context, boolean verifyHost, Supplier<String> unverified) throws IOException {
        try {
            handshake(context, verifyHost);
        } catch (IOException e) {
            throw explain(e);
        }
        tlsUnverified = unverified.get();
    }

    private void handshake(SSLContext context, boolean verifyHost) throws IOException {
        if (socket == null) {
            throw new IOException("No TLS over a Unix-domain socket");
        }
        SSLSocket tls = (SSLSocket) context.getSocketFactory().createSocket(socket, host,
                ((InetSocketAddress) address).getPort(), true);
        tls.setUseClientMode(true);
        SSLParameters p = tls.getSSLParameters();
        if (verifyHost) {
            p.setEndpointIdentificationAlgorithm("HTTPS");
        }
        if (host.matches(".*[A-Za-z].*") && !host.startsWith("[")) {
            try {
                p.setServerNames(java.util.List.of(new SNIHostName(host)));
            } catch (IllegalArgumentException ignored) {
                // not a valid SNI name: send none
            }
        }
        tls.setSSLParameters(p);
        tls.setSoTimeout(socket.getSoTimeout());
        tls.startHandshake();
        attach(tls);
        tlsProtocol = tls.getSession().getProtocol();
        extensions.clear();
    }

    public SmtpReply command(String line) throws IOException {
        write(line);
        flush();
        return read();
    }

    /** Queues a command line without flushing (for PIPELINING). */
    public void write(String line) throws IOException {
        try {
            out.write(line.getBytes(StandardCharsets.UTF_8));
            out.write('\r');
            out.write('\n');
        } catch (IOException e) {
            throw explain(e);
        }
    }

    public void flush() throws IOException {
        try {
            out.flush();
        } catch (IOException e) {
            throw explain(e);
        }
    }

    /**
     * Reads one complete reply, within {@link ReplyReader}'s limits; past them, or on a malformed line, a
     * {@link ReplyReader.ProtocolViolation} (the connection must then be closed: the rest of the reply is unread).
     */
    public SmtpReply read() throws IOException {
        try {
            SmtpReply r = replies.read();
            touch();
            return r;
        } catch (IOException e) {
            throw explain(e);
        }
    }

    /** The {@link #deadline} passed during the I/O that failed; the message says which deadline. */
    static final class DeadlinePassed extends SocketTimeoutException {

        private static final long serialVersionUID = 1L;

        DeadlinePassed(String message) {
            super(message);
        }
    }

    /**
     * Writes message content: bare LF and bare CR become CRLF, lines starting with a dot get a second one (RFC 5321
     * §4.5.2), a missing final CRLF is added, then the terminating dot. Returns the octets of content written.
     */
    public long writeData(InputStream content) throws IOException {
        try {
            return DotStuffing.write(content, out);
        } catch (IOException e) {
            throw explain(e);
        }
    }

    /**
     * Sends the content as one {@code BDAT <size> LAST} chunk (RFC 3030): canonical CRLF lines, neither dot-stuffed
     * nor terminated, flushed. The size is counted in a first pass over the content, so nothing is buffered whatever
     * the message's size; a second pass of another length (content changed in between) fails with an IOException
     * before the chunk's last octet is sent, and the caller closes the connection, so the server drops the chunk.
     */
    public long writeChunk(MailContent content) throws IOException {
        try {
            long size;
            try (InputStream in = content.open()) {
                size = DotStuffing.canonicalSize(in);
            }
            write("BDAT " + size + " LAST");
            try (InputStream in = content.open()) {
                DotStuffing.canonicalExactly(in, out, size);
            }
            out.flush();
            return size;
        } catch (IOException e) {
            throw explain(e);
        }
    }

    /** Sends QUIT (best effort, 2 s at most, however the peer trickles its answer) and closes. */
    public void quit() {
        try {
            if (remaining().compareTo(QUIT_TIME) > 0) {
                deadline(QUIT_TIME, "QUIT took too long");
            }
            timeout(QUIT_TIME);
            command("QUIT");
        } catch (IOException ignored) {
            // closing anyway
        }
        close();
    }

    @Override
    public void close() {
        try {
            if (socket != null) {
                socket.close(); // under TLS this sends close_notify; a deadline still armed ends a write that blocks
            }
        } catch (IOException ignored) {
            // nothing more to do
        }
        clearDeadline();
        try {
            raw.close();
        } catch (IOException ignored) {
            // nothing more to do
        }
    }

    public boolean isClosed() {
        return unix != null ? !unix.isOpen() : socket.isClosed();
    }
}

package io.camelsmtp.smtp.relay.client;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

import io.camelsmtp.smtp.common.SmtpReply;

/**
 * One client connection to an SMTP server: replies read whole (multi-line included), EHLO capabilities, STARTTLS,
 * and DATA content written dot-stuffed with CRLF line endings. Every read and every write has a time-out; the caller
 * sets it per stage as RFC 5321 §4.5.3.2 suggests.
 */
public final class SmtpConnection implements Closeable {

    private static final Pattern ENHANCED = Pattern.compile("^([245]\\.[0-9]{1,3}\\.[0-9]{1,3}) ?(.*)$", Pattern.DOTALL);

    private final String host;
    private final InetSocketAddress address;
    private final ScheduledExecutorService timer;
    private Socket socket;
    private InputStream in;
    private OutputStream out;
    private final Map<String, String> extensions = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    private String tlsProtocol;
    private long lastUsedNanos = System.nanoTime();

    private SmtpConnection(String host, InetSocketAddress address, Socket socket, ScheduledExecutorService timer)
            throws IOException {
        this.host = host;
        this.address = address;
        this.timer = timer;
        attach(socket);
    }

    /**
     * Connects; the caller reads the greeting. {@code timer} enforces write time-outs (see
     * {@link DeadlineOutputStream}).
     */
    public static SmtpConnection open(String host, InetSocketAddress address, Duration connectTimeout,
            ScheduledExecutorService timer) throws IOException {
        Socket s = new Socket();
        try {
            s.setTcpNoDelay(true);
            s.connect(address, (int) connectTimeout.toMillis());
        } catch (IOException e) {
            s.close();
            throw e;
        }
        return new SmtpConnection(host, address, s, timer);
    }

    private void attach(Socket s) throws IOException {
        this.socket = s;
        this.in = new BufferedInputStream(s.getInputStream(), 8192);
        this.out = new BufferedOutputStream(new DeadlineOutputStream(s.getOutputStream(), s, timer), 16384);
    }

    /** The MX or smart host name this connection was opened for. */
    public String host() {
        return host;
    }

    public InetSocketAddress address() {
        return address;
    }

    /** TLS protocol in use, or null on plaintext. */
    public String tlsProtocol() {
        return tlsProtocol;
    }

    public boolean supports(String extension) {
        return extensions.containsKey(extension);
    }

    /** The parameter of an EHLO keyword (e.g. SIZE's limit, AUTH's mechanisms), or null. */
    public String extension(String keyword) {
        return extensions.get(keyword);
    }

    public void timeout(Duration timeout) throws IOException {
        socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, timeout.toMillis()));
    }

    long idleNanos() {
        return System.nanoTime() - lastUsedNanos;
    }

    void touch() {
        lastUsedNanos = System.nanoTime();
    }

    /** EHLO, falling back to HELO when the server refuses EHLO; records the extensions offered. */
    public SmtpReply hello(String name) throws IOException {
        SmtpReply r = command("EHLO " + name);
        extensions.clear();
        if (r.code() == 250) {
            String[] lines = r.text().split("\n");
            for (int i = 1; i < lines.length; i++) {
                String[] kv = lines[i].strip().split(" ", 2);
                extensions.put(kv[0].toUpperCase(Locale.ROOT), kv.length > 1 ? kv[1] : "");
            }
            return r;
        }
        if (r.code() >= 500 && r.code() < 600) {
            return command("HELO " + name);
        }
        return r;
    }

    /**
     * Upgrades to TLS. With {@code verifyHost} the peer's certificate must match {@code host} (checked like HTTPS);
     * otherwise any certificate is taken, as opportunistic TLS does (RFC 7435).
     */
    public void startTls(SSLContext context, boolean verifyHost) throws IOException {
        SSLSocket tls = (SSLSocket) context.getSocketFactory().createSocket(socket, host, address.getPort(), true);
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
        out.write(line.getBytes(StandardCharsets.UTF_8));
        out.write('\r');
        out.write('\n');
    }

    public void flush() throws IOException {
        out.flush();
    }

    /** Reads one complete reply. */
    public SmtpReply read() throws IOException {
        StringBuilder text = new StringBuilder();
        String enhanced = null;
        int code;
        boolean first = true;
        while (true) {
            String line = readLine();
            if (!isReplyCode(line)) {
                throw new IOException("Malformed reply from " + host + ": " + line);
            }
            code = Integer.parseInt(line.substring(0, 3));
            boolean last = line.length() == 3 || line.charAt(3) == ' ';
            String rest = line.length() > 4 ? line.substring(4) : "";
            Matcher m = ENHANCED.matcher(rest);
            if (m.matches() && m.group(1).charAt(0) == line.charAt(0)) {
                if (first) {
                    enhanced = m.group(1);
                }
                rest = m.group(2);
            }
            if (!first) {
                text.append('\n');
            }
            text.append(rest);
            first = false;
            if (last) {
                touch();
                return SmtpReply.of(code, enhanced, text.toString());
            }
        }
    }

    private static boolean isReplyCode(String line) {
        return line.length() >= 3 && line.charAt(0) >= '2' && line.charAt(0) <= '5'
               && Character.isDigit(line.charAt(1)) && Character.isDigit(line.charAt(2));
    }

    private String readLine() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream(128);
        int c;
        while ((c = in.read()) >= 0) {
            if (c == '\n') {
                byte[] bytes = b.toByteArray();
                int len = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                return new String(bytes, 0, len, StandardCharsets.UTF_8);
            }
            if (b.size() > 4096) {
                throw new IOException("Reply line too long from " + host);
            }
            b.write(c);
        }
        throw new EOFException("Connection closed by " + host);
    }

    /**
     * Writes message content: bare LF and bare CR become CRLF, lines starting with a dot get a second one (RFC 5321
     * §4.5.2), a missing final CRLF is added, then the terminating dot. Returns the octets of content written.
     */
    public long writeData(InputStream content) throws IOException {
        byte[] buf = new byte[8192];
        int prev = '\n';
        boolean pendingCr = false;
        long count = 0;
        int n;
        while ((n = content.read(buf)) > 0) {
            int i = 0;
            while (i < n) {
                int b = buf[i] & 0xff;
                if (pendingCr) {
                    pendingCr = false;
                    out.write('\r');
                    out.write('\n');
                    count += 2;
                    prev = '\n';
                    if (b == '\n') {
                        i++;
                        continue;
                    }
                }
                if (b == '\r') {
                    pendingCr = true;
                    i++;
                    continue;
                }
                if (b == '\n') {
                    out.write('\r');
                    out.write('\n');
                    count += 2;
                    prev = '\n';
                    i++;
                    continue;
                }
                if (b == '.' && prev == '\n') {
                    out.write('.');
                }
                int end = i;
                while (end < n && buf[end] != '\r' && buf[end] != '\n') {
                    end++;
                }
                out.write(buf, i, end - i);
                count += end - i;
                prev = buf[end - 1] & 0xff;
                i = end;
            }
        }
        if (pendingCr || prev != '\n') {
            out.write('\r');
            out.write('\n');
        }
        out.write(".\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return count;
    }

    /** Sends QUIT (best effort) and closes. */
    public void quit() {
        try {
            timeout(Duration.ofSeconds(2));
            command("QUIT");
        } catch (IOException ignored) {
            // closing anyway
        }
        close();
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // nothing more to do
        }
    }

    public boolean isClosed() {
        return socket.isClosed();
    }
}

package io.camelsmtp.smtp.server.support;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * A raw SMTP client for tests that must see exact replies and send exactly the bytes they mean (bare LF, pipelined
 * commands, half a DATA). Every read is bounded by a timeout.
 */
public final class SmtpDialogue implements Closeable {

    private Socket socket;
    private InputStream in;
    private OutputStream out;
    private final String greeting;

    private SmtpDialogue(Socket socket) throws IOException {
        attach(socket);
        this.greeting = reply();
    }

    public static SmtpDialogue open(int port) throws IOException {
        return open(null, "127.0.0.1", port);
    }

    /**
     * Connects to {@code host:port} from {@code localAddress} (null for the system's choice), for example from
     * 127.0.0.2 to a listener on 127.0.0.1.
     */
    public static SmtpDialogue open(String localAddress, String host, int port) throws IOException {
        Socket s = new Socket();
        if (localAddress != null) {
            s.bind(new InetSocketAddress(localAddress, 0));
        }
        s.connect(new InetSocketAddress(host, port), 5000);
        s.setSoTimeout(10_000);
        return new SmtpDialogue(s);
    }

    /** Opens a TLS connection from the first byte (implicit TLS), trusting what {@code trust} trusts. */
    public static SmtpDialogue openTls(int port, SSLContext trust) throws IOException {
        Socket plain = new Socket();
        plain.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        SSLSocket s = (SSLSocket) trust.getSocketFactory().createSocket(plain, "localhost", port, true);
        s.setSoTimeout(10_000);
        s.startHandshake();
        return new SmtpDialogue(s);
    }

    private void attach(Socket s) throws IOException {
        this.socket = s;
        this.in = new BufferedInputStream(s.getInputStream());
        this.out = s.getOutputStream();
    }

    public String greeting() {
        return greeting;
    }

    /** Sends one command line and returns the complete (possibly multi-line) reply. */
    public String cmd(String line) throws IOException {
        write(line + "\r\n");
        return reply();
    }

    public SmtpDialogue ehlo(String name) throws IOException {
        String r = cmd("EHLO " + name);
        if (!r.startsWith("250")) {
            throw new IOException("EHLO refused: " + r);
        }
        return this;
    }

    /** MAIL, RCPT, DATA and the message; returns the reply to the end of data (or the first refusal). */
    public String send(String from, String to, String message) throws IOException {
        String r = cmd("MAIL FROM:<" + from + ">");
        if (!r.startsWith("250")) {
            return r;
        }
        r = cmd("RCPT TO:<" + to + ">");
        if (!r.startsWith("250")) {
            return r;
        }
        r = cmd("DATA");
        if (!r.startsWith("354")) {
            return r;
        }
        return data(message);
    }

    /** Sends message content, dot-stuffed, then CRLF.CRLF; returns the reply. */
    public String data(String message) throws IOException {
        String body = message.replace("\r\n.", "\r\n..");
        if (body.startsWith(".")) {
            body = "." + body;
        }
        if (!body.endsWith("\r\n")) {
            body += "\r\n";
        }
        write(body + ".\r\n");
        return reply();
    }

    public void write(String raw) throws IOException {
        write(raw.getBytes(StandardCharsets.UTF_8));
    }

    public void write(byte[] raw) throws IOException {
        out.write(raw);
        out.flush();
    }

    /** Reads one complete reply: lines until one whose fourth character is a space. */
    public String reply() throws IOException {
        StringBuilder sb = new StringBuilder();
        while (true) {
            String line = line();
            if (line == null) {
                throw new IOException("connection closed; read so far: " + sb);
            }
            if (sb.length() > 0) {
                sb.append('\n');
            }
            sb.append(line);
            if (line.length() < 4 || line.charAt(3) == ' ') {
                return sb.toString();
            }
        }
    }

    /** Upgrades to TLS after a 220 to STARTTLS. */
    public void startTls(SSLContext trust) throws IOException {
        SSLSocket s = (SSLSocket) trust.getSocketFactory().createSocket(socket, "localhost", socket.getPort(), true);
        s.setSoTimeout(10_000);
        s.startHandshake();
        attach(s);
    }

    /** True when the server closed the connection (reads EOF within the timeout). */
    public boolean closedByServer() throws IOException {
        try {
            return in.read() < 0;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    public void setTimeout(int millis) throws IOException {
        socket.setSoTimeout(millis);
    }

    private String line() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) >= 0) {
            if (c == '\n') {
                byte[] bytes = b.toByteArray();
                int len = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                return new String(bytes, 0, len, StandardCharsets.UTF_8);
            }
            b.write(c);
        }
        return b.size() == 0 ? null : b.toString(StandardCharsets.UTF_8);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}

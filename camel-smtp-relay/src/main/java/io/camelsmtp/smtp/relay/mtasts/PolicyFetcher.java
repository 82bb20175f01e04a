package io.camelsmtp.smtp.relay.mtasts;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

import io.camelsmtp.smtp.relay.tls.TlsResultType;

/**
 * Fetches {@code https://mta-sts.<domain>/.well-known/mta-sts.txt} (RFC 8461 §3.3): the host's certificate
 * PKIX-verified for that name against the relay's trust, redirects not followed, only {@code 200} with media type
 * {@code text/plain} taken, the body read to at most 64 KB whatever {@code Content-Length} says (chunked or not),
 * and the whole fetch, connection to last byte, bounded by one time-out.
 * <p>
 * A small HTTP/1.1 GET of its own rather than the JDK's HttpClient: the policy host is resolved through the relay's
 * DNS ({@code dnsServers}, its non-public address filter included) and connected to by address while TLS checks the
 * name, which HttpClient cannot do; and every read here is bounded by construction.
 */
public final class PolicyFetcher {

    /** Resolves the policy host through the relay's DNS. */
    @FunctionalInterface
    public interface Addresses {
        List<InetAddress> of(String host) throws Exception;
    }

    private static final int MAX_LINE = 8192;
    private static final int MAX_HEADERS = 100;

    private final Addresses addresses;
    private final SSLContext trust;
    private final int port;
    private final Duration timeout;
    private final ScheduledExecutorService timer;

    /**
     * @param trust   checks the policy host's certificate (the relay's {@code sslContextParameters}, else the JVM's)
     * @param port    443 but for tests
     * @param timeout the whole fetch, look-up to last byte
     * @param timer   closes a fetch that passes its time-out
     */
    public PolicyFetcher(Addresses addresses, SSLContext trust, int port, Duration timeout, ScheduledExecutorService timer) {
        this.addresses = addresses;
        this.trust = trust;
        this.port = port;
        this.timeout = timeout;
        this.timer = timer;
    }

    /** The policy body of {@code domain}, or why there is none. */
    public byte[] fetch(String domain) throws PolicyFetchException {
        String host = "mta-sts." + domain;
        long end = System.nanoTime() + timeout.toNanos();
        List<InetAddress> ips;
        try {
            ips = addresses.of(host);
        } catch (Exception e) {
            throw new PolicyFetchException(TlsResultType.STS_POLICY_FETCH_ERROR, "Policy host " + host + ": " + e.getMessage());
        }
        PolicyFetchException last = null;
        for (InetAddress ip : ips) {
            long left = end - System.nanoTime();
            if (left <= 0) {
                break;
            }
            try {
                return get(host, ip, Duration.ofNanos(left));
            } catch (PolicyFetchException e) {
                last = e;
                if (!e.getMessage().contains(" failed at connect: ")) {
                    throw e; // an answer, not an unreachable address: the next address would not know better
                }
            }
        }
        throw last != null ? last
                : new PolicyFetchException(TlsResultType.STS_POLICY_FETCH_ERROR, "Fetching the policy from " + host + " timed out");
    }

    private byte[] get(String host, InetAddress ip, Duration left) throws PolicyFetchException {
        String where = "https://" + host + (port == 443 ? "" : ":" + port) + "/.well-known/mta-sts.txt [" + ip.getHostAddress() + "]";
        Socket raw = new Socket();
        AtomicBoolean late = new AtomicBoolean();
        ScheduledFuture<?> deadline = timer.schedule(() -> {
            late.set(true);
            close(raw);
        }, left.toNanos(), TimeUnit.NANOSECONDS);
        String stage = "connect";
        try {
            int ms = (int) Math.max(1, left.toMillis());
            raw.connect(new InetSocketAddress(ip, port), ms);
            raw.setSoTimeout(ms);
            stage = "TLS handshake";
            SSLSocket tls = (SSLSocket) trust.getSocketFactory().createSocket(raw, host, port, true);
            SSLParameters p = tls.getSSLParameters();
            p.setEndpointIdentificationAlgorithm("HTTPS");
            p.setServerNames(List.of(new SNIHostName(host)));
            tls.setSSLParameters(p);
            tls.setUseClientMode(true);
            try {
                tls.startHandshake();
            } catch (SSLException e) {
                if (!late.get() && hasCertificateCause(e)) {
                    throw new PolicyFetchException(TlsResultType.STS_WEBPKI_INVALID,
                            "Certificate of " + where + " not valid: " + e.getMessage());
                }
                throw e;
            }
            stage = "request";
            OutputStream out = tls.getOutputStream();
            out.write(("GET /.well-known/mta-sts.txt HTTP/1.1\r\nHost: " + host + (port == 443 ? "" : ":" + port)
                       + "\r\nUser-Agent: camel-smtp\r\nAccept: text/plain\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            stage = "response";
            return response(new BufferedInputStream(tls.getInputStream(), 8192), where);
        } catch (IOException e) {
            String why = late.get() ? "timed out after " + timeout.toMillis() + " ms" : e.getClass().getSimpleName() + ": " + e.getMessage();
            throw new PolicyFetchException(TlsResultType.STS_POLICY_FETCH_ERROR,
                    "Fetching " + where + " failed at " + stage + ": " + why);
        } finally {
            deadline.cancel(false);
            close(raw);
        }
    }

    private static boolean hasCertificateCause(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof CertificateException) {
                return true;
            }
        }
        return false;
    }

    private static byte[] response(InputStream in, String where) throws IOException, PolicyFetchException {
        String status = line(in);
        if (!status.matches("HTTP/1\\.[01] [0-9]{3}( .*)?")) {
            throw fetchError(where + " answered no HTTP status line: " + StsRecord.shorten(status));
        }
        int code = Integer.parseInt(status.substring(9, 12));
        String contentType = null;
        String location = null;
        long length = -1;
        boolean chunked = false;
        for (int n = 0;; n++) {
            String h = line(in);
            if (h.isEmpty()) {
                break;
            }
            if (n >= MAX_HEADERS) {
                throw fetchError(where + " sent more than " + MAX_HEADERS + " header fields");
            }
            int colon = h.indexOf(':');
            if (colon <= 0) {
                throw fetchError(where + " sent a malformed header field: " + StsRecord.shorten(h));
            }
            String name = h.substring(0, colon).strip().toLowerCase(Locale.ROOT);
            String value = h.substring(colon + 1).strip();
            switch (name) {
                case "content-type" -> contentType = value;
                case "location" -> location = value;
                case "transfer-encoding" -> chunked = value.toLowerCase(Locale.ROOT).contains("chunked");
                case "content-length" -> length = value.matches("[0-9]{1,18}") ? Long.parseLong(value) : -2;
                default -> {
                }
            }
        }
        if (code != 200) {
            throw fetchError(where + " answered HTTP " + code + (code / 100 == 3 && location != null
                    ? " (redirect to " + StsRecord.shorten(location) + ", not followed: RFC 8461 §3.3)" : ""));
        }
        String media = contentType == null ? "" : contentType.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
        if (!media.equals("text/plain")) {
            throw new PolicyFetchException(TlsResultType.STS_POLICY_INVALID,
                    where + " served the policy as " + (contentType == null ? "no media type" : StsRecord.shorten(contentType))
                    + ", not text/plain");
        }
        if (length == -2) {
            throw fetchError(where + " sent a malformed Content-Length");
        }
        if (length > StsPolicy.MAX_SIZE) {
            throw tooLarge(where);
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        if (chunked) {
            while (true) {
                String size = line(in).split(";", 2)[0].strip();
                if (!size.matches("[0-9A-Fa-f]{1,8}")) {
                    throw fetchError(where + " sent a malformed chunk size");
                }
                int n = Integer.parseInt(size, 16);
                if (n == 0) {
                    break; // trailers, if any, are not read
                }
                if (body.size() + (long) n > StsPolicy.MAX_SIZE) {
                    throw tooLarge(where);
                }
                copy(in, body, n, where);
                if (!line(in).isEmpty()) {
                    throw fetchError(where + " sent a chunk longer than its size");
                }
            }
        } else if (length >= 0) {
            copy(in, body, (int) length, where);
        } else {
            byte[] rest = in.readNBytes(StsPolicy.MAX_SIZE + 1);
            if (rest.length > StsPolicy.MAX_SIZE) {
                throw tooLarge(where);
            }
            body.write(rest);
        }
        return body.toByteArray();
    }

    private static void copy(InputStream in, ByteArrayOutputStream to, int n, String where) throws IOException, PolicyFetchException {
        byte[] b = in.readNBytes(n);
        if (b.length < n) {
            throw fetchError(where + " closed the connection inside the policy");
        }
        to.write(b);
    }

    /** One line, without CRLF or LF, of at most 8 KB. */
    private static String line(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        int c;
        while ((c = in.read()) != '\n') {
            if (c < 0) {
                throw new IOException("connection closed inside the response head");
            }
            if (sb.length() >= MAX_LINE) {
                throw new IOException("response line longer than " + MAX_LINE + " bytes");
            }
            sb.append((char) c);
        }
        int len = sb.length();
        return len > 0 && sb.charAt(len - 1) == '\r' ? sb.substring(0, len - 1) : sb.toString();
    }

    private static PolicyFetchException fetchError(String message) {
        return new PolicyFetchException(TlsResultType.STS_POLICY_FETCH_ERROR, message);
    }

    private static PolicyFetchException tooLarge(String where) {
        return fetchError(where + " sent a policy larger than " + StsPolicy.MAX_SIZE + " bytes");
    }

    private static void close(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // closing
        }
    }
}

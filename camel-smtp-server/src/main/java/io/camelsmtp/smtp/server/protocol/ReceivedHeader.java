package io.camelsmtp.smtp.server.protocol;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;

/**
 * The {@code Received:} trace header we prepend (RFC 5321 §4.4, RFC 3848 protocol keywords), in Postfix's layout:
 *
 * <pre>
 * Received: from client.example ([192.0.2.1])
 *         (using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384)
 *         by mx.example (camel-smtp) with ESMTPS id 19C0F3A2B4C5D6E7
 *         for &lt;rcpt@example.org&gt;; Tue, 25 Nov 2026 12:00:00 +0000
 * </pre>
 */
final class ReceivedHeader {

    private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("EEE, d MMM yyyy HH:mm:ss Z", Locale.ENGLISH);

    private ReceivedHeader() {
    }

    static byte[] build(ConnectionState c, String ourHost, MailTransaction tx) {
        String queueId = tx.queueId();
        List<String> recipients = tx.recipients();
        StringBuilder sb = new StringBuilder(256);
        sb.append("Received: from ").append(sanitize(c.helo() == null ? "unknown" : c.helo()))
                .append(" (").append(literal(c.remoteAddress().getAddress())).append(')');
        String protocol = c.tlsProtocol();
        if (protocol != null) {
            sb.append("\r\n\t(using ").append(protocol).append(" with cipher ").append(c.tlsCipher()).append(')');
        }
        sb.append("\r\n\tby ").append(ourHost).append(" (camel-smtp) with ").append(c.receivedProtocol(tx.utf8()))
                .append(" id ").append(queueId);
        if (recipients.size() == 1) {
            sb.append("\r\n\tfor <").append(sanitize(recipients.get(0))).append('>');
        }
        sb.append("; ").append(DATE.format(ZonedDateTime.now())).append("\r\n");
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    static String literal(InetAddress address) {
        return address instanceof Inet6Address ? "[IPv6:" + address.getHostAddress() + "]" : "[" + address.getHostAddress() + "]";
    }

    /** Keeps a client-supplied name from breaking the header's structure (comments, line breaks, control octets). */
    private static String sanitize(String s) {
        StringBuilder sb = new StringBuilder(Math.min(s.length(), 255));
        for (int i = 0; i < s.length() && i < 255; i++) {
            char c = s.charAt(i);
            sb.append(c < 33 || c == 127 || c == '(' || c == ')' || c == ';' || c == '<' || c == '>' || c == '\\' ? '_' : c);
        }
        return sb.toString();
    }
}

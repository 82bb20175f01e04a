package io.camelsmtp.smtp.relay.client;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

import io.camelsmtp.smtp.common.Envelope;
import io.camelsmtp.smtp.common.MailContent;
import io.camelsmtp.smtp.common.RecipientResult;
import io.camelsmtp.smtp.common.SmtpReply;
import io.camelsmtp.smtp.common.Xtext;
import io.camelsmtp.smtp.relay.dns.MxHost;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers one message to the recipients of one destination (a domain's mail exchangers, or a smart host), following
 * RFC 5321 §5.1: hosts in preference order, each of their addresses in turn; a host that cannot be reached, greets
 * with an error, or fails TLS or AUTH is skipped; recipients a host defers (4xx) are tried at the next host; 2xx and
 * 5xx are final. One transaction carries all recipients, pipelined when the server offers PIPELINING.
 */
public final class DeliveryAgent implements Closeable {

    private static final Logger LOG = LoggerFactory.getLogger(DeliveryAgent.class);

    private final ClientSettings settings;
    private final ConnectionPool pool;
    private final SSLContext anyCertificate;
    private final ScheduledExecutorService timer;

    /**
     * @param timer runs write time-outs (and nothing long); a task is scheduled and cancelled per write, so the pool
     *              should drop cancelled tasks (Camel's scheduled pools set removeOnCancelPolicy)
     */
    public DeliveryAgent(ClientSettings settings, ScheduledExecutorService timer) {
        this.settings = settings;
        this.timer = timer;
        this.pool = new ConnectionPool(settings.maxConnectionsPerHost(), settings.idleConnectionTime());
        this.anyCertificate = trustAll();
    }

    /** Closes kept connections that have been idle too long; call periodically. */
    public void evictIdle() {
        pool.evict();
    }

    @Override
    public void close() {
        pool.close();
    }

    /** Per-recipient results, in the order of the envelope's recipients. */
    public List<RecipientResult> deliver(Envelope envelope, MailContent content, List<MxHost> hosts)
            throws InterruptedException {
        List<Envelope.Recipient> recipients = envelope.recipients();
        Map<String, RecipientResult> decided = new LinkedHashMap<>();
        List<Envelope.Recipient> pending = recipients;
        int triedHosts = 0;
        hosts:
        for (MxHost host : hosts) {
            if (triedHosts++ >= settings.maxMxHosts()) {
                break;
            }
            for (InetAddress ip : host.addresses()) {
                try {
                    List<RecipientResult> results = attempt(host, ip, envelope.withRecipients(pending), content);
                    List<Envelope.Recipient> deferred = new ArrayList<>();
                    for (int i = 0; i < results.size(); i++) {
                        decided.put(pending.get(i).address(), results.get(i));
                        if (results.get(i).getStatus() == RecipientResult.Status.DEFERRED) {
                            deferred.add(pending.get(i));
                        }
                    }
                    pending = deferred;
                    if (pending.isEmpty()) {
                        break hosts;
                    }
                    continue hosts;
                } catch (HostFailure f) {
                    LOG.debug("{} [{}]: {}", host.name(), ip.getHostAddress(), f.reply);
                    for (Envelope.Recipient r : pending) {
                        decided.put(r.address(), new RecipientResult(r.address(), RecipientResult.Status.DEFERRED,
                                f.reply, host.name(), ip.getHostAddress(), null, Instant.now()));
                    }
                }
            }
        }
        List<RecipientResult> out = new ArrayList<>(recipients.size());
        for (Envelope.Recipient r : recipients) {
            RecipientResult result = decided.get(r.address());
            out.add(result != null ? result : new RecipientResult(r.address(), RecipientResult.Status.DEFERRED,
                    SmtpReply.of(451, "4.4.4", "No mail exchanger could be tried"), null, null, null, Instant.now()));
        }
        return out;
    }

    private List<RecipientResult> attempt(MxHost host, InetAddress ip, Envelope envelope, MailContent content)
            throws HostFailure, InterruptedException {
        InetSocketAddress address = new InetSocketAddress(ip, settings.port());
        if (!pool.acquire(address, settings.connectTimeout())) {
            throw new HostFailure(SmtpReply.of(451, "4.4.5", "Too many connections to " + describe(host, ip)));
        }
        SmtpConnection c = null;
        Transaction tx = null;
        try {
            c = settings.connectionReuse() ? reuse(address) : null;
            if (c == null) {
                c = connect(host.name(), address, settings.tls() != TlsPolicy.none);
            }
            tx = new Transaction(c, host.name(), envelope, content);
            return tx.run();
        } finally {
            if (c != null) {
                if (tx != null && tx.reusable && settings.connectionReuse()) {
                    pool.keep(c);
                } else {
                    c.quit();
                }
            }
            pool.release(address);
        }
    }

    private SmtpConnection reuse(InetSocketAddress address) {
        SmtpConnection c;
        while ((c = pool.take(address)) != null) {
            try {
                c.timeout(settings.commandTimeout());
                if (c.command("RSET").code() == 250) {
                    return c;
                }
            } catch (IOException e) {
                LOG.debug("Kept connection to {} is gone: {}", address, e.toString());
            }
            c.close();
        }
        return null;
    }

    /** Connects, reads the greeting, says EHLO, then STARTTLS and AUTH as configured. */
    private SmtpConnection connect(String host, InetSocketAddress address, boolean tryTls) throws HostFailure {
        String where = host + " [" + address.getAddress().getHostAddress() + "]:" + address.getPort();
        SmtpConnection c;
        try {
            c = SmtpConnection.open(host, address, settings.connectTimeout(), timer);
        } catch (SocketTimeoutException e) {
            throw new HostFailure(SmtpReply.of(451, "4.4.1", "Connection to " + where + " timed out"));
        } catch (IOException e) {
            throw new HostFailure(SmtpReply.of(451, "4.4.1", "Connection to " + where + " failed: " + e.getMessage()));
        }
        try {
            c.timeout(settings.commandTimeout());
            SmtpReply greeting = c.read();
            if (greeting.code() != 220) {
                throw new HostFailure(asDeferral(greeting, where + " greeted with"));
            }
            SmtpReply hello = c.hello(settings.heloName());
            if (hello.code() != 250) {
                throw new HostFailure(asDeferral(hello, where + " refused EHLO/HELO:"));
            }
            if (tryTls) {
                c = startTls(c, host, address, where);
            }
            if (settings.username() != null) {
                authenticate(c, where);
            }
            return c;
        } catch (HostFailure f) {
            c.quit();
            throw f;
        } catch (IOException e) {
            c.close();
            throw new HostFailure(SmtpReply.of(451, "4.4.2", "Connection to " + where + " lost: " + e.getMessage()));
        }
    }

    private SmtpConnection startTls(SmtpConnection c, String host, InetSocketAddress address, String where)
            throws IOException, HostFailure {
        boolean required = settings.tls() == TlsPolicy.required;
        if (!c.supports("STARTTLS")) {
            if (required) {
                throw new HostFailure(SmtpReply.of(451, "4.7.4", "TLS is required, but " + where + " does not offer STARTTLS"));
            }
            return c;
        }
        SmtpReply r = c.command("STARTTLS");
        if (r.code() != 220) {
            if (required) {
                throw new HostFailure(asDeferral(r, "TLS is required, but " + where + " refused STARTTLS:"));
            }
            return c;
        }
        try {
            c.startTls(required ? settings.verifyingTls() : anyCertificate, required);
        } catch (IOException e) {
            c.close();
            if (required) {
                throw new HostFailure(SmtpReply.of(451, "4.7.5", "TLS handshake with " + where + " failed: " + e.getMessage()));
            }
            LOG.info("TLS handshake with {} failed ({}); delivering in plaintext", where, e.getMessage());
            return connect(host, address, false);
        }
        SmtpReply hello = c.hello(settings.heloName());
        if (hello.code() != 250) {
            throw new HostFailure(asDeferral(hello, where + " refused EHLO after STARTTLS:"));
        }
        return c;
    }

    /**
     * AUTH PLAIN or LOGIN. Like Postfix's default ({@code smtp_sasl_security_options = noplaintext}), these
     * plaintext mechanisms are used only inside TLS, unless TLS is switched off on purpose ({@code tls=none}); a host
     * that does not offer AUTH while credentials are configured is skipped rather than sent mail unauthenticated.
     */
    private void authenticate(SmtpConnection c, String where) throws IOException, HostFailure {
        if (c.tlsProtocol() == null && settings.tls() != TlsPolicy.none) {
            throw new HostFailure(SmtpReply.of(451, "4.7.0", "Not sending credentials to " + where
                    + " without TLS (STARTTLS was not offered or failed); set tls=none to allow it"));
        }
        if (!c.supports("AUTH")) {
            throw new HostFailure(SmtpReply.of(451, "4.7.0", where + " does not offer AUTH, but credentials are configured"));
        }
        String mechanisms = " " + c.extension("AUTH").toUpperCase(Locale.ROOT) + " ";
        Base64.Encoder b64 = Base64.getEncoder();
        SmtpReply r;
        if (mechanisms.contains(" PLAIN ")) {
            byte[] token = ("\0" + settings.username() + "\0" + settings.password()).getBytes(StandardCharsets.UTF_8);
            r = c.command("AUTH PLAIN " + b64.encodeToString(token));
        } else if (mechanisms.contains(" LOGIN ")) {
            r = c.command("AUTH LOGIN");
            if (r.code() == 334) {
                r = c.command(b64.encodeToString(settings.username().getBytes(StandardCharsets.UTF_8)));
            }
            if (r.code() == 334) {
                r = c.command(b64.encodeToString(settings.password().getBytes(StandardCharsets.UTF_8)));
            }
        } else {
            throw new HostFailure(SmtpReply.of(451, "4.7.0", where + " offers no AUTH mechanism we support (PLAIN, LOGIN)"));
        }
        if (r.code() != 235) {
            throw new HostFailure(asDeferral(r, "Authentication at " + where + " failed:"));
        }
    }

    /** A host-level failure never decides for good: the recipients are deferred, the server's words kept. */
    private static SmtpReply asDeferral(SmtpReply reply, String context) {
        String text = context + " " + reply.code() + (reply.enhancedStatus() != null ? " " + reply.enhancedStatus() : "")
                      + " " + reply.text().replace('\n', ' ');
        return reply.isTransient() ? SmtpReply.of(reply.code(), reply.enhancedStatus(), text)
                : SmtpReply.of(451, "4.4.0", text);
    }

    private static String describe(MxHost host, InetAddress ip) {
        return host.name() + " [" + ip.getHostAddress() + "]";
    }

    private static SSLContext trustAll() {
        try {
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, new TrustManager[] { new X509TrustManager() {
                @Override
                public void checkClientTrusted(X509Certificate[] chain, String authType) {
                    // opportunistic TLS does not authenticate (RFC 7435)
                }

                @Override
                public void checkServerTrusted(X509Certificate[] chain, String authType) {
                    // opportunistic TLS does not authenticate (RFC 7435)
                }

                @Override
                public X509Certificate[] getAcceptedIssuers() {
                    return new X509Certificate[0];
                }
            } }, null);
            return ctx;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("No TLS in this JVM", e);
        }
    }

    /** A host could not be used at all; the reply says why. */
    static final class HostFailure extends Exception {
        private static final long serialVersionUID = 1L;
        final transient SmtpReply reply;

        HostFailure(SmtpReply reply) {
            super(reply.toString(), null, false, false);
            this.reply = reply;
        }
    }

    /** One mail transaction on an open connection. */
    private final class Transaction {
        private final SmtpConnection c;
        private final String host;
        private final Envelope envelope;
        private final MailContent content;
        private final List<Envelope.Recipient> recipients;
        private final RecipientResult[] results;
        private boolean reusable = true;

        Transaction(SmtpConnection c, String host, Envelope envelope, MailContent content) {
            this.c = c;
            this.host = host;
            this.envelope = envelope;
            this.content = content;
            this.recipients = envelope.recipients();
            this.results = new RecipientResult[recipients.size()];
        }

        List<RecipientResult> run() {
            SmtpReply refusal = unsupported();
            if (refusal != null) {
                decideAll(refusal);
                return List.of(results);
            }
            try {
                send();
            } catch (IOException e) {
                reusable = false;
                String where = host + " [" + c.address().getAddress().getHostAddress() + "]";
                decideAll(SmtpReply.of(451, "4.4.2", "Connection to " + where + " lost: " + e.getMessage()));
            }
            return List.of(results);
        }

        /** What this server cannot take, checked before anything is sent (RFC 1870, 6152, 6531). */
        private SmtpReply unsupported() {
            if (envelope.utf8() && !c.supports("SMTPUTF8")) {
                return SmtpReply.of(553, "5.6.7", host + " does not support SMTPUTF8, needed for this UTF-8 envelope");
            }
            String size = c.extension("SIZE");
            if (size != null && size.strip().matches("[0-9]{1,18}")) {
                long limit = Long.parseLong(size.strip());
                if (limit > 0 && content.size() > limit) {
                    return SmtpReply.of(552, "5.3.4", "Message of " + content.size() + " octets exceeds the limit of "
                            + limit + " octets of " + host);
                }
            }
            if (content.eightBit() && !c.supports("8BITMIME")) {
                return SmtpReply.of(554, "5.6.3", host + " does not support 8BITMIME and 8-bit content is not converted");
            }
            return null;
        }

        private void send() throws IOException {
            boolean dsn = c.supports("DSN");
            StringBuilder mail = new StringBuilder("MAIL FROM:<").append(envelope.sender()).append('>');
            if (c.supports("SIZE")) {
                mail.append(" SIZE=").append(content.size());
            }
            if (content.eightBit() && c.supports("8BITMIME")) {
                mail.append(" BODY=8BITMIME");
            }
            if (envelope.utf8()) {
                mail.append(" SMTPUTF8");
            }
            if (dsn && envelope.ret() != null) {
                mail.append(" RET=").append(envelope.ret());
            }
            if (dsn && envelope.envid() != null) {
                mail.append(" ENVID=").append(Xtext.encode(envelope.envid()));
            }
            List<String> rcpts = new ArrayList<>();
            for (Envelope.Recipient r : recipients) {
                StringBuilder line = new StringBuilder("RCPT TO:<").append(r.address()).append('>');
                if (dsn && r.dsnNotify() != null) {
                    line.append(" NOTIFY=").append(r.dsnNotify());
                }
                if (dsn && r.dsnOrcpt() != null) {
                    int semi = r.dsnOrcpt().indexOf(';');
                    line.append(" ORCPT=").append(r.dsnOrcpt(), 0, semi + 1).append(Xtext.encode(r.dsnOrcpt().substring(semi + 1)));
                }
                rcpts.add(line.toString());
            }
            c.timeout(settings.commandTimeout());
            SmtpReply mailReply;
            SmtpReply[] rcptReplies = new SmtpReply[rcpts.size()];
            SmtpReply dataReply = null;
            if (c.supports("PIPELINING")) {
                c.write(mail.toString());
                for (String r : rcpts) {
                    c.write(r);
                }
                c.write("DATA");
                c.flush();
                mailReply = c.read();
                for (int i = 0; i < rcptReplies.length; i++) {
                    rcptReplies[i] = c.read();
                }
                dataReply = c.read();
            } else {
                mailReply = c.command(mail.toString());
                if (mailReply.isPositive()) {
                    boolean any = false;
                    for (int i = 0; i < rcptReplies.length; i++) {
                        rcptReplies[i] = c.command(rcpts.get(i));
                        any |= rcptReplies[i].isPositive();
                    }
                    if (any) {
                        dataReply = c.command("DATA");
                    }
                }
            }
            if (!mailReply.isPositive()) {
                decideAll(mailReply);
                endTransaction(dataReply);
                return;
            }
            List<Integer> accepted = new ArrayList<>();
            for (int i = 0; i < rcptReplies.length; i++) {
                if (rcptReplies[i].code() == 421) {
                    reusable = false;
                }
                if (rcptReplies[i].isPositive()) {
                    accepted.add(i);
                } else {
                    results[i] = result(i, rcptReplies[i]);
                }
            }
            if (accepted.isEmpty() || dataReply == null || dataReply.code() != 354) {
                for (int i : accepted) {
                    results[i] = result(i, dataReply);
                }
                endTransaction(dataReply);
                return;
            }
            c.timeout(settings.dataTimeout());
            c.writeData(content.open());
            SmtpReply end = c.read();
            for (int i : accepted) {
                results[i] = result(i, end);
            }
            if (end.code() == 421) {
                reusable = false;
            }
        }

        /** After a failed transaction: answer an unwanted 354 with an empty message, then RSET. */
        private void endTransaction(SmtpReply dataReply) throws IOException {
            if (dataReply != null && dataReply.code() == 354) {
                c.write(".");
                c.flush();
                c.read();
            }
            if (reusable && c.command("RSET").code() != 250) {
                reusable = false;
            }
        }

        private void decideAll(SmtpReply reply) {
            for (int i = 0; i < results.length; i++) {
                if (results[i] == null) {
                    results[i] = result(i, reply);
                }
            }
        }

        private RecipientResult result(int i, SmtpReply reply) {
            return RecipientResult.of(recipients.get(i).address(), reply, host,
                    c.address().getAddress().getHostAddress(), c.tlsProtocol());
        }
    }
}

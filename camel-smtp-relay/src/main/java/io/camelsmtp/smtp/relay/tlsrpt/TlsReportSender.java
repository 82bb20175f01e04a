package io.camelsmtp.smtp.relay.tlsrpt;

import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import javax.net.ssl.SSLContext;

import io.camelsmtp.smtp.common.Envelope;
import io.camelsmtp.smtp.common.EnvelopeBinding;
import io.camelsmtp.smtp.relay.dns.NonPublicAddresses;
import jakarta.mail.MessagingException;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.support.DefaultExchange;

/**
 * Delivers one report to one {@code rua} destination (RFC 8460 §5.3): {@code https:} by POST with the JDK's
 * HttpClient (no redirects, connect and request time-outs, at most {@link #MAX_RESPONSE} octets of the answer read),
 * {@code mailto:} as a mail handed to a Camel endpoint ({@code tlsReportUri}, such as {@code smtp-queue:reports}) with
 * the envelope headers of {@link EnvelopeBinding}, from the submitter address. The {@code https:} host must resolve to
 * public addresses only (unless private ones are allowed): the URL comes from a stranger's DNS and must not make us
 * POST into our own network.
 */
public final class TlsReportSender {

    /** Octets of an https answer read, at most; the rest is not waited for. */
    public static final int MAX_RESPONSE = 16 * 1024;

    private final HttpClient http;
    private final Duration timeout;
    private final boolean allowPrivateAddresses;
    private final CamelContext camel;
    private final String mailEndpoint;
    private final String submitterAddress;

    /**
     * @param tls              trust for the https destinations
     * @param mailEndpoint     where mailto reports go; null to skip them
     * @param submitterAddress MAIL FROM and From: of the mails
     */
    public TlsReportSender(SSLContext tls, Duration timeout, boolean allowPrivateAddresses, CamelContext camel,
            String mailEndpoint, String submitterAddress) {
        this.http = HttpClient.newBuilder().sslContext(tls).connectTimeout(timeout)
                .followRedirects(HttpClient.Redirect.NEVER).version(HttpClient.Version.HTTP_1_1).build();
        this.timeout = timeout;
        this.allowPrivateAddresses = allowPrivateAddresses;
        this.camel = camel;
        this.mailEndpoint = mailEndpoint;
        this.submitterAddress = submitterAddress;
    }

    /** Sends; an exception says why it did not go (the caller retries). */
    public void send(TlsReport report, URI destination) throws IOException, MessagingException {
        String scheme = destination.getScheme().toLowerCase(java.util.Locale.ROOT);
        if (scheme.equals("https")) {
            post(report, destination);
        } else if (scheme.equals("mailto")) {
            mail(report, TlsRptRecord.mailbox(destination.getSchemeSpecificPart()));
        } else {
            throw new IOException("Unsupported report destination " + destination);
        }
    }

    private void post(TlsReport report, URI url) throws IOException {
        checkPublic(url.getHost());
        HttpRequest request = HttpRequest.newBuilder(url).timeout(timeout)
                .header("Content-Type", TlsReport.MEDIA_TYPE)
                .POST(HttpRequest.BodyPublishers.ofByteArray(report.gzip())).build();
        CompletableFuture<HttpResponse<String>> sent = http.sendAsync(request, info -> new BoundedBody(MAX_RESPONSE));
        HttpResponse<String> response;
        try {
            // the request time-out covers the answer's head; this bounds the body too (a peer trickling it)
            response = sent.get(timeout.multipliedBy(2).toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            sent.cancel(true);
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        } catch (TimeoutException e) {
            sent.cancel(true);
            throw new IOException("POST to " + url + " timed out");
        } catch (ExecutionException e) {
            throw new IOException("POST to " + url + " failed: " + e.getCause(), e.getCause());
        }
        String answer = response.body();
        if (response.statusCode() / 100 != 2) {
            throw new IOException("POST to " + url + " answered " + response.statusCode() + ": "
                                  + answer.substring(0, Math.min(200, answer.length())).replaceAll("[^\\x20-\\x7e]", "?"));
        }
    }

    /** Keeps the first {@code max} octets of an answer and stops reading there. */
    private static final class BoundedBody implements HttpResponse.BodySubscriber<String> {
        private final CompletableFuture<String> body = new CompletableFuture<>();
        private final byte[] kept;
        private int length;
        private Flow.Subscription subscription;

        BoundedBody(int max) {
            this.kept = new byte[max];
        }

        @Override
        public CompletionStage<String> getBody() {
            return body;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            s.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(List<ByteBuffer> buffers) {
            for (ByteBuffer b : buffers) {
                int n = Math.min(b.remaining(), kept.length - length);
                b.get(kept, length, n);
                length += n;
            }
            if (length == kept.length && !body.isDone()) {
                subscription.cancel();
                onComplete();
            }
        }

        @Override
        public void onError(Throwable t) {
            body.completeExceptionally(t);
        }

        @Override
        public void onComplete() {
            body.complete(new String(kept, 0, length, StandardCharsets.UTF_8));
        }
    }

    private void checkPublic(String host) throws IOException {
        if (allowPrivateAddresses) {
            return;
        }
        InetAddress[] addresses;
        try {
            addresses = InetAddress.getAllByName(host);
        } catch (UnknownHostException e) {
            throw new IOException("Report host " + host + " does not resolve");
        }
        for (InetAddress a : addresses) {
            String why = NonPublicAddresses.why(a);
            if (why != null) {
                throw new IOException("Report host " + host + " resolves to " + a.getHostAddress() + " in " + why
                                      + "; refused (allowPrivateAddresses=false)");
            }
        }
    }

    private void mail(TlsReport report, String recipient) throws IOException, MessagingException {
        if (mailEndpoint == null) {
            throw new IOException("no tlsReportUri to send mailto reports to");
        }
        if (recipient == null) {
            throw new IOException("not a mailbox");
        }
        byte[] mail = report.mail(submitterAddress, recipient);
        Exchange exchange = new DefaultExchange(camel);
        exchange.getMessage().setBody(mail);
        EnvelopeBinding.write(new Envelope(submitterAddress, List.of(new Envelope.Recipient(recipient, null, null)),
                "7BIT", false, null, null, null), exchange.getMessage());
        ProducerTemplate template = camel.createProducerTemplate();
        try {
            Exchange done = template.send(mailEndpoint, exchange);
            if (done.getException() != null) {
                throw new IOException("Handing the report to " + mailEndpoint + " failed: " + done.getException(),
                        done.getException());
            }
        } finally {
            template.stop();
        }
    }
}

package io.camelsmtp.embedding;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import io.camelsmtp.examples.support.Peers;
import io.camelsmtp.examples.support.SmtpSink;
import io.camelsmtp.smtp.queue.SmtpQueueConstants;
import io.camelsmtp.smtp.server.SmtpRejectException;
import io.camelsmtp.smtp.server.SmtpServerComponent;
import io.camelsmtp.smtp.server.SmtpServerConstants;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.main.Main;
import org.apache.camel.spi.CamelEvent;
import org.apache.camel.support.EventNotifierSupport;
import org.apache.camel.support.jsse.KeyManagersParameters;
import org.apache.camel.support.jsse.KeyStoreParameters;
import org.apache.camel.support.jsse.SSLContextParameters;
import org.eclipse.angus.mail.smtp.SMTPSendFailedException;
import org.eclipse.angus.mail.smtp.SMTPTransport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static io.camelsmtp.examples.support.Peers.freePort;
import static io.camelsmtp.examples.support.Peers.run;
import static io.camelsmtp.examples.support.Peers.runs;
import static io.camelsmtp.examples.support.Peers.smtpSink;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The components in someone else's Camel application, as docs/embedding.md shows them: {@link MailRoutes} (the page's
 * Java DSL routes, word for word) in a plain {@link DefaultCamelContext} and in a plain Camel {@link Main}, the
 * smtp-server component configured as a Java object (global TLS), Jakarta Mail and swaks as clients, Postfix's
 * smtp-sink as the next hop. This package is not the app's (io.camelsmtp.examples.app, which Camel Main scans), so
 * the app's route scan never sees these RouteBuilders.
 */
class PlainCamelContextTest {

    private static final Path WORK = Path.of("target", "embedding").toAbsolutePath();
    private static final Path KEYSTORE = WORK.resolve("server.p12");
    private static final String KEYSTORE_PASSWORD = "changeit";

    /** The Java DSL routes of docs/embedding.md. */
    public static class MailRoutes extends RouteBuilder {

        @Override
        public void configure() {
            // a refusal is the SMTP reply the client gets, not an error worth a stack trace in the log
            onException(SmtpRejectException.class).logExhausted(false);

            from("smtp-server:{{smtp.host:0.0.0.0}}:{{smtp.port:2525}}"
                 + "?hostName={{smtp.hostName:localhost}}&acceptedDomains={{smtp.acceptedDomains}}")
                .routeId("smtp-in")
                .process(exchange -> {
                    String sender = exchange.getMessage().getHeader(SmtpServerConstants.ENVELOPE_FROM, String.class);
                    if (sender.endsWith("@spam.example")) {
                        throw new SmtpRejectException(550, "5.7.1", "Sender refused by policy");
                    }
                })
                .log("${header.CamelSmtpMessageId} from <${header.CamelSmtpEnvelopeFrom}>"
                     + " to ${header.CamelSmtpEnvelopeTo} via ${header.CamelSmtpTlsProtocol}")
                .to("smtp-queue:outbound?spoolDirectory={{spool.dir:data/spool}}/outbound");

            from("smtp-queue:outbound?spoolDirectory={{spool.dir:data/spool}}/outbound&minBackoff={{retry.min:5m}}")
                .routeId("smtp-out")
                .errorHandler(defaultErrorHandler().logExhausted(false))
                .to("{{delivery.uri:smtp-relay:mx}}");
        }
    }

    @TempDir
    Path tmp;

    private SmtpSink sink;
    private int smtpPort;
    private CamelContext context;
    private Main main;
    /** Headers of the last exchange each route completed or failed, keyed by route id. */
    private final Map<String, Map<String, Object>> seen = new ConcurrentHashMap<>();

    @BeforeAll
    static void keyStore() throws Exception {
        Peers.selfSignedKeyStore(KEYSTORE, KEYSTORE_PASSWORD);
    }

    @BeforeEach
    void startSink() throws Exception {
        String smtpSink = smtpSink();
        assumeTrue(smtpSink != null, "SKIPPED: smtp-sink (Debian package postfix) is not installed, the next hop of"
                                     + " this end-to-end test");
        sink = SmtpSink.start(tmp);
        smtpPort = freePort();
    }

    @AfterEach
    void stop() throws Exception {
        if (context != null) {
            context.stop();
        }
        if (main != null) {
            main.stop();
        }
        if (sink != null) {
            sink.close();
        }
    }

    /** The properties both bootstraps give MailRoutes. */
    private Properties routeProperties() {
        Properties p = new Properties();
        p.setProperty("smtp.host", "127.0.0.1");
        p.setProperty("smtp.port", String.valueOf(smtpPort));
        p.setProperty("smtp.hostName", "embedded.test");
        p.setProperty("smtp.acceptedDomains", "example.net");
        p.setProperty("spool.dir", tmp.resolve("spool").toString());
        p.setProperty("delivery.uri", "smtp-relay:127.0.0.1:" + sink.port() + "?tls=none&connectTimeout=2s");
        return p;
    }

    /** The plain CamelContext of docs/embedding.md: TLS and the smtp-server component set up in Java. */
    private void startCamelContext() throws Exception {
        KeyStoreParameters store = new KeyStoreParameters();
        store.setResource("file:" + KEYSTORE);
        store.setPassword(KEYSTORE_PASSWORD);
        KeyManagersParameters keys = new KeyManagersParameters();
        keys.setKeyStore(store);
        keys.setKeyPassword(KEYSTORE_PASSWORD);
        SSLContextParameters tls = new SSLContextParameters();
        tls.setKeyManagers(keys);

        context = new DefaultCamelContext();
        context.getPropertiesComponent().setInitialProperties(routeProperties());
        context.setSSLContextParameters(tls);
        SmtpServerComponent smtpServer = new SmtpServerComponent();
        smtpServer.setUseGlobalSslContextParameters(true);
        context.addComponent("smtp-server", smtpServer);
        context.getManagementStrategy().addEventNotifier(new EventNotifierSupport() {
            @Override
            public boolean isEnabled(CamelEvent event) {
                return event instanceof CamelEvent.ExchangeCompletedEvent
                       || event instanceof CamelEvent.ExchangeFailedEvent;
            }

            @Override
            public void notify(CamelEvent event) {
                Exchange exchange = ((CamelEvent.ExchangeEvent) event).getExchange();
                seen.put(exchange.getFromRouteId(), new HashMap<>(exchange.getMessage().getHeaders()));
            }
        });
        context.addRoutes(new MailRoutes());
        context.start();
    }

    /** A Jakarta Mail session that insists on STARTTLS and trusts only the test's certificate. */
    private Session mailSession() throws Exception {
        KeyStore server = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(KEYSTORE)) {
            server.load(in, KEYSTORE_PASSWORD.toCharArray());
        }
        KeyStore trusted = KeyStore.getInstance("PKCS12");
        trusted.load(null, null);
        trusted.setCertificateEntry("smtp", server.getCertificate("smtp"));
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trusted);
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(null, tmf.getTrustManagers(), null);

        Properties props = new Properties();
        props.put("mail.smtp.host", "127.0.0.1");
        props.put("mail.smtp.port", String.valueOf(smtpPort));
        props.put("mail.smtp.localhost", "client.test");
        props.put("mail.smtp.starttls.enable", "true");
        props.put("mail.smtp.starttls.required", "true");
        props.put("mail.smtp.ssl.checkserveridentity", "true");
        props.put("mail.smtp.ssl.socketFactory", ssl.getSocketFactory());
        props.put("mail.smtp.connectiontimeout", "5000");
        props.put("mail.smtp.timeout", "10000");
        props.put("mail.smtp.writetimeout", "10000");
        return Session.getInstance(props);
    }

    /** Sends one message with Jakarta Mail; returns the server's reply to the final dot. */
    private String send(String from, String to, String subject) throws Exception {
        Session session = mailSession();
        MimeMessage message = new MimeMessage(session);
        message.setFrom(new InternetAddress(from));
        message.setRecipients(Message.RecipientType.TO, to);
        message.setSubject(subject);
        message.setText("sent from a plain CamelContext test\n");
        try (SMTPTransport transport = (SMTPTransport) session.getTransport("smtp")) {
            transport.connect();
            transport.sendMessage(message, message.getAllRecipients());
            return transport.getLastServerResponse().trim();
        }
    }

    private String awaitDump(String queueId) throws Exception {
        return sink.awaitDump(queueId, 20);
    }

    private Map<String, Object> awaitSeen(String routeId) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline && !seen.containsKey(routeId)) {
            Thread.sleep(20);
        }
        assertTrue(seen.containsKey(routeId), "route " + routeId + " saw no exchange");
        return seen.get(routeId);
    }

    private static String queueId(String reply) {
        assertTrue(reply.startsWith("250 2.0.0 Ok: queued as "), reply);
        return reply.substring("250 2.0.0 Ok: queued as ".length()).trim();
    }

    @Test
    void javaRoutesRelayThroughTheQueueToTheNextHop() throws Exception {
        startCamelContext();

        String id = queueId(send("alice@example.org", "bob@example.net", "embedded"));

        Map<String, Object> in = awaitSeen("smtp-in");
        assertEquals("alice@example.org", in.get(SmtpServerConstants.ENVELOPE_FROM));
        assertEquals(List.of("bob@example.net"), in.get(SmtpServerConstants.ENVELOPE_TO));
        assertEquals(id, in.get(SmtpServerConstants.MESSAGE_ID));
        assertEquals("client.test", in.get(SmtpServerConstants.HELO));
        assertEquals("127.0.0.1", in.get(SmtpServerConstants.REMOTE_ADDRESS));
        assertEquals(smtpPort, in.get(SmtpServerConstants.LOCAL_PORT));
        assertEquals("TLSv1.3", in.get(SmtpServerConstants.TLS_PROTOCOL), "STARTTLS from the global TLS settings");
        assertEquals("7BIT", in.get(SmtpServerConstants.BODY_TYPE));

        String message = awaitDump(id);
        assertTrue(message.contains("X-Mail-Args: <alice@example.org>"), message);
        assertTrue(message.contains("X-Rcpt-Args: <bob@example.net>"), message);
        assertTrue(message.contains("by embedded.test (camel-smtp) with ESMTPS id " + id), message);
        assertTrue(message.contains("(using TLSv1.3 with cipher "), message);
        assertTrue(message.contains("Subject: embedded"), message);
        assertTrue(message.contains("sent from a plain CamelContext test"), message);

        Map<String, Object> out = awaitSeen("smtp-out");
        assertEquals(id, out.get(SmtpQueueConstants.QUEUE_ID));
        assertEquals(1, out.get(SmtpQueueConstants.ATTEMPT));
        assertEquals(List.of("bob@example.net"), out.get(SmtpQueueConstants.ENVELOPE_TO));
        assertEquals(1, sink.dumped().size(), "one message at the next hop");
    }

    @Test
    void rejectExceptionThrownInJavaIsTheClientsReply() throws Exception {
        startCamelContext();

        SMTPSendFailedException refused = assertThrows(SMTPSendFailedException.class,
                () -> send("mallory@spam.example", "bob@example.net", "refused"));
        assertEquals(550, refused.getReturnCode());
        assertEquals("550 5.7.1 Sender refused by policy", refused.getMessage().trim());
        Map<String, Object> in = awaitSeen("smtp-in");
        assertEquals("mallory@spam.example", in.get(SmtpServerConstants.ENVELOPE_FROM));

        // the session goes on: the next message from the same client is accepted and delivered
        String id = queueId(send("alice@example.org", "bob@example.net", "accepted"));
        assertTrue(awaitDump(id).contains("X-Mail-Args: <alice@example.org>"));
        Thread.sleep(300);
        assertEquals(1, sink.dumped().size(), "the refused message never reaches the next hop");
    }

    @Test
    void plainCamelMainRunsTheSameRoutesWithTlsFromProperties() throws Exception {
        assumeTrue(runs("swaks", "--version"), "SKIPPED: swaks is not installed, this end-to-end test needs it");
        assumeTrue(runs("perl", "-MNet::SSLeay", "-e", "1"),
                "SKIPPED: perl's Net::SSLeay is not installed, swaks needs it for STARTTLS");

        main = new Main();
        main.configure().addRoutesBuilder(new MailRoutes());
        routeProperties().forEach((k, v) -> main.addInitialProperty((String) k, (String) v));
        main.addInitialProperty("camel.ssl.enabled", "true");
        main.addInitialProperty("camel.ssl.keyStore", "file:" + KEYSTORE);
        main.addInitialProperty("tls.password", KEYSTORE_PASSWORD);
        main.addInitialProperty("camel.ssl.keystorePassword", "{{tls.password}}");
        main.addInitialProperty("camel.component.smtp-server.useGlobalSslContextParameters", "true");
        main.addInitialProperty("camel.main.shutdownTimeout", "45");
        main.start();

        String out = run(List.of("swaks", "--server", "127.0.0.1", "--port", String.valueOf(smtpPort),
                "--helo", "client.test", "--tls", "--from", "alice@example.org", "--to", "bob@example.net",
                "--header", "Subject: from camel main"));
        assertTrue(out.contains("<-  250 STARTTLS") || out.contains("<-  250-STARTTLS"), out);
        assertTrue(out.contains("<~  250 2.0.0 Ok: queued as "), out);
        String id = out.substring(out.indexOf("queued as ") + 10).split("\\s")[0];
        String message = awaitDump(id);
        assertTrue(message.contains("by embedded.test (camel-smtp) with ESMTPS id " + id), message);
        assertTrue(message.contains("Subject: from camel main"), message);

        String refused = run(List.of("swaks", "--server", "127.0.0.1", "--port", String.valueOf(smtpPort),
                "--helo", "client.test", "--tls", "--from", "mallory@spam.example", "--to", "bob@example.net"));
        assertTrue(refused.contains("<~* 550 5.7.1 Sender refused by policy"), refused);
        assertNotNull(main.getCamelContext().getRoute("smtp-out"));
    }
}

package io.camelsmtp.smtp.springboot;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import io.camelsmtp.smtp.queue.DeliveryEvent;
import io.camelsmtp.smtp.queue.SmtpQueueComponent;
import io.camelsmtp.smtp.queue.SmtpQueueEndpoint;
import io.camelsmtp.smtp.relay.SmtpRelayComponent;
import io.camelsmtp.smtp.relay.client.TlsPolicy;
import io.camelsmtp.smtp.server.SmtpServerComponent;
import io.camelsmtp.smtp.server.SmtpServerEndpoint;
import io.camelsmtp.smtp.server.auth.MapAuthenticator;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.eclipse.angus.mail.smtp.SMTPSendFailedException;
import org.eclipse.angus.mail.smtp.SMTPTransport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Bean;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The starter in a Spring Boot application: camel-spring-boot-starter, camel-yaml-dsl and this starter, the routes
 * from {@code camel/mail-relay.camel.yaml} (smtp-server with STARTTLS and AUTH required, the durable smtp-queue,
 * smtp-relay to Postfix's smtp-sink as the smart host), the component options from
 * {@code application-mail-relay.properties}.
 * A Jakarta Mail client sends over verified STARTTLS with AUTH: the message must reach smtp-sink and the queue must
 * report it delivered. STARTTLS working at all shows that the starter applied
 * {@code camel.component.smtp-server.use-global-ssl-context-parameters}: no endpoint names a TLS setting.
 */
@SpringBootTest(classes = SpringBootStarterTest.MailApplication.class,
                webEnvironment = SpringBootTest.WebEnvironment.NONE)
@ActiveProfiles("mail-relay") // application-mail-relay.properties: the other tests' applications do not read it
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS) // stop the listener and release the spool's lock
class SpringBootStarterTest {

    private static final String USER = "alice";
    private static final String PASSWORD = "wonderland";
    private static final String TRUST_STORE = "/trust.p12";
    private static final String TRUST_PASSWORD = "changeit";

    @TempDir
    static Path work;
    private static SmtpSink sink;
    private static int relayPort;
    private static int smtpPort;

    /** The application under test: the YAML routes need only these two beans besides the auto-configuration. */
    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class MailApplication {

        /** The AUTH users; the YAML names it {@code #bean:users}. */
        @Bean
        MapAuthenticator users() {
            return new MapAuthenticator(Map.of(USER, PASSWORD));
        }

        /** The queue's events go here ({@code direct:delivery-events} in the YAML). */
        @Bean
        DeliveryEvents deliveryEvents() {
            return new DeliveryEvents();
        }
    }

    /** Collects the DeliveryEvents the queue sends to its eventsUri. */
    static final class DeliveryEvents implements Processor {

        private final BlockingQueue<DeliveryEvent> events = new LinkedBlockingQueue<>();

        @Override
        public void process(Exchange exchange) throws Exception {
            events.add(exchange.getMessage().getMandatoryBody(DeliveryEvent.class));
        }

        /** Waits for the event of this type for this queue id, skipping others (such as queued). */
        DeliveryEvent await(String type, String queueId) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (System.nanoTime() < deadline) {
                DeliveryEvent event = events.poll(100, TimeUnit.MILLISECONDS);
                if (event != null && event.type().equals(type) && event.queueId().equals(queueId)) {
                    return event;
                }
            }
            throw new AssertionError("no " + type + " event for " + queueId);
        }
    }

    @BeforeAll
    static void startSmartHost() throws Exception {
        // the application starts without smtp-sink (the relay connects only when there is mail to deliver): only the
        // test that needs the smart host skips
        if (SmtpSink.command() != null) {
            sink = SmtpSink.start(work);
        }
        relayPort = sink != null ? sink.port() : SmtpSink.freePort();
        smtpPort = SmtpSink.freePort();
    }

    @AfterAll
    static void stopSmartHost() throws Exception {
        if (sink != null) {
            sink.close();
        }
    }

    @DynamicPropertySource
    static void ports(DynamicPropertyRegistry registry) {
        registry.add("smtp.port", () -> smtpPort);
        registry.add("relay.port", () -> relayPort);
        registry.add("spool.dir", () -> work.resolve("spool").toString());
    }

    private static void assumeSmartHost() {
        assumeTrue(sink != null, "SKIPPED: smtp-sink (Debian package postfix) is not installed, the smart host of this"
                                 + " end-to-end test");
    }

    @Autowired
    CamelContext camelContext;

    @Autowired
    DeliveryEvents deliveryEvents;

    @Test
    void componentPropertiesAreApplied() {
        assertTrue(camelContext.getComponent("smtp-server", SmtpServerComponent.class)
                .isUseGlobalSslContextParameters(), "camel.component.smtp-server.use-global-ssl-context-parameters");
        assertTrue(camelContext.getComponent("smtp-relay", SmtpRelayComponent.class).isLazyStartProducer(),
                "camel.component.smtp-relay.lazy-start-producer");
        assertTrue(camelContext.getComponent("smtp-queue", SmtpQueueComponent.class).isLazyStartProducer(),
                "camel.component.smtp-queue.lazy-start-producer");
    }

    @Test
    void endpointsInheritTheComponentDefaults() {
        SmtpServerEndpoint in = (SmtpServerEndpoint) camelContext.getRoute("smtp-in").getEndpoint();
        assertEquals("starter.test", in.getConfiguration().getHostName());
        assertTrue(in.getConfiguration().isRequireTls() && in.getConfiguration().isRequireAuth());
        assertInstanceOf(MapAuthenticator.class, in.getConfiguration().getAuthenticator(), "#bean:users");
        SmtpQueueEndpoint out = (SmtpQueueEndpoint) camelContext.getRoute("smtp-out").getEndpoint();
        assertEquals(1000, out.getConfiguration().getMinBackoff());
        assertEquals("direct:delivery-events", out.getConfiguration().getEventsUri());
        assertTrue(Files.exists(work.resolve("spool").resolve("outbound").resolve("lock")), "the spool is spool-root/NAME");
        assertEquals(TlsPolicy.none, camelContext.getComponent("smtp-relay", SmtpRelayComponent.class).getConfiguration()
                .getTls());
    }

    @Test
    void authenticatedMailOverStartTlsIsQueuedAndRelayedToTheSmartHost() throws Exception {
        assumeSmartHost();
        String reply = send(true, "alice@example.org", "bob@example.net", "through spring boot");
        assertTrue(reply.startsWith("250 2.0.0 Ok: queued as "), reply);
        String id = reply.substring("250 2.0.0 Ok: queued as ".length()).trim();

        String message = sink.awaitDump(id, 20);
        assertTrue(message.contains("X-Mail-Args: <alice@example.org>"), message);
        assertTrue(message.contains("X-Rcpt-Args: <bob@example.net>"), message);
        // ESMTPSA: TLS and AUTH (RFC 3848); the name is smtp.hostName from application-mail-relay.properties
        assertTrue(message.contains("by starter.test (camel-smtp) with ESMTPSA id " + id), message);
        assertTrue(message.contains("Subject: through spring boot"), message);

        DeliveryEvent delivered = deliveryEvents.await(DeliveryEvent.DELIVERED, id);
        assertEquals("bob@example.net", delivered.recipient());
        assertEquals(250, delivered.code());
        assertEquals(1, delivered.attempt());
    }

    @Test
    void mailWithoutAuthIsRefused() throws Exception {
        SMTPSendFailedException refused = assertThrows(SMTPSendFailedException.class,
                () -> send(false, "mallory@example.org", "bob@example.net", "no auth"));
        assertEquals("530 5.7.0 Authentication required", refused.getMessage().trim());
    }

    /** Sends one message over verified STARTTLS (with AUTH or without); returns the reply to the final dot. */
    private static String send(boolean auth, String from, String to, String subject) throws Exception {
        Session session = Session.getInstance(clientProperties(auth));
        MimeMessage message = new MimeMessage(session);
        message.setFrom(new InternetAddress(from));
        message.setRecipients(Message.RecipientType.TO, to);
        message.setSubject(subject);
        message.setText("sent by camel-smtp-spring-boot-starter's test\n");
        try (SMTPTransport transport = (SMTPTransport) session.getTransport("smtp")) {
            if (auth) {
                transport.connect(USER, PASSWORD);
            } else {
                transport.connect();
            }
            transport.sendMessage(message, message.getAllRecipients());
            return transport.getLastServerResponse().trim();
        }
    }

    /**
     * Jakarta Mail that insists on STARTTLS, trusts only the test certificate and checks that it names the host it
     * connected to (127.0.0.17 is in the certificate).
     */
    private static Properties clientProperties(boolean auth) throws Exception {
        KeyStore trusted = KeyStore.getInstance("PKCS12");
        try (InputStream in = SpringBootStarterTest.class.getResourceAsStream(TRUST_STORE)) {
            trusted.load(in, TRUST_PASSWORD.toCharArray());
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trusted);
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(null, tmf.getTrustManagers(), null);

        Properties props = new Properties();
        props.put("mail.smtp.host", "127.0.0.17");
        props.put("mail.smtp.port", String.valueOf(smtpPort));
        props.put("mail.smtp.localhost", "client.test");
        props.put("mail.smtp.auth", String.valueOf(auth));
        props.put("mail.smtp.starttls.enable", "true");
        props.put("mail.smtp.starttls.required", "true");
        props.put("mail.smtp.ssl.checkserveridentity", "true");
        props.put("mail.smtp.ssl.socketFactory", ssl.getSocketFactory());
        props.put("mail.smtp.connectiontimeout", "5000");
        props.put("mail.smtp.timeout", "10000");
        props.put("mail.smtp.writetimeout", "10000");
        return props;
    }
}

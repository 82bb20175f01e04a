package io.camelsmtp.smtp.server.peers;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.time.Duration;
import java.util.Comparator;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import io.camelsmtp.smtp.server.SmtpServerConstants;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import org.apache.camel.Exchange;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.mock.MockEndpoint;
import org.apache.camel.spi.Registry;
import org.apache.camel.test.AvailablePortFinder;
import org.apache.camel.test.junit5.CamelTestSupport;
import org.eclipse.angus.mail.smtp.SMTPTransport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import static io.camelsmtp.smtp.server.peers.PeerRoutes.QUEUE_ID;
import static io.camelsmtp.smtp.server.peers.PeerRoutes.body;
import static io.camelsmtp.smtp.server.peers.PeerRoutes.envelopeTo;
import static io.camelsmtp.smtp.server.peers.PeerRoutes.header;
import static io.camelsmtp.smtp.server.peers.PeerRoutes.receivedHeader;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A real MTA in front of the listener: a private Postfix instance (its own config, queue and log under a temporary
 * directory, loopback only, no DNS, started with {@code postfix -c DIR start} and stopped in {@link AfterAll})
 * relays to smtp-server through STARTTLS with the test certificate verified. Jakarta Mail injects into Postfix's
 * smtpd. Checked from both ends: what the route got, and what Postfix logged as the outcome of each reply we sent
 * after DATA (250 sent, 550 bounced, 451 deferred). The bounce Postfix then sends comes back with the null sender.
 * <p>
 * BDAT is not covered here: Postfix's SMTP client (3.7) answers our CHUNKING with DATA (only its smtpd has BDAT);
 * {@link PeerJakartaMailBdatTest} covers BDAT.
 */
class PeerPostfixRelayTest extends CamelTestSupport {

    private static final Logger LOG = LoggerFactory.getLogger(PeerPostfixRelayTest.class);
    private static final int SMTPD_PORT = AvailablePortFinder.getNextAvailable();
    private static final int RELAY_PORT = AvailablePortFinder.getNextAvailable();
    private static final Duration LIMIT = Duration.ofSeconds(60);
    private static final Duration DELIVERY = Duration.ofSeconds(30);

    private static Path postfix;
    private static Path base;

    @BeforeAll
    static void startPostfix() throws Exception {
        Optional<Path> found = PeerProcess.find("/usr/sbin/postfix", "postfix");
        if (found.isEmpty()) {
            return;
        }
        postfix = found.get();
        base = Files.createTempDirectory("peer-postfix");
        // Postfix's daemons run as user postfix and must reach the spool and data directories
        Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path etc = Files.createDirectories(base.resolve("etc"));
        Files.createDirectories(base.resolve("spool"));
        Path data = Files.createDirectories(base.resolve("data"));
        UserPrincipal owner = data.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("postfix");
        Files.setOwner(data, owner);
        Path ca = PeerTls.resource("peers/localhost.crt");
        for (String name : List.of("main.cf", "master.cf")) {
            String template = Files.readString(PeerTls.resource("peers/postfix/" + name), StandardCharsets.UTF_8);
            Files.writeString(etc.resolve(name), template.replace("@BASE@", base.toString())
                    .replace("@SMTPD_PORT@", String.valueOf(SMTPD_PORT)).replace("@RELAY_PORT@", String.valueOf(RELAY_PORT))
                    .replace("@CA_FILE@", ca.toString()), StandardCharsets.UTF_8);
        }
        PeerProcess.Result r = PeerProcess.run(LIMIT, List.of(postfix.toString(), "-c", etc.toString(), "start"));
        if (r.exitCode() != 0) {
            fail("private Postfix did not start\n" + r.describe() + "\n--- maillog ---\n" + maillog());
        }
        boolean listening = PeerRoutes.await(Duration.ofSeconds(20), () -> {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", SMTPD_PORT), 1000);
                return true;
            } catch (IOException e) {
                return false;
            }
        });
        if (!listening) {
            fail("private Postfix does not listen on 127.0.0.1:" + SMTPD_PORT + "\n--- maillog ---\n" + maillog());
        }
    }

    @AfterAll
    static void stopPostfix() throws Exception {
        if (base == null) {
            return;
        }
        try {
            PeerProcess.Result r = PeerProcess.run(LIMIT,
                    List.of(postfix.toString(), "-c", base.resolve("etc").toString(), "stop"));
            LOG.info("postfix stop: exit {}", r.exitCode());
            Path pidFile = base.resolve("spool/pid/master.pid");
            if (Files.exists(pidFile)) {
                // stop did not finish the job: end the master (and through it its children) by its id
                long pid = Long.parseLong(Files.readString(pidFile).strip());
                ProcessHandle.of(pid).ifPresent(master -> {
                    master.descendants().forEach(ProcessHandle::destroyForcibly);
                    master.destroyForcibly();
                });
            }
        } finally {
            try (Stream<Path> files = Files.walk(base)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
            base = null;
        }
    }

    @BeforeEach
    void requirePostfix() {
        Assumptions.assumeTrue(base != null, "postfix not installed: apt-get install postfix");
    }

    private static String maillog() {
        try {
            Path log = base.resolve("maillog");
            return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "(no maillog)";
        } catch (IOException e) {
            return "(maillog unreadable: " + e + ")";
        }
    }

    @Override
    protected void bindToRegistry(Registry registry) throws Exception {
        registry.bind("tls", PeerTls.serverParameters());
    }

    @Override
    protected RoutesBuilder createRouteBuilder() {
        return new RouteBuilder() {
            @Override
            public void configure() {
                from("smtp-server:127.0.0.1:" + RELAY_PORT + "?acceptedDomains=*&hostName=mx.test&sslContextParameters=#tls")
                        .routeId("relay").convertBodyTo(byte[].class)
                        .choice()
                        .when(e -> envelopeTo(e).contains("reject@example.org"))
                        .setHeader(SmtpServerConstants.REPLY, constant("550 5.7.1 Refused by the route"))
                        .when(e -> envelopeTo(e).contains("later@example.org"))
                        .setHeader(SmtpServerConstants.REPLY, constant("451 4.3.0 Not now"))
                        .otherwise()
                        .to("mock:relay");
            }
        };
    }

    /** Injects a message into Postfix's smtpd; returns Postfix's queue id for it. */
    private static String injectIntoPostfix(String to, String subject) throws Exception {
        Properties p = new Properties();
        p.put("mail.smtp.host", "127.0.0.1");
        p.put("mail.smtp.port", String.valueOf(SMTPD_PORT));
        p.put("mail.smtp.localhost", "client.test");
        p.put("mail.smtp.connectiontimeout", "20000");
        p.put("mail.smtp.timeout", "20000");
        Session session = Session.getInstance(p);
        MimeMessage m = new MimeMessage(session);
        m.setFrom(new InternetAddress("sender@client.test"));
        m.setRecipients(Message.RecipientType.TO, to);
        m.setSubject(subject);
        m.setSentDate(new Date());
        m.setText("Relayed by Postfix.\r\n");
        m.saveChanges();
        try (Transport t = session.getTransport("smtp")) {
            t.connect();
            t.sendMessage(m, m.getAllRecipients());
            String reply = ((SMTPTransport) t).getLastServerResponse();
            Matcher id = Pattern.compile("queued as ([0-9A-Za-z]+)").matcher(reply);
            assertTrue(id.find(), reply);
            return id.group(1);
        }
    }

    /** The line Postfix logged for the delivery attempt of its message {@code postfixId}. */
    private static String deliveryLogLine(String postfixId) throws InterruptedException {
        String[] line = new String[1];
        PeerRoutes.await(DELIVERY, () -> {
            line[0] = maillog().lines().filter(l -> l.contains(postfixId + ": to=<") && l.contains(" status="))
                    .findFirst().orElse(null);
            return line[0] != null;
        });
        assertNotNull(line[0], "Postfix logged no delivery for " + postfixId + "\n--- maillog ---\n" + maillog());
        return line[0];
    }

    @Test
    void relayedOverVerifiedStartTls() throws Exception {
        MockEndpoint mock = getMockEndpoint("mock:relay");
        mock.setResultWaitTime(DELIVERY.toMillis());
        mock.expectedMessageCount(1);
        String postfixId = injectIntoPostfix("rcpt@example.org", "via postfix");
        mock.assertIsSatisfied();

        Exchange e = mock.getExchanges().get(0);
        String ourId = header(e, SmtpServerConstants.MESSAGE_ID);
        assertTrue(ourId.matches(QUEUE_ID), ourId);
        assertEquals("sender@client.test", header(e, SmtpServerConstants.ENVELOPE_FROM));
        assertEquals(List.of("rcpt@example.org"), envelopeTo(e));
        assertEquals("postfix.test", header(e, SmtpServerConstants.HELO));
        assertEquals("TLSv1.3", header(e, SmtpServerConstants.TLS_PROTOCOL));
        assertNotNull(e.getIn().getHeader(SmtpServerConstants.DECLARED_SIZE), "Postfix declares SIZE=");
        assertTrue(receivedHeader(e).startsWith("Received: from postfix.test ([127.0.0.1]) (using TLSv1.3 with cipher "),
                receivedHeader(e));
        assertTrue(receivedHeader(e).contains(" by mx.test (camel-smtp) with ESMTPS id " + ourId + " for <rcpt@example.org>;"),
                receivedHeader(e));
        String body = body(e);
        // Postfix's own trace header follows ours, with its queue id
        assertTrue(body.contains("by postfix.test (Postfix) with ESMTP id " + postfixId), body);
        assertTrue(body.contains("\r\nSubject: via postfix\r\n"), body);

        String line = deliveryLogLine(postfixId);
        assertTrue(line.contains("relay=127.0.0.1[127.0.0.1]:" + RELAY_PORT), line);
        assertTrue(line.contains("status=sent (250 2.0.0 Ok: queued as " + ourId + ")"), line);
        String log = maillog();
        assertTrue(log.contains("Verified TLS connection established to 127.0.0.1[127.0.0.1]:" + RELAY_PORT + ": TLSv1.3"),
                log);
    }

    @Test
    void refusalAfterDataBouncesAndTheBounceArrivesWithTheNullSender() throws Exception {
        MockEndpoint mock = getMockEndpoint("mock:relay");
        mock.setResultWaitTime(DELIVERY.toMillis());
        mock.expectedMessageCount(1);
        String postfixId = injectIntoPostfix("reject@example.org", "to be refused");

        String line = deliveryLogLine(postfixId);
        assertTrue(line.contains("status=bounced (host 127.0.0.1[127.0.0.1] said: 550 5.7.1 Refused by the route "
                                 + "(in reply to end of DATA command))"),
                line);
        // Postfix's bounce goes to the sender, through the same relay, from the null reverse-path
        mock.assertIsSatisfied();
        Exchange bounce = mock.getExchanges().get(0);
        assertEquals("", header(bounce, SmtpServerConstants.ENVELOPE_FROM));
        assertEquals(List.of("sender@client.test"), envelopeTo(bounce));
        String body = body(bounce);
        assertTrue(body.contains("550 5.7.1 Refused by the route"), body);
        assertTrue(body.contains("Subject: Undelivered Mail Returned to Sender"), body);
    }

    @Test
    void temporaryFailureAfterDataIsDeferred() throws Exception {
        MockEndpoint mock = getMockEndpoint("mock:relay");
        mock.expectedMessageCount(0);
        String postfixId = injectIntoPostfix("later@example.org", "to be deferred");

        String line = deliveryLogLine(postfixId);
        assertTrue(line.contains("status=deferred (host 127.0.0.1[127.0.0.1] said: 451 4.3.0 Not now "
                                 + "(in reply to end of DATA command))"),
                line);
        mock.assertIsSatisfied(200);
    }
}

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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
import org.apache.camel.RoutesBuilder;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.mock.MockEndpoint;
import org.apache.camel.test.AvailablePortFinder;
import org.apache.camel.test.junit5.CamelTestSupport;
import org.eclipse.angus.mail.smtp.SMTPTransport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import static io.camelsmtp.smtp.server.peers.PeerRoutes.envelopeTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Real LMTP clients of the listener with lmtp=true: a private Postfix instance (as in {@link PeerPostfixRelayTest}, but
 * with {@code default_transport = lmtp:inet:[127.0.0.1]:PORT}) hands one message for three recipients to the route,
 * which answers each through CamelSmtpRecipientReplies; Postfix's log shows one outcome per recipient: sent, deferred
 * (452) and bounced (550) with our reply text. Python's smtplib.LMTP (LHLO; its further per-recipient replies read with
 * its getreply()) does the same from a second client.
 */
class PeerPostfixLmtpTest extends CamelTestSupport {

    private static final Logger LOG = LoggerFactory.getLogger(PeerPostfixLmtpTest.class);
    private static final int SMTPD_PORT = AvailablePortFinder.getNextAvailable();
    private static final int LMTP_PORT = AvailablePortFinder.getNextAvailable();
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
        base = Files.createTempDirectory("peer-postfix-lmtp");
        // Postfix's daemons run as user postfix and must reach the spool and data directories
        Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path etc = Files.createDirectories(base.resolve("etc"));
        Files.createDirectories(base.resolve("spool"));
        Path data = Files.createDirectories(base.resolve("data"));
        UserPrincipal owner = data.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("postfix");
        Files.setOwner(data, owner);
        for (String name : List.of("postfix-lmtp/main.cf", "postfix/master.cf")) {
            String template = Files.readString(PeerTls.resource("peers/" + name), StandardCharsets.UTF_8);
            Files.writeString(etc.resolve(name.substring(name.indexOf('/') + 1)), template.replace("@BASE@", base.toString())
                    .replace("@SMTPD_PORT@", String.valueOf(SMTPD_PORT)).replace("@LMTP_PORT@", String.valueOf(LMTP_PORT)),
                    StandardCharsets.UTF_8);
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

    private static String maillog() {
        try {
            Path log = base.resolve("maillog");
            return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "(no maillog)";
        } catch (IOException e) {
            return "(maillog unreadable: " + e + ")";
        }
    }

    @Override
    protected RoutesBuilder createRouteBuilder() {
        return new RouteBuilder() {
            @Override
            public void configure() {
                from("smtp-server:127.0.0.1:" + LMTP_PORT + "?lmtp=true&acceptedDomains=*&hostName=mailbox.test")
                        .routeId("lmtp").convertBodyTo(byte[].class)
                        .process(e -> {
                            Map<String, String> replies = new LinkedHashMap<>();
                            for (String r : envelopeTo(e)) {
                                if (r.startsWith("full@")) {
                                    replies.put(r, "452 4.2.2 Mailbox full");
                                } else if (r.startsWith("gone@")) {
                                    replies.put(r, "550 5.1.1 No such user here");
                                }
                            }
                            e.getMessage().setHeader(SmtpServerConstants.RECIPIENT_REPLIES, replies);
                        })
                        .to("mock:lmtp");
            }
        };
    }

    /** Injects a message into Postfix's smtpd; returns Postfix's queue id for it. */
    private static String injectIntoPostfix(List<String> to, String subject) throws Exception {
        Properties p = new Properties();
        p.put("mail.smtp.host", "127.0.0.1");
        p.put("mail.smtp.port", String.valueOf(SMTPD_PORT));
        p.put("mail.smtp.localhost", "client.test");
        p.put("mail.smtp.connectiontimeout", "20000");
        p.put("mail.smtp.timeout", "20000");
        Session session = Session.getInstance(p);
        MimeMessage m = new MimeMessage(session);
        m.setFrom(new InternetAddress("sender@client.test"));
        m.setRecipients(Message.RecipientType.TO, String.join(", ", to));
        m.setSubject(subject);
        m.setSentDate(new Date());
        m.setText("Handed over by LMTP.\r\n");
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

    /** The line Postfix logged for the delivery attempt of its message {@code postfixId} to {@code rcpt}. */
    private static String deliveryLogLine(String postfixId, String rcpt) throws InterruptedException {
        String[] line = new String[1];
        PeerRoutes.await(DELIVERY, () -> {
            line[0] = maillog().lines().filter(l -> l.contains(postfixId + ": to=<" + rcpt + ">") && l.contains(" status="))
                    .findFirst().orElse(null);
            return line[0] != null;
        });
        assertNotNull(line[0], "Postfix logged no delivery for " + postfixId + " to " + rcpt + "\n--- maillog ---\n"
                               + maillog());
        return line[0];
    }

    @Test
    void postfixRecordsOneOutcomePerRecipient() throws Exception {
        Assumptions.assumeTrue(base != null, "postfix not installed: apt-get install postfix");
        MockEndpoint mock = getMockEndpoint("mock:lmtp");
        mock.setResultWaitTime(DELIVERY.toMillis());
        mock.expectedMinimumMessageCount(1);
        String postfixId = injectIntoPostfix(List.of("ok@example.org", "full@example.org", "gone@example.org"),
                "three mailboxes");
        mock.assertIsSatisfied();
        // Postfix orders the recipients itself; one LMTP transaction carries all three
        assertEquals(List.of("full@example.org", "gone@example.org", "ok@example.org"),
                envelopeTo(mock.getExchanges().get(0)).stream().sorted().toList(), "one LMTP transaction for the three");

        String relay = "relay=127.0.0.1[127.0.0.1]:" + LMTP_PORT;
        String ok = deliveryLogLine(postfixId, "ok@example.org");
        assertTrue(ok.contains(relay) && ok.contains("status=sent (250 2.0.0 Ok: queued as "), ok);
        String full = deliveryLogLine(postfixId, "full@example.org");
        assertTrue(full.contains("status=deferred (host 127.0.0.1[127.0.0.1] said: 452 4.2.2 Mailbox full "
                                 + "(in reply to end of DATA command))"), full);
        String gone = deliveryLogLine(postfixId, "gone@example.org");
        assertTrue(gone.contains("status=bounced (host 127.0.0.1[127.0.0.1] said: 550 5.1.1 No such user here "
                                 + "(in reply to end of DATA command))"), gone);
    }

    @Test
    void pythonSmtplibLmtpReadsOneReplyPerRecipient() throws Exception {
        Path python = PeerProcess.require("python3", "python3", "/usr/bin/python3", "python3");
        Path script = PeerTls.resource("peers/lmtp_client.py");
        PeerProcess.Result r = PeerProcess.run(LIMIT, List.of(python.toString(), script.toString(), "127.0.0.1",
                String.valueOf(LMTP_PORT), "gone@example.org", "ok@example.org", "full@example.org"), null,
                Map.of("PYTHONNOUSERSITE", "1", "PYTHONPATH", "", "PYTHONIOENCODING", "utf-8"));
        assertEquals(0, r.exitCode(), r.describe());
        List<String> lines = r.stdout().lines().toList();
        assertEquals("LHLO 250 PIPELINING", lines.get(0), r.describe());
        assertEquals("gone@example.org 550 5.1.1 No such user here", lines.get(1), r.describe());
        assertTrue(lines.get(2).startsWith("ok@example.org 250 2.0.0 Ok: queued as "), r.describe());
        assertEquals("full@example.org 452 4.2.2 Mailbox full", lines.get(3), r.describe());
        assertEquals(4, lines.size(), r.describe());
    }
}

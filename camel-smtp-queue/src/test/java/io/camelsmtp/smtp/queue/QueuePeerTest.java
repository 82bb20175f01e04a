package io.camelsmtp.smtp.queue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import io.camelsmtp.smtp.relay.testbed.PeerTestSupport;
import io.camelsmtp.smtp.relay.testbed.Swaks;
import jakarta.mail.Multipart;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.test.AvailablePortFinder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The MTA shape end to end through real peers: swaks and Python's smtplib submit to smtp-server, which queues; the
 * queue delivers by MX through dnsmasq to Postfix's smtp-sink (accepting, 451 to every RCPT, 550 to every RCPT),
 * and notifications travel the same way back to the sender's own MX, where the test reads them from the sink's dump.
 */
class QueuePeerTest extends PeerTestSupport {

    private static final String SENDER_DOMAIN = "multi.test";

    @TempDir
    static Path spool;

    private final int port = AvailablePortFinder.getNextAvailable();
    private final List<DeliveryEvent> events = new CopyOnWriteArrayList<>();

    @Override
    protected void routes(RouteBuilder b) {
        b.from("smtp-server:127.0.0.1:" + port + "?acceptedDomains=*&hostName=mta.test&maxConnectionsPerIp=0")
                .to("smtp-queue:peer?spoolDirectory=" + spool);
        b.from("smtp-queue:peer?spoolDirectory=" + spool + "&minBackoff=200&maxBackoff=400&maxQueueLifetime=1500"
               + "&reportingMta=mta.test&eventsUri=direct:events")
                .to(MX);
        b.from("direct:events").process(e -> events.add(e.getMessage().getBody(DeliveryEvent.class)));
    }

    private String swaks(String from, String to) throws Exception {
        return Swaks.accepted(port, from, to, "--header", "Subject: queue test", "--body", "hello queue");
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long end = System.currentTimeMillis() + 20_000;
        while (!condition.getAsBoolean()) {
            if (System.currentTimeMillis() > end) {
                fail("timed out waiting for: " + what);
            }
            Thread.sleep(50);
        }
    }

    private long count(String type, String recipient) {
        return events.stream().filter(e -> e.type().equals(type) && e.recipient().equals(recipient)).count();
    }

    /** The delivery-status part of the one notification the sender's MX received. */
    private static String deliveryStatus(String dumped) throws Exception {
        String message = dumped.substring(dumped.indexOf("\n", dumped.indexOf("X-Rcpt-Args:")) + 1);
        MimeMessage m = new MimeMessage(Session.getInstance(new Properties()),
                new ByteArrayInputStream(message.getBytes(StandardCharsets.ISO_8859_1)));
        assertTrue(m.getContentType().contains("report-type=delivery-status"), m.getContentType());
        Multipart mp = (Multipart) m.getContent();
        try (var in = mp.getBodyPart(1).getInputStream()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).replaceAll("\\r?\\n[ \\t]+", " "); // unfolded
        }
    }

    @Test
    void swaksToTheServerReachesTheRemoteSinkThroughTheQueue() throws Exception {
        String to = rcpt("multi.test");
        String out = swaks(rcpt(SENDER_DOMAIN), to);
        assertTrue(out.contains("<-  250 2.0.0 Ok: queued as "), out);
        String id = out.substring(out.indexOf("queued as ") + 10).split("\\s")[0];
        await("delivery at mx1", () -> testbed.dumped("mx1", to).size() == 1);
        String dumped = testbed.dumped("mx1", to).get(0);
        assertTrue(dumped.contains("id " + id), "one queue id from arrival to delivery: " + dumped);
        await("delivered event", () -> count(DeliveryEvent.DELIVERED, to) == 1);
        DeliveryEvent d = events.stream().filter(e -> e.type().equals(DeliveryEvent.DELIVERED)).findFirst().orElseThrow();
        assertEquals(id, d.queueId());
        assertEquals("mx1.multi.test", d.remoteHost());
        assertEquals("127.0.0.2", d.remoteAddress());
        assertEquals(250, d.code());
    }

    @Test
    void aRecipientTheRemoteRefusesBouncesToTheSenderItsOwnWay() throws Exception {
        String sender = rcpt(SENDER_DOMAIN);
        String to = rcpt("reject.test");
        swaks(sender, to);
        await("bounce at the sender's MX", () -> testbed.dumped("mx1", sender).size() == 1);
        String dumped = testbed.dumped("mx1", sender).get(0);
        assertTrue(dumped.contains("X-Mail-Args: <>"), "from the null sender: " + dumped);
        String status = deliveryStatus(dumped);
        assertTrue(status.contains("Final-Recipient: rfc822; " + to), status);
        assertTrue(status.contains("Action: failed"), status);
        assertTrue(status.contains("Status: 5.1.1"), status);
        assertTrue(status.contains("Remote-MTA: dns; mx.reject.test"), status);
        assertTrue(status.contains("Diagnostic-Code: smtp; 550 5.1.1"), status);
        assertEquals(1, count(DeliveryEvent.BOUNCED, to));
    }

    @Test
    void aNullMxDomainBouncesWithoutATry() throws Exception {
        String sender = rcpt(SENDER_DOMAIN);
        String to = rcpt("nullmx.test");
        swaks(sender, to);
        await("bounce", () -> testbed.dumped("mx1", sender).size() == 1);
        String status = deliveryStatus(testbed.dumped("mx1", sender).get(0));
        assertTrue(status.contains("Status: 5.1.10"), status);
    }

    @Test
    void aDomainThatDoesNotExistBouncesAndADnsFailureIsRetried() throws Exception {
        String sender = rcpt(SENDER_DOMAIN);
        String nx = rcpt("nx.test");
        String servfail = rcpt("servfail.test");
        swaks(sender, nx);
        swaks(sender, servfail);
        await("NXDOMAIN bounce", () -> testbed.dumped("mx1", sender).stream().anyMatch(m -> m.contains(nx)));
        String status = deliveryStatus(testbed.dumped("mx1", sender).stream().filter(m -> m.contains(nx)).findFirst().orElseThrow());
        assertTrue(status.contains("Final-Recipient: rfc822; " + nx) && status.contains("Status: 5.1.2"), status);
        await("SERVFAIL deferred twice", () -> count(DeliveryEvent.DEFERRED, servfail) >= 2);
        DeliveryEvent d = events.stream().filter(e -> e.recipient().equals(servfail)).filter(e -> e.type().equals(DeliveryEvent.DEFERRED))
                .findFirst().orElseThrow();
        assertEquals("4.4.3", d.enhancedStatus(), d.toJson());
        assertEquals(0, count(DeliveryEvent.BOUNCED, servfail), "a DNS failure is not final");
    }

    @Test
    void aRemoteThatKeepsDeferringIsRetriedThenExpiresAndBounces() throws Exception {
        String sender = rcpt(SENDER_DOMAIN);
        String to = rcpt("tempfail.test");
        swaks(sender, to);
        await("expiry bounce", () -> testbed.dumped("mx1", sender).size() == 1);
        assertTrue(count(DeliveryEvent.DEFERRED, to) >= 2, "retried: " + events);
        assertEquals(1, count(DeliveryEvent.EXPIRED, to));
        String status = deliveryStatus(testbed.dumped("mx1", sender).get(0));
        assertTrue(status.contains("Action: failed"), status);
        assertTrue(status.contains("Status: 4.3.0"), status);
        assertTrue(status.contains("Remote-MTA: dns; mx.tempfail.test"), status);
    }

    @Test
    void pythonSmtplibWithMixedRecipientsGetsOne250AndOnlyTheFailuresBounce() throws Exception {
        long n = System.nanoTime() % 100_000;
        String sender = "py-" + n + "@" + SENDER_DOMAIN;
        String good = "py-good-" + n + "@multi.test";
        String bad = "py-bad-" + n + "@reject.test";
        String script = "import smtplib\n"
                        + "s = smtplib.SMTP('127.0.0.1', " + port + ", timeout=20)\n"
                        + "refused = s.sendmail('" + sender + "', ['" + good + "', '" + bad + "'],"
                        + " 'Subject: mixed\\r\\nMessage-ID: <mixed@client.test>\\r\\n\\r\\nhi\\r\\n')\n"
                        + "print('refused', refused)\n"
                        + "s.quit()\n";
        Process p = new ProcessBuilder("python3", "-c", script).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("refused {}"), out);
        await("good delivered", () -> testbed.dumped("mx1", good).size() == 1);
        await("bounce for the bad one", () -> testbed.dumped("mx1", sender).size() == 1);
        String status = deliveryStatus(testbed.dumped("mx1", sender).get(0));
        assertTrue(status.contains(bad) && !status.contains(good), status);
    }
}

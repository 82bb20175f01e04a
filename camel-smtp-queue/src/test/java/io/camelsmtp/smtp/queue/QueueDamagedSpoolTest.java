package io.camelsmtp.smtp.queue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.camelsmtp.smtp.common.Envelope;
import io.camelsmtp.smtp.queue.spool.Spool;
import io.camelsmtp.smtp.queue.spool.SpoolEntry;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.test.junit5.CamelTestSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A spool file start-up cannot read in full is never dropped silently: the postmaster gets a notice, through the
 * delivery route like any mail, naming the message, its sender, its recipients and where its files are now.
 */
class QueueDamagedSpoolTest extends CamelTestSupport {

    @TempDir
    Path spool;

    private final List<String> notices = new CopyOnWriteArrayList<>();

    @Test
    void thePostmasterIsToldAboutAMessageThatCouldNotBeQueuedAgain() throws Exception {
        Spool s = new Spool(spool, 1 << 20);
        s.open();
        byte[] body = "Subject: stuck\r\n\r\nhello\r\n".getBytes(StandardCharsets.US_ASCII);
        SpoolEntry e = SpoolEntry.create("DAMAGED1", Instant.now(), SpoolEntry.Kind.MAIL, new Envelope("alice@example.org",
                List.of(Envelope.Recipient.of("bob@example.net"), Envelope.Recipient.of("carol@example.com")), null, false,
                null, null, null), body.length);
        s.enqueue(e, new ByteArrayInputStream(body));
        s.saveRetryState(e);
        s.close();
        Path env = spool.resolve("deferred/DAMAGED1.env");
        Files.writeString(env, Files.readString(env).replace("sender: alice@", "sender: alice=")); // unreadable sender

        context.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("smtp-queue:dmg?spoolDirectory=" + spool + "&postmaster=postmaster@example.org&reportingMta=mta.example.org")
                        .filter(header(SmtpQueueConstants.KIND).isEqualTo("postmaster"))
                        .process(x -> notices.add(x.getMessage().getBody(String.class)));
            }
        });
        long end = System.currentTimeMillis() + 10_000;
        while (notices.isEmpty()) {
            if (System.currentTimeMillis() > end) {
                fail("no notice reached the postmaster");
            }
            Thread.sleep(20);
        }
        String notice = notices.get(0);
        assertTrue(notice.contains("Subject: smtp-queue:dmg found 1 damaged message(s) in its spool"), notice);
        assertTrue(notice.contains("From: Mail Delivery System <MAILER-DAEMON@mta.example.org>"), notice);
        assertTrue(notice.contains("Message DAMAGED1\r\n  from:  (unreadable)\r\n  to:    bob@example.net\r\n"
                                   + "  to:    carol@example.com\r\n  done:  NOT queued: deliver or bounce it by hand\r\n"), notice);
        assertTrue(notice.contains("  file:  " + spool.resolve("corrupt") + "/DAMAGED1.eml."), notice);
        assertEquals(1, notices.size());
    }
}

package io.camelsmtp.smtp.server;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import io.camelsmtp.smtp.server.support.Messages;
import io.camelsmtp.smtp.server.support.SmtpDialogue;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.mock.MockEndpoint;
import org.apache.camel.converter.stream.FileInputStreamCache;
import org.apache.camel.test.AvailablePortFinder;
import org.apache.camel.test.junit5.CamelTestSupport;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Messages above spoolThreshold go through a temporary file, which never outlives its message. */
class SmtpServerSpoolTest extends CamelTestSupport {

    private final int port = AvailablePortFinder.getNextAvailable();
    private final Path spool = Path.of("target", "spool-" + port);

    @Override
    protected RoutesBuilder createRouteBuilder() {
        return new RouteBuilder() {
            @Override
            public void configure() {
                from("smtp-server:127.0.0.1:" + port + "?acceptedDomains=*&spoolThreshold=1000&maxMessageSize=20000"
                     + "&spoolDirectory=" + spool)
                        .process(e -> e.getMessage().setHeader("filesDuringRoute", count()))
                        .to("mock:inbox");
            }
        };
    }

    private long count() throws Exception {
        if (!Files.isDirectory(spool)) {
            return 0;
        }
        try (Stream<Path> files = Files.list(spool)) {
            return files.count();
        }
    }

    private static String large(String subject) {
        return Messages.simple(subject) + ("0123456789".repeat(9) + "\r\n").repeat(150);
    }

    @Test
    void largeMessageIsSpooledToAFileThatIsDeletedAfterTheRoute() throws Exception {
        MockEndpoint inbox = getMockEndpoint("mock:inbox");
        inbox.expectedMessageCount(1);
        try (SmtpDialogue s = SmtpDialogue.open(port).ehlo("client.test")) {
            assertTrue(s.send("a@client.test", "b@example.org", large("big")).startsWith("250 "));
        }
        inbox.assertIsSatisfied();
        assertEquals(1L, inbox.getExchanges().get(0).getMessage().getHeader("filesDuringRoute"));
        assertInstanceOf(FileInputStreamCache.class, inbox.getExchanges().get(0).getMessage().getBody());
        assertEquals(0, count(), "the spool file is gone once the reply was sent");
    }

    @Test
    void nothingIsLeftOnDiskWhenDataIsCutOrRefused() throws Exception {
        getMockEndpoint("mock:inbox").expectedMessageCount(0);
        try (SmtpDialogue s = SmtpDialogue.open(port).ehlo("client.test")) {
            s.cmd("MAIL FROM:<a@client.test>");
            s.cmd("RCPT TO:<b@example.org>");
            s.cmd("DATA");
            s.write(large("cut"));
            Thread.sleep(200);
            assertEquals(1, count(), "the message is being spooled");
        }
        long deadline = System.nanoTime() + 3_000_000_000L;
        while (count() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(0, count(), "a cut DATA leaves no file");
        try (SmtpDialogue s = SmtpDialogue.open(port).ehlo("client.test")) {
            String tooBig = large("too big") + ("x".repeat(98) + "\r\n").repeat(200);
            assertTrue(s.send("a@client.test", "b@example.org", tooBig).startsWith("552 5.3.4"));
            s.cmd("MAIL FROM:<a@client.test>");
            s.cmd("RCPT TO:<b@example.org>");
            s.cmd("DATA");
            assertTrue(s.data(large("bare") + "bare\nLF\r\n").startsWith("550 5.6.0"));
        }
        assertEquals(0, count(), "refused messages leave no file");
        getMockEndpoint("mock:inbox").assertIsSatisfied();
        assertTrue(new File(spool.toString()).isDirectory());
    }
}

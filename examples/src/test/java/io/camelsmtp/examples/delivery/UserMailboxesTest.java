package io.camelsmtp.examples.delivery;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import io.camelsmtp.smtp.common.SmtpReplyException;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class UserMailboxesTest {

    @TempDir
    Path dir;

    private static List<Path> files(Path d) throws Exception {
        try (Stream<Path> s = Files.walk(d)) {
            return s.filter(Files::isRegularFile).map(d::relativize).sorted().toList();
        }
    }

    @Test
    void oneCopyPerUserNamedByQueueIdAlsoWhenRetried() throws Exception {
        UserMailboxes mailboxes = new UserMailboxes();
        mailboxes.setDirectory(dir.toString());
        try (DefaultCamelContext context = new DefaultCamelContext()) {
            Exchange e = new DefaultExchange(context);
            e.getMessage().setHeader("CamelSmtpMessageId", "Q1");
            e.getMessage().setHeader("CamelSmtpEnvelopeTo", List.of("Alice@Example.TEST", "bob@example.org", "postmaster"));
            e.getMessage().setBody("Subject: hi\r\n\r\nhi\r\n".getBytes());
            mailboxes.deliver(e);
            mailboxes.deliver(e); // a retry after a failure half-way writes the same files again
        }
        assertEquals(List.of(Path.of("alice/Q1.eml"), Path.of("bob/Q1.eml"), Path.of("postmaster/Q1.eml")), files(dir));
        assertEquals("Subject: hi\r\n\r\nhi\r\n", Files.readString(dir.resolve("bob/Q1.eml")));
    }

    @Test
    void aLocalPartThatCannotBeAFolderFailsWith550() throws Exception {
        UserMailboxes mailboxes = new UserMailboxes();
        mailboxes.setDirectory(dir.toString());
        try (DefaultCamelContext context = new DefaultCamelContext()) {
            for (String bad : List.of("../etc@example.test", ".hidden@example.test", "a/b@example.test", "@example.test")) {
                Exchange e = new DefaultExchange(context);
                e.getMessage().setHeader("CamelSmtpMessageId", "Q2");
                e.getMessage().setHeader("CamelSmtpEnvelopeTo", List.of(bad));
                e.getMessage().setBody("x".getBytes());
                SmtpReplyException ex = assertThrows(SmtpReplyException.class, () -> mailboxes.deliver(e), bad);
                assertEquals(550, ex.getReply().code(), bad);
            }
        }
        assertEquals(List.of(), files(dir));
    }
}

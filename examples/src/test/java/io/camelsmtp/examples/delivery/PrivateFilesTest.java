package io.camelsmtp.examples.delivery;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import io.camelsmtp.examples.support.Peers;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Mail is private: whatever the mailbox beans create is readable by its owner only, directories {@code rwx------} and
 * files {@code rw-------}, whatever the process's umask (the JVM's here, 022 as a rule, and 000 in a child JVM).
 * What existed before (a folder an administrator made) keeps its permissions.
 */
class PrivateFilesTest {

    @TempDir
    Path tmp;

    /** Every directory and file below {@code root}, root included, with its permissions: "rwx------ a/b". */
    static List<String> permissions(Path root) throws Exception {
        List<String> found = new ArrayList<>();
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.sorted().toList()) {
                found.add(PosixFilePermissions.toString(Files.getPosixFilePermissions(p)) + " "
                          + (p.equals(root) ? "." : root.relativize(p).toString()));
            }
        }
        return found;
    }

    /** Asserts that every entry below {@code root} (root included) is private, and that there are {@code count}. */
    static void assertPrivate(Path root, int count) throws Exception {
        List<String> all = permissions(root);
        for (String entry : all) {
            String name = entry.substring(10);
            boolean dir = Files.isDirectory(root.resolve(name));
            assertEquals(dir ? "rwx------" : "rw-------", entry.substring(0, 9), entry + " in " + all);
        }
        assertEquals(count, all.size(), all.toString());
    }

    static Exchange message(DefaultCamelContext context, String id, String... to) {
        Exchange e = new DefaultExchange(context);
        e.getMessage().setHeader("CamelSmtpMessageId", id);
        e.getMessage().setHeader("CamelSmtpEnvelopeFrom", "carol@example.net");
        e.getMessage().setHeader("CamelSmtpEnvelopeTo", List.of(to));
        e.getMessage().setBody("Subject: private\r\n\r\nfor your eyes only\r\n".getBytes());
        return e;
    }

    @Test
    void fsyncMailboxMakesItsFoldersAndMessagesPrivate() throws Exception {
        FsyncMailbox mailbox = new FsyncMailbox();
        mailbox.setDirectory(tmp.resolve("mail/box").toString());
        try (DefaultCamelContext context = new DefaultCamelContext()) {
            mailbox.store(message(context, "Q1", "bob@example.org"));
        }
        assertPrivate(tmp.resolve("mail"), 3); // mail/, mail/box/, mail/box/Q1.eml
    }

    @Test
    void userMailboxesMakeTheRootAndEachUsersFolderPrivate() throws Exception {
        UserMailboxes mailboxes = new UserMailboxes();
        mailboxes.setDirectory(tmp.resolve("users").toString());
        try (DefaultCamelContext context = new DefaultCamelContext()) {
            mailboxes.deliver(message(context, "Q2", "alice@example.test", "bob@example.test"));
        }
        assertPrivate(tmp.resolve("users"), 5); // users/, alice/, alice/Q2.eml, bob/, bob/Q2.eml
    }

    @Test
    void maildirDeliveryMakesTheBaseEveryMaildirAndEveryCopyPrivate() throws Exception {
        MaildirDelivery delivery = new MaildirDelivery();
        delivery.setBase(tmp.resolve("srv/maildir").toString());
        try (DefaultCamelContext context = new DefaultCamelContext()) {
            delivery.deliver(message(context, "Q3", "alice@example.org"));
        }
        // srv/, srv/maildir/, alice/, alice/{cur,new,tmp}/, one copy in new/
        assertPrivate(tmp.resolve("srv"), 7);
    }

    @Test
    void aFolderThatExistedKeepsItsPermissions() throws Exception {
        Path shared = Files.createDirectories(tmp.resolve("shared"));
        Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxr-x---"));
        FsyncMailbox mailbox = new FsyncMailbox();
        mailbox.setDirectory(shared.toString());
        try (DefaultCamelContext context = new DefaultCamelContext()) {
            mailbox.store(message(context, "Q4", "bob@example.org"));
        }
        assertEquals(List.of("rwxr-x--- .", "rw------- Q4.eml"), permissions(shared));
    }

    @Test
    void underUmask000TooInAChildJvm() throws Exception {
        assumeTrue(Peers.runs("sh", "-c", "umask 000"), "SKIPPED: no POSIX sh to set a umask with");
        Path root = tmp.resolve("umask000");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String out = Peers.run(List.of("sh", "-c", "umask 000 && exec \"$0\" -cp \"$1\" " + UmaskProbe.class.getName()
                                                   + " \"$2\"", java, System.getProperty("java.class.path"),
                root.toString()));
        assertTrue(out.contains("umask probe done"), out);
        assertTrue(Files.exists(root.resolve("probe-was-world-writable")),
                "the probe's own control file shows the child really ran with umask 000: " + out);
        Files.delete(root.resolve("probe-was-world-writable"));
        // fsync/, fsync/Q5.eml; users/, users/alice/, users/alice/Q6.eml; maildir/, alice/, cur new tmp, a copy
        assertPrivate(root.resolve("fsync"), 2);
        assertPrivate(root.resolve("users"), 3);
        assertPrivate(root.resolve("maildir"), 6);
    }
}

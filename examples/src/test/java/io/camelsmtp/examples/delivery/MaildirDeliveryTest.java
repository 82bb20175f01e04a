package io.camelsmtp.examples.delivery;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import io.camelsmtp.examples.support.Peers;
import io.camelsmtp.smtp.common.SmtpReplyException;
import org.apache.camel.Exchange;
import org.apache.camel.converter.stream.InputStreamCache;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class MaildirDeliveryTest {

    private static final String MESSAGE = "Received: from client.example\r\nSubject: hi\r\n\r\nhello\r\n";

    @TempDir
    Path tmp;

    private DefaultCamelContext context;
    private MaildirDelivery delivery;
    private Path base;

    @BeforeEach
    void setUp() {
        context = new DefaultCamelContext();
        base = tmp.resolve("maildir");
        delivery = new MaildirDelivery();
        delivery.setBase(base.toString());
    }

    @AfterEach
    void tearDown() throws Exception {
        context.close();
    }

    private Exchange exchange(String from, Object body, String... to) {
        Exchange e = new DefaultExchange(context);
        e.getMessage().setHeader("CamelSmtpEnvelopeFrom", from);
        e.getMessage().setHeader("CamelSmtpEnvelopeTo", List.of(to));
        e.getMessage().setBody(body);
        return e;
    }

    private static List<Path> files(Path dir) throws Exception {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        }
    }

    /** Every file in any of the users' new/ and tmp/. */
    private List<Path> everything() throws Exception {
        if (!Files.isDirectory(base)) {
            return List.of();
        }
        try (Stream<Path> s = Files.walk(base)) {
            return s.filter(Files::isRegularFile).filter(p -> !p.getParent().getFileName().toString().equals("cur"))
                    .toList();
        }
    }

    @Test
    void mailboxNameIsTheLowerCaseLocalPartWhenItIsASafeFolderName() {
        assertEquals("alice", MaildirDelivery.mailboxName("Alice@Example.org"));
        assertEquals("postmaster", MaildirDelivery.mailboxName("Postmaster"));
        assertEquals("first.last", MaildirDelivery.mailboxName("First.Last@example.org"));
        assertEquals("jörg", MaildirDelivery.mailboxName("JÖRG@example.org"));
        assertEquals("\"a@b\"", MaildirDelivery.mailboxName("\"a@b\"@example.org"));
        assertEquals("a".repeat(64), MaildirDelivery.mailboxName("a".repeat(64) + "@example.org"));

        for (String unsafe : List.of("@example.org", "../etc@example.org", "..@example.org", ".@example.org",
                ".hidden@example.org", ".Sent@example.org", "a..b@example.org", "a/b@example.org",
                "/etc/passwd@example.org", "a\\b@example.org", "a\u0000b@example.org", "a\tb@example.org",
                "a\nb@example.org", "a\u007fb@example.org", "a".repeat(65) + "@example.org",
                "ö".repeat(33) + "@example.org")) {
            assertNull(MaildirDelivery.mailboxName(unsafe), unsafe);
        }
        assertNull(MaildirDelivery.mailboxName(null));
    }

    @Test
    void localUserIsAMailboxNameInTheUsersList() {
        delivery.setUsers(" Alice , bob,,postmaster");
        assertEquals("alice,bob,postmaster", delivery.getUsers());
        assertEquals("alice", delivery.localUser("ALICE@example.org"));
        assertEquals("bob", delivery.localUser("bob@example.net"));
        assertEquals("postmaster", delivery.localUser("postmaster"));
        assertNull(delivery.localUser("carol@example.org"));
        assertNull(delivery.localUser("../alice@example.org"));
    }

    @Test
    void uniqueNamesFollowDovecotsFormAndDoNotRepeat() {
        Instant now = Instant.parse("2026-12-05T23:04:01.123456789Z");
        String name = MaildirDelivery.uniqueName(now);
        assertTrue(name.matches("1796511841\\.M123456P" + ProcessHandle.current().pid() + "Q\\d+\\.[^/:]+"), name);
        Set<String> names = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            assertTrue(names.add(MaildirDelivery.uniqueName(now)));
        }
        assertEquals("mx\\057a\\072b.example", MaildirDelivery.maildirHostName("mx/a:b.example"));
    }

    @Test
    void oneCopyPerMailboxInNewWithTheDeliveryHeadersAndItsSize() throws Exception {
        byte[] raw = MESSAGE.getBytes(StandardCharsets.US_ASCII);
        InputStreamCache body = new InputStreamCache(raw);
        // ALICE@example.net is the same mailbox as alice@example.org: one copy, for the first
        delivery.deliver(exchange("carol@example.net", body, "alice@example.org", "Bob@example.org",
                "ALICE@example.net"));

        for (String user : List.of("alice", "bob")) {
            for (String sub : List.of("cur", "new", "tmp")) {
                assertTrue(Files.isDirectory(base.resolve(user).resolve(sub)), user + "/" + sub);
            }
            assertEquals(List.of(), files(base.resolve(user).resolve("tmp")));
            List<Path> news = files(base.resolve(user).resolve("new"));
            assertEquals(1, news.size(), news.toString());
            String name = news.get(0).getFileName().toString();
            byte[] stored = Files.readAllBytes(news.get(0));
            assertTrue(name.matches("\\d+\\.M\\d+P\\d+Q\\d+\\..+,S=" + stored.length), name);
            String rcpt = user.equals("alice") ? "alice@example.org" : "Bob@example.org";
            assertEquals("Return-Path: <carol@example.net>\r\nDelivered-To: " + rcpt + "\r\n" + MESSAGE,
                    new String(stored, StandardCharsets.US_ASCII));
        }
        assertEquals(List.of(base.resolve("alice"), base.resolve("bob")), files(base));
        assertEquals(MESSAGE, new String(body.readAllBytes(), StandardCharsets.US_ASCII),
                "the body is left readable from its start");
    }

    @Test
    void theNullSenderAndAByteArrayBody() throws Exception {
        delivery.deliver(exchange("", MESSAGE.getBytes(StandardCharsets.US_ASCII), "postmaster"));
        Path file = files(base.resolve("postmaster").resolve("new")).get(0);
        assertEquals("Return-Path: <>\r\nDelivered-To: postmaster\r\n" + MESSAGE, Files.readString(file));
    }

    @Test
    void anUnsafeRecipientIsRefusedBeforeAnythingIsWritten() {
        SmtpReplyException e = assertThrows(SmtpReplyException.class, () -> delivery.deliver(
                exchange("carol@example.net", MESSAGE, "alice@example.org", "../bob@example.org")));
        assertEquals("550 5.1.3 <../bob@example.org>: Bad mailbox name", e.getMessage());
        assertFalse(Files.exists(base));
    }

    @Test
    void aFailureForOneRecipientLeavesNoCopyAnywhereAndAsksForARetry() throws Exception {
        Path bob = Files.createDirectories(base.resolve("bob"));
        Files.writeString(bob.resolve("tmp"), "a file where the directory should be");

        SmtpReplyException e = assertThrows(SmtpReplyException.class, () -> delivery.deliver(
                exchange("carol@example.net", MESSAGE, "alice@example.org", "bob@example.org")));
        assertEquals(451, e.getCode());
        assertEquals("451 4.3.0 Local delivery to <bob@example.org> failed, try again later", e.getMessage());
        assertEquals(List.of(bob.resolve("tmp")), everything(), "alice's copy was removed from her tmp/");

        Files.delete(bob.resolve("tmp"));
        delivery.deliver(exchange("carol@example.net", MESSAGE, "alice@example.org", "bob@example.org"));
        assertEquals(1, files(base.resolve("alice").resolve("new")).size());
        assertEquals(1, files(base.resolve("bob").resolve("new")).size());
    }

    @Test
    void aFullDiskAsksForARetryWith452AndLeavesNothing() throws Exception {
        Path disk = Peers.mountTinyDisk(tmp.resolve("disk"));
        try {
            base = disk.resolve("maildir");
            delivery.setBase(base.toString());
            String big = "Subject: big\r\n\r\n" + ("x".repeat(998) + "\r\n").repeat(700); // 700 KB per copy
            SmtpReplyException e = assertThrows(SmtpReplyException.class, () -> delivery.deliver(
                    exchange("carol@example.net", big, "alice@example.org", "bob@example.org")));
            assertEquals("452 4.3.1 Insufficient system storage, try again later", e.getMessage());
            assertEquals(List.of(), everything(), "no copy left in any tmp/ or new/");

            delivery.deliver(exchange("carol@example.net", MESSAGE, "alice@example.org", "bob@example.org"));
            assertEquals(1, files(base.resolve("alice").resolve("new")).size(), "a small one still fits");
        } finally {
            Peers.unmount(disk);
        }
    }

    @Test
    void aFailedRenameTakesBackTheCopiesAlreadyInNew() throws Exception {
        // bob's new/ on another file system: his copy is written to tmp/, but the rename into new/ fails (EXDEV)
        // after alice's copy was already renamed into hers
        Path shm = Path.of("/dev/shm");
        assumeTrue(Files.isDirectory(shm) && !Files.getFileStore(shm).equals(Files.getFileStore(tmp)),
                "SKIPPED: needs /dev/shm on a file system of its own");
        Path elsewhere = Files.createTempDirectory(shm, "maildir-new");
        try {
            Path bob = Files.createDirectories(base.resolve("bob"));
            Files.createSymbolicLink(bob.resolve("new"), elsewhere);

            SmtpReplyException e = assertThrows(SmtpReplyException.class, () -> delivery.deliver(
                    exchange("carol@example.net", MESSAGE, "alice@example.org", "bob@example.org")));
            assertEquals("451 4.3.0 Local delivery to <bob@example.org> failed, try again later", e.getMessage());
            assertEquals(List.of(), everything());
            assertEquals(List.of(), files(elsewhere));
        } finally {
            Files.deleteIfExists(base.resolve("bob").resolve("new"));
            Files.delete(elsewhere);
        }
    }
}

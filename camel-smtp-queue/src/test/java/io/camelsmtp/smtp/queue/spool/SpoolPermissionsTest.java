package io.camelsmtp.smtp.queue.spool;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import io.camelsmtp.smtp.common.Envelope;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Queued mail is private: every directory of the spool is {@code 0700} and every file {@code 0600}, whatever the
 * umask. A umask of 000 is simulated by a spool directory made world-writable beforehand (as that umask would make
 * it); the files the spool creates must not follow the process's umask either (022 here gives 0644 and 0755).
 */
class SpoolPermissionsTest {

    @TempDir
    Path tmp;

    @Test
    void everyDirectoryIs0700AndEveryFile0600() throws Exception {
        assumeTrue(tmp.getFileSystem().supportedFileAttributeViews().contains("posix"),
                "SKIPPED: the file system has no POSIX permissions");
        Path dir = tmp.resolve("spool");
        Files.createDirectories(dir);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));

        Spool s = new Spool(dir, 1 << 20);
        s.open();
        SpoolEntry waits = entry("P1");
        s.enqueue(waits, new ByteArrayInputStream(body("P1")));
        s.enqueue(entry("P2"), new ByteArrayInputStream(body("P2")));
        waits.retry().decide(0, RetryState.Status.PENDING, "451 4.4.1 later");
        s.saveRetryState(waits); // deferred/P1.eml and P1.env
        s.recordRecipients(s.get("P2"), List.of());
        s.flushState();
        s.close();
        Files.writeString(dir.resolve("deferred/P1.eml"), "damaged"); // moved to corrupt/ at the next start
        Spool again = new Spool(dir, 1 << 20);
        again.open();
        again.enqueue(entry("P3"), new ByteArrayInputStream(body("P3")));
        again.close();

        List<String> wrong = new ArrayList<>();
        int files = 0;
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.toList()) {
                String mode = PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
                String want = Files.isDirectory(p) ? "rwx------" : "rw-------";
                if (!Files.isDirectory(p)) {
                    files++;
                }
                if (!mode.equals(want)) {
                    wrong.add(dir.relativize(p) + " " + mode);
                }
            }
        }
        assertTrue(files >= 6, "lock, segments, state logs, corrupt files: " + files);
        try (Stream<Path> c = Files.list(dir.resolve("corrupt"))) {
            assertTrue(c.findAny().isPresent(), "the damaged pair was moved to corrupt/");
        }
        assertEquals(List.of(), wrong, "not owner-only");
    }

    @Test
    void aSharedDirectoryNamedAsTheSpoolKeepsItsMode() throws Exception {
        assumeTrue(tmp.getFileSystem().supportedFileAttributeViews().contains("posix"),
                "SKIPPED: the file system has no POSIX permissions");
        Path shared = tmp.resolve("shared"); // say /tmp or a home directory, named by mistake
        Files.createDirectories(shared);
        Files.writeString(shared.resolve("someone-elses-file"), "x");
        Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxrwxrwx"));
        Spool s = new Spool(shared, 1 << 20);
        s.open();
        s.close();
        assertEquals("rwxrwxrwx", PosixFilePermissions.toString(Files.getPosixFilePermissions(shared)), "left as it was");
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(shared.resolve("segments"))));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(shared.resolve("lock"))));
    }

    private static SpoolEntry entry(String id) {
        return SpoolEntry.create(id, Instant.now(), SpoolEntry.Kind.MAIL,
                new Envelope("alice@example.org", List.of(Envelope.Recipient.of("bob@example.net")), null, false, null,
                        null, null), body(id).length);
    }

    private static byte[] body(String id) {
        return ("Subject: " + id + "\r\n\r\nhello\r\n").getBytes(StandardCharsets.US_ASCII);
    }
}

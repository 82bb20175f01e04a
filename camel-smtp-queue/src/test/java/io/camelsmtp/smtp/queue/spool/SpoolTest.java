package io.camelsmtp.smtp.queue.spool;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import io.camelsmtp.smtp.common.Envelope;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The file spool on its own: durability, recovery after a stop at any point, and damaged files. */
class SpoolTest {

    @TempDir
    Path dir;

    private final List<Spool> opened = new ArrayList<>();

    @AfterEach
    void closeAll() {
        opened.forEach(Spool::close);
    }

    private Spool open(long segmentSize) throws IOException {
        Spool s = new Spool(dir, segmentSize);
        s.open();
        opened.add(s);
        return s;
    }

    private Map<String, SpoolEntry> reopen(Spool previous) throws IOException {
        previous.close();
        opened.remove(previous);
        Spool s = new Spool(dir, 1 << 20);
        List<SpoolEntry> recovered = s.open();
        opened.add(s);
        return recovered.stream().collect(Collectors.toMap(SpoolEntry::id, Function.identity()));
    }

    private static SpoolEntry entry(String id, String... rcpts) {
        List<Envelope.Recipient> rs = new ArrayList<>();
        for (String r : rcpts) {
            rs.add(new Envelope.Recipient(r, r.startsWith("n") ? "SUCCESS,FAILURE" : null,
                    r.startsWith("n") ? "rfc822;" + r : null));
        }
        return SpoolEntry.create(id, Instant.parse("2026-11-25T12:00:00.123Z"), SpoolEntry.Kind.MAIL,
                new Envelope("alice@example.org", rs, "8BITMIME", false, "HDRS", "env id 1", null), body(id).length);
    }

    private static byte[] body(String id) {
        return ("Subject: " + id + "\r\nX-8bit: \u00e9\r\n\r\nhello " + id + "\r\n").getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] read(Spool s, SpoolEntry e) throws IOException {
        try (InputStream in = s.openMessage(e)) {
            return in.readAllBytes();
        }
    }

    private static void put(Spool s, SpoolEntry e) throws IOException {
        s.enqueue(e, new ByteArrayInputStream(body(e.id())));
    }

    @Test
    void aMessageSurvivesARestartWithItsWholeEnvelope() throws Exception {
        Spool s = open(1 << 20);
        put(s, entry("A1", "bob@example.net", "nina@example.com"));
        Map<String, SpoolEntry> back = reopen(s);
        SpoolEntry e = back.get("A1");
        assertEquals("alice@example.org", e.sender());
        assertEquals(Instant.parse("2026-11-25T12:00:00.123Z"), e.arrival());
        assertEquals("8BITMIME", e.envelope().bodyType());
        assertEquals("HDRS", e.envelope().ret());
        assertEquals("env id 1", e.envelope().envid());
        assertEquals(List.of("bob@example.net", "nina@example.com"), e.pending().stream().map(SpoolEntry.Recipient::address).toList());
        assertEquals("SUCCESS,FAILURE", e.recipients().get(1).dsnNotify());
        assertEquals("rfc822;nina@example.com", e.recipients().get(1).dsnOrcpt());
        assertNull(e.recipients().get(0).dsnNotify());
        assertArrayEquals(body("A1"), read(opened.get(0), e));
    }

    @Test
    void theSegmentIsPlainTextReadableWithOrdinaryTools() throws Exception {
        Spool s = open(1 << 20);
        put(s, entry("A2", "bob@example.net"));
        Path seg;
        try (Stream<Path> files = Files.list(dir.resolve("segments"))) {
            seg = files.filter(p -> p.toString().endsWith(".seg")).findFirst().orElseThrow();
        }
        String text = Files.readString(seg, StandardCharsets.UTF_8);
        assertTrue(text.startsWith("camel-smtp-queue: 1\nid: A2\narrival: 2026-11-25T12:00:00.123Z\nkind: mail\n"
                                   + "sender: alice@example.org\n"), text);
        assertTrue(text.contains("recipient: bob@example.net state=pending\n"), text);
        assertTrue(text.contains("\n\nSubject: A2\r\n"), text);
    }

    @Test
    void concurrentArrivalsShareForces() throws Exception {
        Spool s = open(1 << 30);
        ExecutorService pool = Executors.newFixedThreadPool(16);
        try {
            List<Future<?>> fs = new ArrayList<>();
            for (int t = 0; t < 16; t++) {
                int thread = t;
                fs.add(pool.submit(() -> {
                    for (int i = 0; i < 50; i++) {
                        put(s, entry("T" + thread + "x" + i, "bob@example.net"));
                    }
                    return null;
                }));
            }
            for (Future<?> f : fs) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
        long[] stats = s.commitStatistics();
        assertEquals(800, stats[0]);
        assertTrue(stats[1] < stats[0], "800 arrivals took " + stats[1] + " forces: no group commit");
        assertEquals(800, reopen(s).size());
    }

    @Test
    void deliveredRecipientsAreNotPendingAfterARestart() throws Exception {
        Spool s = open(1 << 20);
        SpoolEntry e = entry("B1", "bob@example.net", "carol@example.com");
        put(s, e);
        e.retry().decide(0, RetryState.Status.DELIVERED, "250 ok");
        s.recordRecipients(e, List.of(e.recipients().get(0)));
        s.flushState();
        SpoolEntry back = reopen(s).get("B1");
        assertEquals(List.of("carol@example.com"), back.pending().stream().map(SpoolEntry.Recipient::address).toList());
    }

    @Test
    void completedMessagesAreGoneAndTheirSegmentIsDeleted() throws Exception {
        Spool s = open(200);
        SpoolEntry a = entry("C1", "bob@example.net");
        put(s, a);
        SpoolEntry b = entry("C2", "bob@example.net"); // the first segment is full: this one starts a second
        put(s, b);
        s.complete(a);
        try (Stream<Path> files = Files.list(dir.resolve("segments"))) {
            assertEquals(1, files.filter(p -> p.toString().endsWith(".seg")).count(), "the finished segment is deleted");
        }
        Map<String, SpoolEntry> back = reopen(s);
        assertEquals(List.of("C2"), List.copyOf(back.keySet()));
    }

    @Test
    void aDeferredMessageMovesToItsOwnFilesWithItsRetryState() throws Exception {
        Spool s = open(1 << 20);
        SpoolEntry e = entry("D1", "bob@example.net", "carol@example.com");
        put(s, e);
        e.retry().decide(1, RetryState.Status.DELIVERED, null);
        e.retry().decide(0, RetryState.Status.PENDING, "451 4.3.0 try later");
        e.retry().countAttempt();
        e.retry().retryAt(Instant.parse("2026-11-25T12:05:00Z").toEpochMilli(), "451 4.3.0 try later");
        s.saveRetryState(e);
        assertTrue(Files.exists(dir.resolve("deferred/D1.eml")));
        assertArrayEquals(body("D1"), Files.readAllBytes(dir.resolve("deferred/D1.eml")));
        String env = Files.readString(dir.resolve("deferred/D1.env"));
        assertTrue(env.contains("attempts: 1\nnext-attempt: 2026-11-25T12:05:00Z\n"), env);
        assertTrue(env.contains("last-error: 451 4.3.0 try later\n"), env);
        assertTrue(env.contains("recipient: carol@example.com state=delivered\n"), env);
        try (Stream<Path> files = Files.list(dir.resolve("segments"))) {
            assertEquals(1, files.filter(p -> p.toString().endsWith(".seg")).count(), "only the active segment is left");
        }
        SpoolEntry back = reopen(s).get("D1");
        assertEquals(1, back.retry().attempts());
        assertEquals("451 4.3.0 try later", back.retry().lastError());
        assertEquals(List.of("bob@example.net"), back.pending().stream().map(SpoolEntry.Recipient::address).toList());
        assertArrayEquals(body("D1"), read(opened.get(0), back));
        opened.get(0).complete(back);
        assertFalse(Files.exists(dir.resolve("deferred/D1.env")));
        assertFalse(Files.exists(dir.resolve("deferred/D1.eml")));
    }

    @Test
    void aHeldMessageStaysHeldAcrossARestart() throws Exception {
        Spool s = open(1 << 20);
        SpoolEntry e = entry("H1", "bob@example.net");
        put(s, e);
        e.retry().hold();
        s.saveRetryState(e);
        assertTrue(reopen(s).get("H1").retry().held());
    }

    @Test
    void aTornTailIsCutOffAndTheRestIsKept() throws Exception {
        Spool s = open(1 << 20);
        put(s, entry("E1", "bob@example.net"));
        put(s, entry("E2", "bob@example.net"));
        Path seg = onlySegment();
        s.close();
        opened.clear();
        long full = Files.size(seg);
        try (FileChannel ch = FileChannel.open(seg, StandardOpenOption.WRITE)) {
            ch.truncate(full - 10); // E2 was being written when the process died
        }
        Spool again = new Spool(dir, 1 << 20);
        List<SpoolEntry> back = again.open();
        opened.add(again);
        assertEquals(List.of("E1"), back.stream().map(SpoolEntry::id).toList());
        assertTrue(Files.size(seg) < full - 10, "the torn record is cut off");
        try (Stream<Path> files = Files.list(dir.resolve("corrupt"))) {
            assertEquals(0, files.count());
        }
    }

    @Test
    void aRecordWhoseBlockWasNotWrittenYetIsATornTailNotDamage() throws Exception {
        Spool s = open(1 << 20);
        put(s, entry("Z1", "bob@example.net"));
        Path seg = onlySegment();
        s.close();
        opened.clear();
        // the next record's octets were written, its envelope block (written last) not yet: zeros, then the message
        byte[] tail = new byte[300 + body("Z2").length];
        System.arraycopy(body("Z2"), 0, tail, 300, body("Z2").length);
        Files.write(seg, tail, StandardOpenOption.APPEND);
        long torn = Files.size(seg);
        Spool again = new Spool(dir, 1 << 20);
        List<SpoolEntry> back = again.open();
        opened.add(again);
        assertEquals(List.of("Z1"), back.stream().map(SpoolEntry::id).toList());
        assertEquals(torn - tail.length, Files.size(seg), "cut back to the last whole record");
        try (Stream<Path> files = Files.list(dir.resolve("corrupt"))) {
            assertEquals(0, files.count(), "a torn tail is not damage");
        }
    }

    @Test
    void aDamagedSegmentIsMovedAsideAndItsIntactMessagesKept() throws Exception {
        Spool s = open(1 << 20);
        put(s, entry("F1", "bob@example.net"));
        put(s, entry("F2", "bob@example.net"));
        put(s, entry("F3", "bob@example.net"));
        Path seg = onlySegment();
        s.close();
        opened.clear();
        String text = Files.readString(seg, StandardCharsets.ISO_8859_1);
        int at = text.indexOf("hello F2");
        try (FileChannel ch = FileChannel.open(seg, StandardOpenOption.WRITE)) {
            ch.write(java.nio.ByteBuffer.wrap("HELLO".getBytes(StandardCharsets.US_ASCII)), at);
        }
        Spool again = new Spool(dir, 1 << 20);
        List<SpoolEntry> back = again.open();
        opened.add(again);
        assertEquals(List.of("F1", "F3"), back.stream().map(SpoolEntry::id).sorted().toList(),
                "messages before and after the damage are kept");
        assertTrue(Files.exists(dir.resolve("deferred/F1.env")), "and moved to their own files");
        assertTrue(Files.exists(dir.resolve("deferred/F3.env")), "and moved to their own files");
        assertArrayEquals(body("F3"), read(again, again.get("F3")));
        assertFalse(Files.exists(seg));
        try (Stream<Path> files = Files.list(dir.resolve("corrupt"))) {
            assertTrue(files.anyMatch(p -> p.getFileName().toString().startsWith(seg.getFileName().toString())));
        }
        assertEquals(1, again.damage().size(), "the damaged message is reported: " + again.damage());
        SpoolDamage lost = again.damage().get(0);
        assertEquals("F2", lost.id());
        assertEquals("alice@example.org", lost.sender());
        assertEquals(List.of("bob@example.net"), lost.recipients());
        assertFalse(lost.requeued());
        assertTrue(lost.files().get(0).startsWith(dir.resolve("corrupt")), lost.toString());
        put(again, entry("F4", "bob@example.net"));
        assertEquals(3, reopen(again).size(), "the queue keeps working");
    }

    @Test
    void aThreadInterruptedWhileReadingDoesNotCloseTheSpoolForOthers() throws Exception {
        Spool s = open(1 << 20);
        put(s, entry("I1", "bob@example.net"));
        put(s, entry("I2", "bob@example.net"));
        Thread reader = new Thread(() -> {
            Thread.currentThread().interrupt(); // a FileChannel closes itself when a thread using it is interrupted
            try (InputStream in = s.openMessage(s.get("I1"))) {
                in.readAllBytes();
            } catch (IOException expected) {
                // the interrupted reader fails; the others must not
            }
        });
        reader.start();
        reader.join(5000);
        assertArrayEquals(body("I2"), read(s, s.get("I2")), "other readers get a fresh channel");
        put(s, entry("I3", "bob@example.net"));
        s.flushState();
        assertEquals(3, reopen(s).size());
    }

    @Test
    void aDamagedDeferredFileIsMovedAside() throws Exception {
        Spool s = open(1 << 20);
        SpoolEntry e = entry("G1", "bob@example.net");
        put(s, e);
        SpoolEntry f = entry("G2", "bob@example.net");
        put(s, f);
        s.saveRetryState(e);
        s.saveRetryState(f);
        s.close();
        opened.clear();
        Files.writeString(dir.resolve("deferred/G1.eml"), "something else");
        Spool again = new Spool(dir, 1 << 20);
        List<SpoolEntry> back = again.open();
        opened.add(again);
        assertEquals(List.of("G2"), back.stream().map(SpoolEntry::id).toList());
        try (Stream<Path> files = Files.list(dir.resolve("corrupt"))) {
            assertEquals(2, files.filter(p -> p.getFileName().toString().startsWith("G1.")).count());
        }
    }

    @Test
    void aDamagedEnvelopeFileIsReadAsFarAsItGoesAndItsMessageQueuedAgain() throws Exception {
        Spool s = open(1 << 20);
        SpoolEntry e = entry("J1", "bob@example.net", "nina@example.com", "carol@example.org");
        put(s, e);
        e.retry().decide(2, RetryState.Status.DELIVERED, "250 ok");
        e.retry().decide(0, RetryState.Status.PENDING, "451 4.4.1 later");
        s.saveRetryState(e);
        s.close();
        opened.clear();
        Path env = dir.resolve("deferred/J1.env");
        String text = Files.readString(env, StandardCharsets.UTF_8);
        Files.writeString(env, text.replace("attempts: 0", "attempts: x").replace("recipient: nina", "recipient: ni+Zna"),
                StandardCharsets.UTF_8); // check sum wrong, one field and one recipient line unreadable
        Spool again = new Spool(dir, 1 << 20);
        List<SpoolEntry> back = again.open();
        opened.add(again);
        assertEquals(1, back.size());
        SpoolEntry j1 = back.get(0);
        assertEquals("J1", j1.id());
        assertEquals("alice@example.org", j1.sender());
        assertEquals(List.of("bob@example.net"), j1.pending().stream().map(SpoolEntry.Recipient::address).toList(),
                "the pending recipient that reads is queued again; the delivered one is not");
        assertArrayEquals(body("J1"), read(again, j1));
        assertEquals("HDRS", j1.envelope().ret());
        SpoolDamage d = again.damage().get(0);
        assertTrue(d.requeued());
        assertEquals(List.of("bob@example.net", "carol@example.org (delivered)", "unreadable: recipient: ni+Zna@example.com "
                             + "state=pending notify=SUCCESS,FAILURE orcpt=rfc822;nina@example.com"), d.recipients());
        assertTrue(Files.readString(d.files().get(0)).contains("attempts: x"), "the damaged file is kept in corrupt/");
        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(d.files().get(0))), "and kept private");
        assertEquals(1, reopen(again).size(), "the new envelope file reads back whole");
    }

    @Test
    void aDamagedEnvelopeFileWithoutASenderIsSetAsideAndReported() throws Exception {
        Spool s = open(1 << 20);
        SpoolEntry e = entry("J2", "bob@example.net");
        put(s, e);
        s.saveRetryState(e);
        s.close();
        opened.clear();
        Path env = dir.resolve("deferred/J2.env");
        Files.writeString(env, Files.readString(env).replace("sender: alice@example.org", "sender: alice=example.org"));
        Spool again = new Spool(dir, 1 << 20);
        assertEquals(List.of(), again.open());
        opened.add(again);
        SpoolDamage d = again.damage().get(0);
        assertEquals("J2", d.id());
        assertNull(d.sender());
        assertEquals(List.of("bob@example.net"), d.recipients());
        assertFalse(d.requeued());
        assertEquals(2, d.files().size(), "both files are in corrupt/: " + d.files());
        assertTrue(d.files().stream().allMatch(p -> p.startsWith(dir.resolve("corrupt")) && Files.exists(p)));
    }

    @Test
    void anOversizedEnvelopeFileAnEarlierVersionWroteReadsBack() throws Exception {
        Spool s = open(1 << 20);
        SpoolEntry e = entry("J3", "bob@example.net");
        put(s, e);
        s.saveRetryState(e);
        s.close();
        opened.clear();
        // what the version without limits wrote: every recipient's whole reply, 2.3 MB in all
        Path env = dir.resolve("deferred/J3.env");
        String text = Files.readString(env);
        String head = text.substring(0, text.indexOf("recipient: "));
        String tail = text.substring(text.indexOf("size: "), text.indexOf("check: "));
        StringBuilder rcpts = new StringBuilder();
        for (int i = 0; i < 500; i++) {
            rcpts.append("recipient: u").append(i).append("@example.net state=pending reply=")
                    .append(io.camelsmtp.smtp.common.Xtext.encode("450-4.2.0 busy\r\n".repeat(300))).append('\n');
        }
        byte[] block = (head + rcpts + tail).getBytes(StandardCharsets.UTF_8);
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(block);
        Files.writeString(env, head + rcpts + tail + "check: " + EnvelopeCodec.hex8(crc.getValue()) + "\n\n");
        assertTrue(Files.size(env) > 2 << 20, "larger than the old 1 MiB limit");
        Spool again = new Spool(dir, 1 << 20);
        List<SpoolEntry> back = again.open();
        opened.add(again);
        assertEquals(List.of(), again.damage());
        assertEquals(500, back.get(0).pending().size(), "every recipient still pending");
        assertEquals(RetryState.MAX_REPLY_OCTETS, back.get(0).retry().lastReply(0).length(), "kept cut from now on");
    }

    @Test
    void anUnusableDirectoryFailsWithItsName() throws Exception {
        Path file = dir.resolve("a-file");
        Files.writeString(file, "x");
        IOException e = assertThrows(IOException.class, () -> new Spool(file.resolve("spool"), 1 << 20).open());
        assertTrue(e.getMessage().contains(file.resolve("spool").toString()), e.getMessage());
        assertTrue(e.getMessage().contains("not usable"), e.getMessage());
    }

    @Test
    void twoQueuesCannotShareOneSpool() throws Exception {
        open(1 << 20);
        IOException e = assertThrows(IOException.class, () -> new Spool(dir, 1 << 20).open());
        assertTrue(e.getMessage().contains("in use"), e.getMessage());
    }

    @Test
    void aFailedWriteLeavesNothingBehind() throws Exception {
        Spool s = open(1 << 20);
        put(s, entry("K1", "bob@example.net"));
        InputStream failing = new InputStream() {
            int n;

            @Override
            public int read() throws IOException {
                if (n++ > 10) {
                    throw new IOException("No space left on device");
                }
                return 'x';
            }
        };
        SpoolEntry k2 = entry("K2", "bob@example.net");
        assertThrows(IOException.class, () -> s.enqueue(k2, failing));
        assertFalse(s.contains("K2"));
        put(s, entry("K3", "bob@example.net"));
        Map<String, SpoolEntry> back = reopen(s);
        List<String> ids = new ArrayList<>(back.keySet());
        Collections.sort(ids);
        assertEquals(List.of("K1", "K3"), ids);
    }

    private Path onlySegment() throws IOException {
        try (Stream<Path> files = Files.list(dir.resolve("segments"))) {
            return files.filter(p -> p.toString().endsWith(".seg")).findFirst().orElseThrow();
        }
    }
}

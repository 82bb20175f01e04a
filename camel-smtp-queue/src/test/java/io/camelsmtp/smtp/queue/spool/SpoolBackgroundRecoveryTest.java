package io.camelsmtp.smtp.queue.spool;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import io.camelsmtp.smtp.common.Envelope;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The backlog read in the background ({@link Spool#openInBackground}) while the spool takes new mail and the queue
 * delivers, deletes and defers what was read: the reading is paused in the middle (its listener blocks, as a slow
 * disk would), the spool is used meanwhile, and afterwards every old message was read exactly once, none that left
 * came back, and the new ones are there, also after a restart.
 */
class SpoolBackgroundRecoveryTest {

    private static final int IN_DEFERRED = 200;
    private static final int IN_SEGMENT = 100;
    private static final int PAUSE_AT = 50;

    @TempDir
    Path dir;

    private final List<Spool> opened = new ArrayList<>();
    private final List<SpoolEntry> heard = new CopyOnWriteArrayList<>();
    private final CountDownLatch paused = new CountDownLatch(1);
    private final CountDownLatch resume = new CountDownLatch(1);
    private final CountDownLatch done = new CountDownLatch(1);
    private Runnable task;

    @AfterEach
    void closeAll() {
        resume.countDown();
        opened.forEach(Spool::close);
    }

    private static SpoolEntry entry(String id) {
        return SpoolEntry.create(id, Instant.now(), SpoolEntry.Kind.MAIL, new Envelope("alice@example.org",
                List.of(new Envelope.Recipient("bob@example.net", null, null)), null, false, null, null, null),
                body(id).length);
    }

    private static byte[] body(String id) {
        return ("Subject: " + id + "\r\n\r\nhello " + id + "\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    /** A spool left by a previous run: IN_DEFERRED messages in deferred/, IN_SEGMENT still in their segment. */
    private Set<String> previousRun() throws IOException {
        Spool s = new Spool(dir, 1 << 20);
        s.open();
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < IN_DEFERRED + IN_SEGMENT; i++) {
            String id = String.format("OLD%05d", i);
            SpoolEntry e = s.enqueue(entry(id), new ByteArrayInputStream(body(id)));
            if (i < IN_DEFERRED) {
                e.retry().retryAt(System.currentTimeMillis() + 3_600_000, "451 4.4.1 later");
                s.saveRetryState(e);
            }
            ids.add(id);
        }
        s.close();
        return ids;
    }

    /** Opens in the background with the reading held until {@link #task} is run, and a listener that pauses it. */
    private Spool openPaused() throws IOException, InterruptedException {
        Spool s = new Spool(dir, 1 << 20);
        s.openInBackground(r -> task = r, done::countDown);
        opened.add(s);
        assertTrue(s.listen(e -> {
            heard.add(e);
            if (heard.size() == PAUSE_AT) {
                paused.countDown();
                try {
                    resume.await(20, TimeUnit.SECONDS);
                } catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                }
            }
        }).isEmpty(), "nothing is read before the reading starts");
        Thread t = new Thread(task, "recovery");
        t.setDaemon(true);
        t.start();
        assertTrue(paused.await(20, TimeUnit.SECONDS), "the reading reached message " + PAUSE_AT);
        return s;
    }

    @Test
    void mailIsTakenDeliveredAndDeletedWhileTheBacklogIsRead() throws Exception {
        Set<String> old = previousRun();
        Spool s = openPaused();
        assertTrue(s.recovering());
        assertEquals(PAUSE_AT, s.recoveredCount());
        assertEquals(PAUSE_AT, s.entries().size(), "the index grows as messages are read");

        // what was read is the queue's: one delivered (its files go), one deferred again (its .env replaced)
        SpoolEntry delivered = heard.get(0);
        s.complete(delivered);
        SpoolEntry deferredAgain = heard.get(1);
        deferredAgain.retry().retryAt(System.currentTimeMillis() + 7_200_000, "451 4.4.1 still later");
        s.saveRetryState(deferredAgain);

        // an id not read yet is taken all the same
        String notYet = old.stream().filter(id -> id.compareTo(String.format("OLD%05d", IN_DEFERRED)) < 0)
                .filter(id -> s.get(id) == null).findFirst().orElseThrow();
        assertTrue(s.isTaken(notYet), notYet + " is in deferred/, not read yet");

        // new mail: stored at once, some deferred (files in deferred/ while it is listed), some delivered
        List<String> fresh = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            String id = String.format("NEW%05d", i);
            SpoolEntry e = s.enqueue(entry(id), new ByteArrayInputStream(body(id)));
            if (i % 2 == 0) {
                e.retry().retryAt(System.currentTimeMillis() + 3_600_000, "451 4.4.1 later");
                s.saveRetryState(e);
            }
            if (i % 4 == 0) {
                s.complete(e);
            } else {
                fresh.add(id);
            }
        }

        resume.countDown();
        assertTrue(done.await(30, TimeUnit.SECONDS), "the reading ends");
        assertFalse(s.recovering());
        assertNull(s.recoveryFailure());
        assertTrue(s.damage().isEmpty(), "no damage: " + s.damage());
        List<String> heardIds = heard.stream().map(SpoolEntry::id).toList();
        assertEquals(old.size(), heardIds.size(), "every old message read once");
        assertEquals(old, new HashSet<>(heardIds));
        assertEquals(old.size(), s.recoveredCount());

        Set<String> expected = new HashSet<>(old);
        expected.remove(delivered.id());
        expected.addAll(fresh);
        assertEquals(expected, ids(s), "the delivered one stays gone, the new ones are there");
        assertEquals(7_200_000, s.get(deferredAgain.id()).retry().nextAttempt() - System.currentTimeMillis(), 60_000);
        assertEquals(List.of(), corrupt(), "nothing set aside");

        s.close();
        opened.remove(s);
        Spool again = new Spool(dir, 1 << 20);
        again.open();
        opened.add(again);
        assertEquals(expected, ids(again), "and so after a restart");
        assertEquals(7_200_000, again.get(deferredAgain.id()).retry().nextAttempt() - System.currentTimeMillis(), 60_000);
    }

    @Test
    void closingStopsTheReadingAndTheNextStartReadsEverything() throws Exception {
        Set<String> old = previousRun();
        Spool s = openPaused();
        Thread closer = new Thread(s::close, "closer");
        closer.start();
        Thread.sleep(200);
        assertTrue(closer.isAlive(), "close waits for the reading to stop");
        resume.countDown();
        closer.join(30_000);
        assertFalse(closer.isAlive(), "the reading stopped and the spool closed");
        assertTrue(s.recoveryFailure().startsWith("java.io.InterruptedIOException"), s.recoveryFailure());
        assertTrue(heard.size() < old.size(), "it stopped before the end: " + heard.size());
        opened.remove(s);

        Spool again = new Spool(dir, 1 << 20);
        again.open();
        opened.add(again);
        assertEquals(old, ids(again));
    }

    /**
     * Found by the crash test: a deferred message delivered to its last recipient, its envelope file saved with that,
     * and the process killed before the files were removed. Read back it has no recipient left, so it would sit in the
     * queue for ever, never tried; it is finished, and its files go.
     */
    @Test
    void aDeferredMessageFinishedBeforeTheStopIsRemovedNotQueued() throws Exception {
        Spool s = new Spool(dir, 1 << 20);
        s.open();
        SpoolEntry e = s.enqueue(entry("DONE1"), new ByteArrayInputStream(body("DONE1")));
        e.retry().retryAt(System.currentTimeMillis(), "451 4.4.1 later");
        s.saveRetryState(e);
        SpoolEntry waiting = s.enqueue(entry("WAIT1"), new ByteArrayInputStream(body("WAIT1")));
        waiting.retry().retryAt(System.currentTimeMillis() + 60_000, "451 4.4.1 later");
        s.saveRetryState(waiting);
        e.retry().decide(0, RetryState.Status.DELIVERED, "250 2.0.0 Ok");
        s.recordRecipients(e, e.recipients()); // the envelope file says delivered; complete() never ran
        s.close();
        assertTrue(Files.exists(dir.resolve("deferred/DONE1.env")) && Files.exists(dir.resolve("deferred/DONE1.eml")));

        Spool again = new Spool(dir, 1 << 20);
        again.openInBackground(Runnable::run, done::countDown);
        opened.add(again);
        assertTrue(done.await(10, TimeUnit.SECONDS));
        assertEquals(Set.of("WAIT1"), ids(again));
        assertEquals(1, again.recoveredCount());
        assertFalse(Files.exists(dir.resolve("deferred/DONE1.env")), "its envelope file is gone");
        assertFalse(Files.exists(dir.resolve("deferred/DONE1.eml")), "its message file is gone");
        assertEquals(List.of(), corrupt(), "nothing set aside: it is not damage");
    }

    private static Set<String> ids(Spool s) {
        return s.entries().stream().map(SpoolEntry::id).collect(Collectors.toSet());
    }

    private List<Path> corrupt() throws IOException {
        try (Stream<Path> files = Files.list(dir.resolve("corrupt"))) {
            return files.toList();
        }
    }
}

package io.camelsmtp.smtp.queue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

import io.camelsmtp.smtp.common.SmtpReplyException;
import io.camelsmtp.smtp.queue.spool.FaultySpool;
import io.camelsmtp.smtp.queue.spool.Spool;
import io.camelsmtp.smtp.queue.spool.SpoolEntry;
import org.apache.camel.Exchange;
import org.apache.camel.health.HealthCheck;
import org.apache.camel.support.DefaultExchange;
import org.apache.camel.test.junit5.CamelTestSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A failed {@code fdatasync} ("fsyncgate"): the kernel reports a writeback error once and drops the dirty pages, so a
 * second sync would succeed without the data. Every arrival that failed sync covered must fail with {@code 451}, none
 * may be acknowledged, the next arrival goes to a new segment, the health check is DOWN until a sync succeeds again,
 * and a restart delivers exactly the acknowledged messages.
 */
class QueueSyncFailureTest extends CamelTestSupport {

    @TempDir
    Path dir;

    private Exchange message(String id) {
        Exchange e = new DefaultExchange(context);
        e.getMessage().setHeader(SmtpQueueConstants.ENVELOPE_FROM, "alice@example.org");
        e.getMessage().setHeader(SmtpQueueConstants.ENVELOPE_TO, new ArrayList<>(List.of("bob@example.net")));
        e.getMessage().setHeader(SmtpQueueConstants.QUEUE_ID, id);
        e.getMessage().setBody("Subject: " + id + "\r\n\r\nhello\r\n");
        return e;
    }

    private static HealthCheck.State health(MailQueue queue) {
        return new SmtpQueueHealthCheck(queue).call(Map.of()).getState();
    }

    @Test
    void aFailedSyncFailsEveryArrivalItCoveredAndTheQueueMovesToANewSegment() throws Exception {
        FaultySpool faulty = new FaultySpool(dir);
        MailQueue queue = new MailQueue("sync", faulty.spool(), context);
        queue.open();
        ExecutorService pool = Executors.newFixedThreadPool(6);
        try {
            assertEquals("ACK1", queue.enqueue(message("ACK1")));
            int before = faulty.recordsWritten();

            faulty.failNextForce();
            List<Future<String>> waiting = new ArrayList<>();
            waiting.add(pool.submit(() -> queue.enqueue(message("LOST1"))));
            assertTrue(faulty.awaitForceEntered(), "the first arrival's sync never began");
            for (int i = 2; i <= 6; i++) {
                String id = "LOST" + i;
                waiting.add(pool.submit(() -> queue.enqueue(message(id))));
            }
            long end = System.currentTimeMillis() + 10_000;
            while (faulty.recordsWritten() < before + 6) { // all six appended; five wait behind the sync in progress
                if (System.currentTimeMillis() > end) {
                    fail("the arrivals did not append: " + (faulty.recordsWritten() - before));
                }
                Thread.sleep(5);
            }
            Thread.sleep(100);
            faulty.releaseForce(); // the sync fails: the pages of all six may be gone

            for (Future<String> f : waiting) {
                try {
                    fail("acknowledged although its sync failed: " + f.get());
                } catch (java.util.concurrent.ExecutionException e) {
                    SmtpReplyException reply = assertInstanceOf(SmtpReplyException.class, e.getCause());
                    assertEquals(451, reply.getReply().code(), reply.getReply().toString());
                    assertEquals("4.3.0", reply.getReply().enhancedStatus());
                }
            }
            assertEquals(HealthCheck.State.DOWN, health(queue), "DOWN after a failed sync");

            assertEquals("ACK2", queue.enqueue(message("ACK2")), "the next arrival is stored");
            assertEquals(HealthCheck.State.UP, health(queue), "UP once a sync succeeded again");
            List<String> holding = new ArrayList<>();
            try (Stream<Path> segs = Files.list(dir.resolve("segments"))) {
                for (Path p : segs.filter(p -> p.toString().endsWith(".seg")).sorted().toList()) {
                    String text = Files.readString(p, java.nio.charset.StandardCharsets.ISO_8859_1);
                    holding.add(p.getFileName() + (text.contains("id: ACK2\n") ? " ACK2" : "")
                                + (text.contains("id: ACK1\n") ? " ACK1" : ""));
                }
            }
            assertEquals(List.of("00000001.seg ACK1", "00000002.seg ACK2"), holding, "ACK2 went to a new segment");
        } finally {
            pool.shutdownNow();
            queue.close();
        }

        Spool again = new Spool(dir, 64 << 20);
        try {
            List<String> ids = again.open().stream().map(SpoolEntry::id).sorted().toList();
            assertEquals(List.of("ACK1", "ACK2"), ids, "exactly the acknowledged messages, none of the failed ones");
        } finally {
            again.close();
        }
    }
}

package io.camelsmtp.examples.delivery;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;

class FsyncMailboxTest {

    @Test
    void concurrentStoresAllLandWithTheirContent(@TempDir Path dir) throws Exception {
        FsyncMailbox mailbox = new FsyncMailbox();
        mailbox.setDirectory(dir.resolve("mailbox").toString());
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try (DefaultCamelContext context = new DefaultCamelContext()) {
            List<Future<?>> futures = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                int n = i;
                futures.add(pool.submit(() -> {
                    Exchange e = new DefaultExchange(context);
                    e.getMessage().setHeader("CamelSmtpMessageId", "ID" + n);
                    e.getMessage().setBody(("Subject: " + n + "\r\n\r\nbody " + n + "\r\n").getBytes());
                    mailbox.store(e);
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        try (Stream<Path> files = Files.list(dir.resolve("mailbox"))) {
            assertEquals(200, files.filter(p -> p.toString().endsWith(".eml")).count());
        }
        assertEquals("Subject: 7\r\n\r\nbody 7\r\n", Files.readString(dir.resolve("mailbox/ID7.eml")));
    }
}

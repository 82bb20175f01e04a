package io.camelsmtp.examples;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import io.camelsmtp.examples.app.MailRouter;
import io.camelsmtp.examples.support.Peers;
import io.camelsmtp.examples.support.SmtpSink;
import io.camelsmtp.smtp.queue.MailQueue;
import io.camelsmtp.smtp.queue.SmtpQueueComponent;
import org.apache.camel.api.management.ManagedCamelContext;
import org.apache.camel.api.management.mbean.ManagedRouteMBean;
import org.apache.camel.main.Main;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import static io.camelsmtp.examples.support.Peers.freePort;
import static io.camelsmtp.examples.support.Peers.run;
import static io.camelsmtp.examples.support.Peers.runs;
import static io.camelsmtp.examples.support.Peers.smtpSink;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * routes/mail-to-kafka.camel.yaml between real peers: a real Kafka 4 broker (KRaft, started once for the class as a
 * separate JVM, see {@link KafkaBroker}), swaks and Python's smtplib as mail clients, Postfix's smtp-sink as the smart
 * host, dumping every message it accepts. What the listener publishes is read back with a plain KafkaConsumer; the
 * worker must deliver each message once and commit its offset. Each test has a topic and a consumer group of its
 * own. The broker crash test kills the broker and starts it again, so it runs last.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MailToKafkaTest {

    private static final Path WORK = Path.of("target", "mail-to-kafka").toAbsolutePath();
    private static final AtomicInteger TOPICS = new AtomicInteger();

    private static KafkaBroker broker;

    @TempDir
    Path tmp;

    private SmtpSink sink;
    private String topic;
    private final List<Main> mains = new ArrayList<>();

    @BeforeAll
    static void startBroker() throws Exception {
        assumeTrue(runs("swaks", "--version"), "SKIPPED: swaks is not installed, this end-to-end test needs it");
        assumeTrue(smtpSink() != null, "SKIPPED: smtp-sink (Debian package postfix) is not installed, the smart host"
                                       + " of this end-to-end test");
        // kept after the run for a look at broker.log, replaced by the next run
        Path dir = WORK.resolve("broker");
        if (Files.exists(dir)) {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(f);
                }
            }
        }
        long t0 = System.nanoTime();
        broker = KafkaBroker.start(dir);
        System.out.println("kafka broker (format + start) ready on " + broker.bootstrap() + " in "
                           + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0) + " ms, data in " + dir);
    }

    @AfterAll
    static void stopBroker() throws Exception {
        if (broker != null) {
            broker.close();
        }
    }

    @BeforeEach
    void start() throws Exception {
        sink = SmtpSink.start(tmp);

        topic = "mail-" + TOPICS.incrementAndGet();
        broker.createTopic(topic, 2);
        broker.createTopic(topic + "-dead", 1);
    }

    @AfterEach
    void stop() throws Exception {
        for (Main main : mains) {
            main.stop();
        }
        if (sink != null) {
            sink.close();
        }
    }

    /** Starts the YAML with this test's topic and group; returns the SMTP port. */
    private int startRouter(String name, Map<String, String> extra) throws Exception {
        int smtpPort = freePort();
        Main main = MailRouter.create("file:routes/mail-to-kafka.camel.yaml");
        main.addInitialProperty("smtp.port", String.valueOf(smtpPort));
        main.addInitialProperty("smtp.hostName", name + ".test");
        main.addInitialProperty("admin.port", String.valueOf(freePort()));
        main.addInitialProperty("data.dir", tmp.resolve("data-" + name).toString()); // its admin.token
        main.addInitialProperty("spool.dir", tmp.resolve("spool-" + name).toString());
        main.addInitialProperty("smtp.acceptedDomains", "example.net");
        main.addInitialProperty("kafka.brokers", broker.bootstrap());
        main.addInitialProperty("kafka.topic", topic);
        main.addInitialProperty("kafka.deadLetterTopic", topic + "-dead");
        main.addInitialProperty("kafka.groupId", "relay-" + topic);
        // a dead broker shows up within seconds, not the production 30 s
        main.addInitialProperty("kafka.deliveryTimeoutMs", "3000");
        main.addInitialProperty("kafka.requestTimeoutMs", "2000");
        main.addInitialProperty("kafka.maxBlockMs", "3000");
        main.addInitialProperty("kafka.pollTimeoutMs", "500"); // stopping a worker waits for its poll
        main.addInitialProperty("smarthost.uri", "smtp-relay:127.0.0.1:" + sink.port() + "?tls=none&connectTimeout=2s");
        extra.forEach(main::addInitialProperty);
        main.start();
        mains.add(main);
        return smtpPort;
    }

    private String swaks(int smtpPort, String... options) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("swaks", "--server", "127.0.0.1", "--port",
                String.valueOf(smtpPort), "--helo", "client.test", "--from", "alice@example.org"));
        cmd.addAll(List.of(options));
        return run(cmd);
    }

    private static String queueId(String out) {
        assertTrue(out.contains("<-  250 2.0.0 Ok: queued as "), out);
        return out.substring(out.indexOf("queued as ") + 10).split("\\s")[0];
    }

    /** Every record in this test's topic, read from the start with a plain consumer (no group, no commits). */
    private List<ConsumerRecord<String, byte[]>> records(int atLeast) throws Exception {
        return records(topic, 2, atLeast);
    }

    /** Every record in the topic's partitions, read from the start with a plain consumer (no group, no commits). */
    private List<ConsumerRecord<String, byte[]>> records(String topic, int partitionCount, int atLeast)
            throws Exception {
        Map<String, Object> config = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrap(),
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName(),
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName(),
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(config)) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (int p = 0; p < partitionCount; p++) {
                partitions.add(new TopicPartition(topic, p));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (System.nanoTime() < deadline
                   && (records.size() < atLeast
                       || partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p)))) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
        }
        return records;
    }

    private static String header(ConsumerRecord<?, ?> record, String name) {
        Header h = record.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    /** The offsets the worker's group committed, per partition. */
    private long committed() throws Exception {
        try (Admin admin = broker.admin()) {
            Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets("relay-" + topic)
                    .partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
            return offsets.values().stream().filter(o -> o != null).mapToLong(OffsetAndMetadata::offset).sum();
        }
    }

    private void awaitCommitted(long expected) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        long seen = -1;
        while (System.nanoTime() < deadline) {
            seen = committed();
            if (seen == expected) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("committed offsets of relay-" + topic + ": " + seen + ", expected " + expected);
    }

    private String awaitDump(String queueId) throws Exception {
        return sink.awaitDump(queueId, 30);
    }

    @Test
    @Order(1)
    void messageIsPublishedWithItsEnvelopeThenRelayedOnce() throws Exception {
        int smtpPort = startRouter("mx1", Map.of());
        String out = swaks(smtpPort, "--to", "bob@example.net,carol@example.net", "--header",
                "Subject: through kafka", "--body", "hello through the topic");
        assertTrue(out.contains("<-  250 2.1.5 Ok"), out);
        String id = queueId(out);

        List<ConsumerRecord<String, byte[]>> records = records(1);
        assertEquals(1, records.size(), "one record per message");
        ConsumerRecord<String, byte[]> record = records.get(0);
        assertEquals(id, record.key());
        assertEquals("alice@example.org", header(record, "SmtpEnvelopeFrom"));
        assertEquals("[\"bob@example.net\",\"carol@example.net\"]", header(record, "SmtpEnvelopeTo"));
        assertEquals(id, header(record, "SmtpMessageId"));
        assertEquals("client.test", header(record, "SmtpHelo"));
        assertEquals("127.0.0.1", header(record, "SmtpRemoteAddress"));
        assertEquals(String.valueOf(smtpPort), header(record, "SmtpLocalPort"));
        assertEquals(String.valueOf(record.value().length), header(record, "SmtpMessageSize"));
        assertEquals("7BIT", header(record, "SmtpBodyType"));
        assertNull(header(record, "SmtpAuthenticatedUser"));
        for (Header h : record.headers()) {
            assertFalse(h.key().startsWith("Camel"), "no Camel header goes out: " + h.key());
        }
        String value = new String(record.value(), StandardCharsets.ISO_8859_1);
        assertTrue(value.startsWith("Received: from client.test ([127.0.0.1])"), value);
        assertTrue(value.contains("by mx1.test (camel-smtp) with ESMTP id " + id), value);
        assertTrue(value.contains("\r\nSubject: through kafka\r\n"), value);
        assertTrue(value.contains("\r\n\r\nhello through the topic"), value);

        String message = awaitDump(id);
        assertTrue(message.contains("X-Mail-Args: <alice@example.org>"), message);
        assertTrue(message.contains("X-Rcpt-Args: <bob@example.net>"), message);
        assertTrue(message.contains("X-Rcpt-Args: <carol@example.net>"), message);
        assertTrue(message.replace("\r\n", "\n").contains(value.replace("\r\n", "\n")),
                "the smart host got the record's octets:\n" + message);

        awaitCommitted(1);
        Thread.sleep(500);
        assertEquals(1, sink.dumped().size(), "delivered once");
    }

    @Test
    @Order(2)
    void nullSenderFromSmtplibStaysTheNullSender() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/python3")), "SKIPPED: /usr/bin/python3 is not installed");
        int smtpPort = startRouter("mx1", Map.of());
        String script = """
                import smtplib, sys
                msg = b"From: MAILER-DAEMON@example.org\\r\\nSubject: bounce\\r\\n\\r\\nyour mail could not be delivered\\r\\n"
                with smtplib.SMTP("127.0.0.1", int(sys.argv[1])) as s:
                    s.ehlo("bouncer.test")
                    print(s.sendmail("", ["bob@example.net"], msg))
                    print(s.noop())
                """;
        Path py = Files.writeString(tmp.resolve("send.py"), script);
        String out = run(List.of("/usr/bin/python3", py.toString(), String.valueOf(smtpPort)));
        assertTrue(out.startsWith("{}"), out); // no recipient refused, no exception

        ConsumerRecord<String, byte[]> record = records(1).get(0);
        assertEquals("", header(record, "SmtpEnvelopeFrom"), "the null sender <> travels as an empty value");
        assertEquals("[\"bob@example.net\"]", header(record, "SmtpEnvelopeTo"));
        assertEquals("bouncer.test", header(record, "SmtpHelo"));

        String message = awaitDump(record.key());
        assertTrue(message.contains("X-Mail-Args: <>"), message);
        assertTrue(message.contains("X-Rcpt-Args: <bob@example.net>"), message);
        assertTrue(message.contains("your mail could not be delivered"), message);
    }

    @Test
    @Order(3)
    void twoListenersShareTheTopicAndTwoWorkersShareTheWork() throws Exception {
        // the scale-out shape: a full node, a listener-only node and a worker-only node, one topic, one group
        int first = startRouter("mx1", Map.of());
        int second = startRouter("mx2", Map.of("worker.enabled", "false"));
        startRouter("worker", Map.of("listener.enabled", "false"));
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < 3; i++) {
            ids.add(queueId(swaks(first, "--to", "bob" + i + "@example.net", "--header", "Subject: via mx1")));
            ids.add(queueId(swaks(second, "--to", "carol" + i + "@example.net", "--header", "Subject: via mx2")));
        }
        assertEquals(6, ids.size());

        List<ConsumerRecord<String, byte[]>> records = records(6);
        assertEquals(6, records.size());
        Set<String> keys = new HashSet<>();
        records.forEach(r -> keys.add(r.key()));
        assertEquals(ids, keys);

        for (String id : ids) {
            awaitDump(id);
        }
        awaitCommitted(6);
        try (Admin admin = broker.admin()) {
            int members = admin.describeConsumerGroups(List.of("relay-" + topic)).all().get(10, TimeUnit.SECONDS)
                    .get("relay-" + topic).members().size();
            assertEquals(2, members, "the two workers are in the group, the listener-only node is not");
        }
        Thread.sleep(500);
        assertEquals(6, sink.dumped().size(), "each message delivered once");
    }

    /** Whatever a listener accepts is relayed to the smart host: a domain outside smtp.acceptedDomains is refused. */
    @Test
    @Order(4)
    void anOutsideRecipientGets554AndNothingIsPublished() throws Exception {
        int smtpPort = startRouter("mx1", Map.of());
        String out = swaks(smtpPort, "--to", "you@example.org", "--header", "Subject: relay attempt");
        assertTrue(out.contains("<** 554 5.7.1 <you@example.org>: Relay access denied"), out);
        assertFalse(out.contains("queued as"), out);
        String id = queueId(swaks(smtpPort, "--to", "bob@example.net", "--header", "Subject: for a local domain"));
        List<ConsumerRecord<String, byte[]>> records = records(1);
        assertEquals(1, records.size(), "only the message for example.net was published");
        assertEquals(id, records.get(0).key());
    }

    @Test
    @Order(5)
    void messageLargerThanTheProducerMaySendGets552() throws Exception {
        int smtpPort = startRouter("mx1", Map.of("kafka.maxRequestSize", "4096"));
        String out = swaks(smtpPort, "--to", "bob@example.net", "--header", "Subject: big", "--body",
                ("y".repeat(70) + "\n").repeat(100)); // 7 KB
        assertTrue(out.contains("<** 552 5.3.4 Message too big for the mail topic"), out);
        assertFalse(out.contains("queued as"), out);

        String small = swaks(smtpPort, "--to", "bob@example.net", "--header", "Subject: small");
        String id = queueId(small);
        List<ConsumerRecord<String, byte[]>> records = records(1);
        assertEquals(1, records.size(), "only the small message was published");
        assertEquals(id, records.get(0).key());
    }

    /** Writes a record straight to partition 0 of the topic, as anyone with write access to it could. */
    private void produce(String key, String value, Map<String, String> headers) throws Exception {
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrap(),
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName(),
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName()))) {
            ProducerRecord<String, byte[]> record = new ProducerRecord<>(topic, 0, key,
                    value.getBytes(StandardCharsets.US_ASCII));
            headers.forEach((name, v) -> record.headers().add(name, v.getBytes(StandardCharsets.UTF_8)));
            producer.send(record).get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    @Order(6)
    void recordWithoutAnEnvelopeGoesToTheDeadLetterTopicAndTheNextIsDelivered() throws Exception {
        produce("junk", "not mail", Map.of());
        int smtpPort = startRouter("mx1", Map.of());
        String id = queueId(swaks(smtpPort, "--to", "bob@example.net", "--header", "Subject: after the junk"));
        assertTrue(awaitDump(id).contains("Subject: after the junk"));
        awaitCommitted(2);
        Thread.sleep(500);
        assertEquals(1, sink.dumped().size(), "the junk record is not mail");
        List<ConsumerRecord<String, byte[]>> dead = records(topic + "-dead", 1, 1);
        assertEquals(1, dead.size());
        assertEquals("junk", dead.get(0).key());
        assertTrue(header(dead.get(0), "DeadLetterReason").startsWith("record without an SMTP envelope"),
                header(dead.get(0), "DeadLetterReason"));
    }

    /**
     * A record whose envelope smuggles an SMTP command into RET, written by someone with access to the topic: it goes
     * to the dead-letter topic as it was, with the reason; nothing is queued, nothing reaches the smart host, and the
     * mail after it in the same partition is delivered.
     */
    @Test
    @Order(7)
    void recordWithABadEnvelopeGoesToTheDeadLetterTopicAndNeverIntoTheSpool() throws Exception {
        String message = "Subject: smuggled\r\n\r\nhello mallory\r\n";
        produce("EVIL1", message, Map.of("SmtpEnvelopeFrom", "alice@example.org",
                "SmtpEnvelopeTo", "[\"bob@example.net\"]",
                "SmtpDsnRet", "FULL\r\nRCPT TO:<mallory@example.com>"));
        int smtpPort = startRouter("mx1", Map.of());
        String id = queueId(swaks(smtpPort, "--to", "bob@example.net", "--header", "Subject: after the bad one"));
        assertTrue(awaitDump(id).contains("Subject: after the bad one"));
        awaitCommitted(2);

        List<ConsumerRecord<String, byte[]>> dead = records(topic + "-dead", 1, 1);
        assertEquals(1, dead.size(), "one record in the dead-letter topic");
        ConsumerRecord<String, byte[]> record = dead.get(0);
        assertEquals("EVIL1", record.key());
        assertEquals(message, new String(record.value(), StandardCharsets.US_ASCII), "the value as it was");
        assertEquals("FULL\r\nRCPT TO:<mallory@example.com>", header(record, "SmtpDsnRet"), "the headers as they were");
        String reason = header(record, "DeadLetterReason");
        assertTrue(reason.startsWith("SmtpDsnRet holds a control character: \"FULL\\x0d\\x0aRCPT TO:"), reason);
        assertEquals(topic + "/0@0", header(record, "DeadLetterOrigin"));
        for (Header h : record.headers()) {
            assertFalse(h.key().startsWith("Camel") || h.key().startsWith("kafka."), "no internal header: " + h.key());
        }

        MailQueue queue = mains.get(0).getCamelContext().getComponent("smtp-queue", SmtpQueueComponent.class)
                .getQueue("kafka-relay");
        assertEquals(1, queue.queuedTotal(), "only the good message went into the spool");
        Thread.sleep(500);
        assertEquals(1, sink.dumped().size());
        for (Path dump : sink.dumped()) {
            assertFalse(Files.readString(dump, StandardCharsets.ISO_8859_1).contains("mallory"), dump.toString());
        }
    }

    /** A bad record with no room left for the reason goes to the dead-letter topic without its value. */
    @Test
    @Order(8)
    void aBadRecordTooLargeForTheReasonIsDeadLetteredWithoutItsValue() throws Exception {
        produce("BIG1", "x".repeat(4000), Map.of("SmtpEnvelopeFrom", "alice@example.org",
                "SmtpEnvelopeTo", "[\"bob@example.net\"]", "SmtpBodyType", "BINARYMIME"));
        int smtpPort = startRouter("mx1", Map.of("kafka.maxRequestSize", "4096"));
        String id = queueId(swaks(smtpPort, "--to", "bob@example.net", "--header", "Subject: after the big one"));
        assertTrue(awaitDump(id).contains("Subject: after the big one"));
        awaitCommitted(2);
        ConsumerRecord<String, byte[]> record = records(topic + "-dead", 1, 1).get(0);
        assertEquals("BIG1", record.key());
        assertEquals(0, record.value().length);
        assertEquals("4000", header(record, "DeadLetterValueDropped"));
        assertTrue(header(record, "DeadLetterReason").contains("SmtpBodyType \"BINARYMIME\" is not 7BIT or 8BITMIME"),
                header(record, "DeadLetterReason"));
    }

    @Test
    @Order(9)
    void brokerDownGives451AndNothingIsPublished() throws Exception {
        int smtpPort = startRouter("mx1", Map.of());
        broker.kill();
        try {
            long t0 = System.nanoTime();
            String out = swaks(smtpPort, "--to", "bob@example.net", "--header", "Subject: while the broker is down");
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertTrue(out.contains("<** 451 4.3.0 Temporary failure, try again later"), out);
            assertFalse(out.contains("queued as"), out);
            System.out.println("broker down: 451 after " + millis + " ms");
        } finally {
            long t0 = System.nanoTime();
            broker.restart();
            System.out.println("kafka broker restarted in " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)
                               + " ms");
        }
        // the client's retry, once the broker is back
        String retry = swaks(smtpPort, "--to", "bob@example.net", "--header", "Subject: after the broker is back");
        String id = queueId(retry);
        List<ConsumerRecord<String, byte[]>> records = records(1);
        assertEquals(1, records.size(), "only the retry was published");
        assertEquals(id, records.get(0).key());
        assertTrue(awaitDump(id).contains("Subject: after the broker is back"));
        Thread.sleep(500);
        assertEquals(1, sink.dumped().size());
    }

    @Test
    @Order(10)
    void aQueueThatCannotStoreIsRetriedWithBackoffAndNothingIsSkipped() throws Exception {
        Path disk = Peers.mountTinyDisk(tmp.resolve("disk"));
        try {
            int smtpPort = startRouter("mx1", Map.of("spool.dir", disk.toString(), "worker.retryDelay", "200",
                    "worker.retryMaxDelay", "800"));
            Path filler = disk.resolve("filler");
            try (OutputStream out = Files.newOutputStream(filler)) {
                byte[] block = new byte[4096];
                while (Files.getFileStore(disk).getUsableSpace() > 0) {
                    out.write(block);
                }
            } catch (IOException full) {
                // the disk is full: the queue cannot store the next message
            }
            String id = queueId(swaks(smtpPort, "--to", "bob@example.net", "--header", "Subject: disk full"));
            assertEquals(1, records(1).size(), "the listener published it; the worker cannot queue it");

            Thread.sleep(3000);
            ManagedRouteMBean route = mains.get(0).getCamelContext().getCamelContextExtension()
                    .getContextPlugin(ManagedCamelContext.class).getManagedRoute("kafka-to-queue");
            long exchanges = route.getExchangesTotal() + route.getExchangesInflight();
            // without the backoff the record was consumed 7 times in these 3 s
            assertTrue(exchanges <= 2, "the record is retried with backoff, not consumed again and again: "
                                       + exchanges + " exchanges in 3 s");
            assertEquals(0, committed(), "nothing committed while the queue cannot store");
            assertTrue(sink.dumped().isEmpty());

            Files.delete(filler);
            assertTrue(awaitDump(id).contains("Subject: disk full"));
            awaitCommitted(1);
        } finally {
            for (Main main : mains) {
                main.stop();
            }
            mains.clear();
            Peers.unmount(disk);
        }
    }
}

package io.camelsmtp.smtp.queue.spool;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.camelsmtp.smtp.common.Envelope;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * Fuzz tests of the spool's reader (Jazzer): what a crash, a bad disk or someone with write access can leave in a
 * spool. Decoding an envelope block from any octets either gives an entry or fails as damage
 * ({@link CorruptSpoolException} / {@link TruncatedException}), and salvaging never fails. Opening a spool whose
 * segment file (after one intact message), state log and deferred envelope file hold arbitrary octets never fails:
 * damage is moved aside, and every message it does recover has a sender, a pending recipient and octets that read
 * back to their stated size. Regression inputs in
 * {@code src/test/resources/io/camelsmtp/smtp/queue/spool/SpoolFuzzTestInputs/}; to fuzz, see docs/security.md.
 */
class SpoolFuzzTest {

    @FuzzTest(maxDuration = "60s")
    void envelopeBlock(FuzzedDataProvider data) throws IOException {
        byte[] raw = data.consumeRemainingAsBytes();
        try {
            EnvelopeCodec.Decoded d = EnvelopeCodec.decode(new ByteArrayInputStream(raw), raw.length);
            if (d != null) {
                assertNotNull(d.entry().sender());
                assertFalse(d.entry().recipients().isEmpty());
            }
        } catch (CorruptSpoolException expected) {
            // damage, reported as such (a TruncatedException is one too)
        }
        assertNotNull(EnvelopeCodec.salvage(raw));
    }

    @FuzzTest(maxDuration = "120s")
    void recovery(FuzzedDataProvider data) throws IOException {
        Path dir = Files.createTempDirectory("camel-smtp-spool-fuzz");
        try {
            Spool first = new Spool(dir, 1 << 20);
            first.open();
            SpoolEntry intact = SpoolEntry.create("FUZZ1", Instant.parse("2026-12-06T12:00:00Z"), SpoolEntry.Kind.MAIL,
                    Envelope.of("alice@example.org", List.of("bob@example.net")), 5);
            first.enqueue(intact, new ByteArrayInputStream("hello".getBytes()));
            first.close();
            Path segment;
            try (Stream<Path> s = Files.list(dir.resolve("segments"))) {
                segment = s.filter(p -> p.toString().endsWith(".seg")).filter(p -> size(p) > 0).findFirst().orElseThrow();
            }
            Files.write(segment, data.consumeBytes(data.consumeInt(0, 4000)), java.nio.file.StandardOpenOption.APPEND);
            Files.write(Path.of(segment.toString().replace(".seg", ".state")), data.consumeBytes(data.consumeInt(0, 500)));
            Files.write(dir.resolve("deferred").resolve("FUZZ2.eml"), "world".getBytes());
            Files.write(dir.resolve("deferred").resolve("FUZZ2.env"), data.consumeRemainingAsBytes());

            Spool again = new Spool(dir, 1 << 20);
            List<SpoolEntry> back = again.open();
            for (SpoolEntry e : back) {
                assertNotNull(e.sender());
                assertFalse(e.pending().isEmpty(), e.toString());
                try (InputStream in = again.openMessage(e)) {
                    assertEquals(e.size(), in.readAllBytes().length, e.toString());
                }
            }
            again.close();
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static long size(Path p) {
        try {
            return Files.size(p);
        } catch (IOException e) {
            return 0;
        }
    }
}

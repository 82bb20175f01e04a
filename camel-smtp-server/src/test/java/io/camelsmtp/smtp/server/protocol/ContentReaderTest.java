package io.camelsmtp.smtp.server.protocol;

import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * Random messages, dot-stuffed the way a client sends them, arriving in random slices: the reader must give back the
 * exact content, stop at the real terminator whatever the slice boundaries, and leave the next command unread.
 */
class ContentReaderTest {

    @TempDir
    Path spool;

    @Test
    void randomMessagesInRandomSlices() throws Exception {
        Random random = new Random(20261125);
        String alphabet = "ab.c \t.xyz=";
        for (int round = 0; round < 300; round++) {
            StringBuilder content = new StringBuilder();
            int lines = random.nextInt(60);
            for (int l = 0; l < lines; l++) {
                int len = random.nextInt(random.nextInt(10) == 0 ? 3000 : 80);
                for (int c = 0; c < len; c++) {
                    content.append(alphabet.charAt(random.nextInt(alphabet.length())));
                }
                content.append("\r\n");
            }
            byte[] expected = content.toString().getBytes(StandardCharsets.US_ASCII);
            String wire = ("\r\n" + content).replace("\r\n.", "\r\n..").substring(2) + ".\r\nNOOP\r\n";
            InputStream in = new BufferedInputStream(new Slices(wire.getBytes(StandardCharsets.US_ASCII), random), 8192);
            SpoolWriter writer = new SpoolWriter(new SpoolDirectory(spool.toString()), 1 << 20);
            ContentReader reader = new ContentReader(writer, 1 << 20, 0, false);
            reader.readDotTerminated(in);
            assertNull(reader.problem());
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            try (InputStream s = writer.finish().openStream()) {
                s.transferTo(got);
            }
            assertArrayEquals(expected, got.toByteArray(), "round " + round);
            assertEquals("NOOP\r\n", new String(in.readAllBytes(), StandardCharsets.US_ASCII), "round " + round);
        }
    }

    @Test
    void limitsHoldAcrossTheFastPath() throws Exception {
        SpoolWriter writer = new SpoolWriter(new SpoolDirectory(spool.toString()), 1 << 20);
        ContentReader reader = new ContentReader(writer, 1 << 20, 100, false);
        reader.readDotTerminated(new BufferedInputStream(new ByteArrayInputStream(("x".repeat(99) + "\r\n.\r\n").getBytes())));
        assertEquals("550 5.6.0 Message contains a line longer than 100 octets (RFC 5321 section 4.5.3.1.6)",
                reader.problem().toString());
        ContentReader small = new ContentReader(new SpoolWriter(new SpoolDirectory(spool.toString()), 1 << 20), 50, 0, false);
        small.readDotTerminated(new BufferedInputStream(new ByteArrayInputStream(("y".repeat(60) + "\r\n.\r\n").getBytes())));
        assertEquals(552, small.problem().code());
    }

    /** Returns at most a few octets per read, so that terminators and CRLFs straddle read boundaries. */
    private static final class Slices extends FilterInputStream {
        private final Random random;

        Slices(byte[] data, Random random) {
            super(new ByteArrayInputStream(data));
            this.random = random;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            return super.read(b, off, Math.min(len, 1 + random.nextInt(random.nextBoolean() ? 7 : 9000)));
        }
    }
}

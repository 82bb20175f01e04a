package io.camelsmtp.smtp.server.protocol;

import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fuzz tests for what the listener parses off the wire (Jazzer). In a normal build they run in regression mode over
 * the committed inputs in {@code src/test/resources/io/camelsmtp/smtp/server/protocol/ProtocolFuzzTestInputs/};
 * to fuzz, see docs/security.md ("Fuzzing").
 */
class ProtocolFuzzTest {

    private static final byte[] END = { '\r', '\n', '.', '\r', '\n' };
    private static final Path SPOOL;

    static {
        try {
            SPOOL = Files.createTempDirectory("camel-smtp-fuzz"); // created 0700, as a spool directory must be
        } catch (IOException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /**
     * MAIL FROM / RCPT TO arguments: the parser never throws, and a path it accepts has no control character (no line
     * end, no NUL), a space or angle bracket only inside a quoted local part, and no parameter with a line end — so
     * nothing it accepts can end up as a second command on a line the relay writes.
     */
    @FuzzTest(maxDuration = "60s")
    void mailAndRcptArguments(FuzzedDataProvider data) {
        boolean mail = data.consumeBoolean();
        String argument = data.consumeRemainingAsString();
        SmtpPath.Parsed p = SmtpPath.parse(argument, mail ? "FROM:" : "TO:", mail, !mail);
        if (p.error() != null) {
            return;
        }
        assertNotNull(p.address());
        String a = p.address();
        assertTrue(a.chars().noneMatch(c -> c < 32 || c == 127), "a control character in " + a);
        if (!a.startsWith("\"")) {
            // only a quoted local part (RFC 5321 quoted-string) may hold a space or angle brackets
            assertFalse(a.indexOf(' ') >= 0 || a.indexOf('<') >= 0 || a.indexOf('>') >= 0, a);
        }
        for (Map.Entry<String, String> e : p.params().entrySet()) {
            String kv = e.getKey() + "=" + e.getValue();
            assertFalse(kv.indexOf('\r') >= 0 || kv.indexOf('\n') >= 0, kv);
        }
    }

    /**
     * DATA content, differentially against the rule of RFC 5321 §4.5.2 written as plainly as possible: the content ends
     * at the first CRLF "." CRLF of the wire (the start counts as a line start) and at nothing else (a bare LF "."
     * is content: the SMTP smuggling defence); not one octet after it is consumed; without bare line endings, the
     * content is the wire up to that CRLF with one leading dot removed from every line; a bare CR or LF is refused
     * unless allowed. The wire arrives in random slices so that terminators straddle reads.
     */
    @FuzzTest(maxDuration = "120s")
    void dataContent(FuzzedDataProvider data) throws IOException {
        boolean allowBare = data.consumeBoolean();
        int maxLine = data.consumeBoolean() ? 0 : data.consumeInt(3, 2000);
        long seed = data.consumeLong();
        byte[] wire = data.consumeRemainingAsBytes();
        int end = indexOf(concat(new byte[] { '\r', '\n' }, wire), END); // in the prefixed array
        SpoolWriter writer = new SpoolWriter(new SpoolDirectory(SPOOL.toString()), 1 << 20);
        ContentReader reader = new ContentReader(writer, 1 << 20, maxLine, allowBare);
        InputStream in = new BufferedInputStream(new Slices(wire, new Random(seed)), 64);
        if (end < 0) {
            assertThrows(EOFException.class, () -> reader.readDotTerminated(in));
            writer.abort();
            return;
        }
        reader.readDotTerminated(in);
        int after = end + END.length - 2; // offset in wire just past the terminator
        assertArrayEquals(Arrays.copyOfRange(wire, after, wire.length), in.readAllBytes(), "octets after the end");
        byte[] raw = Arrays.copyOfRange(wire, 0, Math.max(0, end)); // content with its last CRLF, dots still stuffed
        boolean bare = hasBareLineEnding(raw);
        if (bare && !allowBare) {
            assertNotNull(reader.problem(), "a bare CR or LF must be refused");
        }
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        try (InputStream s = writer.finish().openStream()) {
            s.transferTo(got);
        }
        if (!bare) {
            byte[] expected = unstuff(raw);
            assertArrayEquals(expected, got.toByteArray(), "content");
            if (maxLine == 0) {
                assertTrue(reader.problem() == null, String.valueOf(reader.problem()));
            }
        }
        assertEquals(got.size(), reader.size());
    }

    private static boolean hasBareLineEnding(byte[] b) {
        for (int i = 0; i < b.length; i++) {
            if (b[i] == '\r' && (i + 1 >= b.length || b[i + 1] != '\n')) {
                return true;
            }
            if (b[i] == '\n' && (i == 0 || b[i - 1] != '\r')) {
                return true;
            }
        }
        return false;
    }

    /** Removes the first dot of every line (lines end with CRLF; the content starts a line). */
    private static byte[] unstuff(byte[] raw) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(raw.length);
        boolean lineStart = true;
        for (int i = 0; i < raw.length; i++) {
            byte c = raw[i];
            if (lineStart && c == '.') {
                lineStart = false;
                continue;
            }
            out.write(c);
            lineStart = c == '\n' && i > 0 && raw[i - 1] == '\r';
            if (c != '\n') {
                lineStart = false;
            }
        }
        return out.toByteArray();
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] c = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }

    /** Returns at most a few octets per read. */
    private static final class Slices extends FilterInputStream {
        private final Random random;

        Slices(byte[] data, Random random) {
            super(new ByteArrayInputStream(data));
            this.random = random;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            return super.read(b, off, Math.min(len, 1 + random.nextInt(7)));
        }
    }
}

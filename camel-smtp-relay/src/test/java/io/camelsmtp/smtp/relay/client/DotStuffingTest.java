package io.camelsmtp.smtp.relay.client;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * BDAT's content: its announced length is what is sent, and content of another length (changed between the two
 * passes) fails while the server still lacks the chunk's last octet, so it can never complete a wrong chunk.
 */
class DotStuffingTest {

    private static ByteArrayInputStream in(String s) {
        return new ByteArrayInputStream(s.getBytes(StandardCharsets.US_ASCII));
    }

    @Test
    void theAnnouncedLengthIsWhatIsSent() throws IOException {
        String content = "a\n.b\rc";
        long size = DotStuffing.canonicalSize(in(content));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        DotStuffing.canonicalExactly(in(content), out, size);
        assertEquals("a\r\n.b\r\nc\r\n", out.toString(StandardCharsets.US_ASCII));
        assertEquals(size, out.size());
        String big = ("line " + "y".repeat(300) + "\n").repeat(200);
        out.reset();
        DotStuffing.canonicalExactly(in(big), out, DotStuffing.canonicalSize(in(big)));
        assertEquals(big.replace("\n", "\r\n"), out.toString(StandardCharsets.US_ASCII));
    }

    @Test
    void longerContentFailsBeforeTheChunkIsComplete() throws IOException {
        String content = ("x".repeat(100) + "\r\n").repeat(200);
        long size = DotStuffing.canonicalSize(in(content)) - 10;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        IOException e = assertThrows(IOException.class, () -> DotStuffing.canonicalExactly(in(content), out, size));
        assertTrue(e.getMessage().contains("changed"), e::getMessage);
        assertTrue(out.size() < size, "sent " + out.size() + " of " + size);
    }

    @Test
    void shorterContentFailsBeforeTheChunkIsComplete() {
        String content = "short\r\n";
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThrows(IOException.class, () -> DotStuffing.canonicalExactly(in(content), out, 100));
        assertTrue(out.size() < 100);
        out.reset();
        // one octet short: everything but the last octet may go, never the whole announced chunk
        assertThrows(IOException.class, () -> DotStuffing.canonicalExactly(in(content), out, 8));
        assertTrue(out.size() < 8);
    }
}

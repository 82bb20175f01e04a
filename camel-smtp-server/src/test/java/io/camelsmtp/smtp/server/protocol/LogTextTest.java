package io.camelsmtp.smtp.server.protocol;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Client-chosen values in log lines: escaped, bounded, never a line break. */
class LogTextTest {

    @Test
    void lineBreaksAndControlCharactersAreEscaped() {
        assertEquals("mallory\\r\\nFAKE", LogText.user("mallory\r\nFAKE"));
        assertEquals("a\\tb\\u001B[31mc\\u0000\\u0085\\u2028", LogText.user("a\tb\u001b[31mc\u0000\u0085\u2028"));
        assertEquals("back\\\\slash", LogText.user("back\\slash"), "a literal backslash cannot pass for an escape");
        assertEquals("jörg 用户", LogText.user("jörg 用户"));
        assertEquals("null", LogText.user(null));
    }

    @Test
    void lengthIsBounded() {
        String cut = LogText.user("x".repeat(1000));
        assertEquals("x".repeat(64) + "...(1000 chars)", cut);
        assertEquals(300 + "...(301 chars)".length(), LogText.value("y".repeat(301)).length());
        // a surrogate pair is never cut in half
        assertEquals("x".repeat(63) + "...(65 chars)", LogText.user("x".repeat(63) + "\uD83D\uDE00"));
    }
}

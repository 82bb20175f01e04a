package io.camelsmtp.smtp.common;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SmtpReplyTest {

    @Test
    void parsesReplyWithEnhancedStatus() {
        SmtpReply r = SmtpReply.parse("550 5.1.1 No such user");
        assertEquals(550, r.code());
        assertEquals("5.1.1", r.enhancedStatus());
        assertEquals("No such user", r.text());
        assertTrue(r.isPermanent());
        assertEquals("550 5.1.1 No such user", r.toString());
    }

    @Test
    void parsesReplyWithoutEnhancedStatus() {
        SmtpReply r = SmtpReply.parse("451 try later");
        assertNull(r.enhancedStatus());
        assertTrue(r.isTransient());
        assertEquals("451 try later", r.toString());
    }

    @Test
    void formatsMultiLineText() {
        assertEquals("550-5.7.1 first\r\n550 5.7.1 second", SmtpReply.of(550, "5.7.1", "first\nsecond").toString());
    }

    @Test
    void refusesMismatchedClassAndGarbage() {
        assertThrows(IllegalArgumentException.class, () -> SmtpReply.parse("550 4.1.1 mixed"));
        assertThrows(IllegalArgumentException.class, () -> SmtpReply.parse("hello"));
        assertThrows(IllegalArgumentException.class, () -> SmtpReply.of(600, null, "x"));
    }
}

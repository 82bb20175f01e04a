package io.camelsmtp.smtp.common;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class XtextTest {

    @Test
    void encodesSpacePlusEqualsAndNonAscii() {
        assertEquals("a+20b+2Bc+3Dd", Xtext.encode("a b+c=d"));
        assertEquals("j+C3+B6rg@example.org", Xtext.encode("jörg@example.org"));
    }

    @Test
    void roundTripsAnyString() {
        for (String s : new String[] { "", "rfc822;bob@example.org", "ünïcødé 😀 \r\n\t+=", "\u0000\u007f" }) {
            assertEquals(s, Xtext.decode(Xtext.encode(s)), s);
        }
    }

    @Test
    void decodesWhatClientsSend() {
        assertEquals("rfc822;bob+tag@example.org", Xtext.decode("rfc822;bob+2Btag@example.org"));
        assertEquals("a b", Xtext.decode("a+20b"));
        assertEquals("ab", Xtext.decode("+61+62"));
    }

    @Test
    void refusesWhatIsNotXtext() {
        assertNull(Xtext.decode("truncated+4"), "escape cut short");
        assertNull(Xtext.decode("end+"), "escape cut short");
        assertNull(Xtext.decode("bad+ZZhex"), "not hex");
        assertNull(Xtext.decode("sign++1"), "a sign is not a hex digit");
        assertNull(Xtext.decode("a b"), "space must be escaped");
        assertNull(Xtext.decode("a=b"), "= must be escaped");
        assertNull(Xtext.decode("é"), "8-bit must be escaped");
    }
}

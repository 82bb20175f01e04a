package io.camelsmtp.smtp.server;

import java.util.List;

import io.camelsmtp.smtp.common.SmtpReply;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Where the line runs between a reply line, bare text and a route error in CamelSmtpReply. */
class ReplyHeaderTest {

    private static String reply(Object value) {
        return ReplyHeader.parse(value).toString();
    }

    private static String error(Object value) {
        return assertThrows(IllegalArgumentException.class, () -> ReplyHeader.parse(value), String.valueOf(value))
                .getMessage();
    }

    @Test
    void nothingSetIsNoReply() {
        assertNull(ReplyHeader.parse(null));
    }

    @Test
    void aReplyLineIsThatReply() {
        assertEquals("550 5.1.1 No such user here", reply(" 550 5.1.1 No such user here "));
        assertEquals("452 4.2.2 Mailbox full", reply("452 4.2.2 Mailbox full"));
        assertEquals("250 Ok", reply("250 Ok"));
        assertEquals("554", reply("554"));
        // a final line break (a YAML block scalar, a file) is surrounding whitespace, not a second line
        assertEquals("554 5.7.1 No", reply("554 5.7.1 No\n"));
    }

    @Test
    void bareTextIsA250() {
        assertEquals("250 2.0.0 Thanks, filed as ticket 42", reply("Thanks, filed as ticket 42"));
        assertEquals("250 2.0.0 Ok, queued", reply("Ok, queued"));
        assertEquals("250 2.0.0 Queued\tfor later", reply("Queued\tfor later"));
        assertEquals("250 2.0.0 ab", reply("ab"));
    }

    @Test
    void aLineBreakInsideIsARouteError() {
        assertTrue(error("554 5.7.1 No\nSee policy").contains("line break"));
        assertTrue(error("554 5.7.1 No\r\nSee policy").contains("line break"));
        assertTrue(error("Thanks\r\n250 Forged").contains("line break"));
        assertTrue(error("554 5.7.1 No\rSee policy").contains("line break"));
        assertTrue(error("554 5.7.1 bell\u0007").contains("control character"));
    }

    @Test
    void anAttemptAtACodeThatIsNotOneIsARouteError() {
        for (String attempt : List.of("55O 5.7.1 typo", "O54 5.7.1 typo", "5S4 refused", "S50 refused", "5.7.1 Denied",
                "5540 No", "554\tNo", "600 No", "199 No", "554 2.0.0 class mismatch", "2 recipients accepted")) {
            assertTrue(error(attempt).contains("valid reply code"), attempt);
        }
    }

    @Test
    void aThreeHundredReplyIsARouteError() {
        assertTrue(error("354 go ahead").contains("354"));
        assertTrue(error(SmtpReply.of(334, null, "")).contains("334"));
    }

    @Test
    void anSmtpReplyIsTakenAsItIsAndMayHaveSeveralLines() {
        SmtpReply reply = SmtpReply.of(554, "5.7.1", "No\nSee policy");
        assertEquals(reply, ReplyHeader.parse(reply));
        assertEquals("554-5.7.1 No\r\n554 5.7.1 See policy", reply(reply));
    }

    @Test
    void aListIsAMultiLineReplyWithOneCode() {
        assertEquals("554-5.7.1 No\r\n554 5.7.1 See policy", reply(List.of("554-5.7.1 No", "554 5.7.1 See policy")));
        assertEquals("554-5.7.1 No\r\n554 5.7.1 See policy", reply(List.of("554 5.7.1 No", "554 5.7.1 See policy")));
        assertEquals("250-one\r\n250 two", reply(List.of("250-one", "250 two")));
        assertTrue(error(List.of("554 5.7.1 No", "550 5.7.1 See policy")).contains("same code"));
        assertTrue(error(List.of("554 5.7.1 No", "554 See policy")).contains("same code"));
        assertTrue(error(List.of("554 5.7.1 No", "See policy")).contains("valid reply code"));
        assertTrue(error(List.of("554 5.7.1 No\nmore")).contains("line break"));
        assertTrue(error(List.of()).contains("empty"));
    }
}

package io.camelsmtp.examples.bridge;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.camelsmtp.examples.bridge.EnvelopeRules.InvalidEnvelope;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What an envelope read from outside smtp-server must satisfy: what smtp-server's MAIL FROM and RCPT TO parser
 * accepts passes, what it refuses (and any control character) does not, and the reason is one safe line.
 */
class EnvelopeRulesTest {

    /** A valid envelope as smtp-server writes it, with every optional value set. */
    private static Map<String, Object> envelope() {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("CamelSmtpEnvelopeFrom", "alice@example.org");
        e.put("CamelSmtpEnvelopeTo", new ArrayList<>(List.of("bob@example.net", "\"smith, john\"@example.com",
                "Postmaster", "carol@[192.0.2.1]", "dave@[IPv6:2001:db8::1]", "erin@mx.example.net.")));
        e.put("CamelSmtpMessageId", "19AE9F0C3A1B2C0042");
        e.put("CamelSmtpHelo", "client.test");
        e.put("CamelSmtpRemoteAddress", "192.0.2.7");
        e.put("CamelSmtpLocalPort", 25);
        e.put("CamelSmtpMessageSize", 1234L);
        e.put("CamelSmtpUtf8", false);
        e.put("CamelSmtpBodyType", "8bitmime");
        e.put("CamelSmtpDsnRet", "hdrs");
        e.put("CamelSmtpDsnEnvid", "QQ314159");
        e.put("CamelSmtpDsnNotify", new ArrayList<>(Arrays.asList("success,delay", null, "NEVER", null, null, null)));
        e.put("CamelSmtpDsnOrcpt", new ArrayList<>(Arrays.asList("rfc822;bob@example.net", null, null, null, null,
                "utf-8;erin@mx.example.net")));
        return e;
    }

    @Test
    void whatSmtpServerAcceptsPassesAndIsPutInUpperCase() {
        Map<String, Object> e = envelope();
        EnvelopeRules.check(e);
        assertEquals("8BITMIME", e.get("CamelSmtpBodyType"));
        assertEquals("HDRS", e.get("CamelSmtpDsnRet"));
        assertEquals(Arrays.asList("SUCCESS,DELAY", null, "NEVER", null, null, null), e.get("CamelSmtpDsnNotify"));

        Map<String, Object> bounce = new LinkedHashMap<>(Map.of("CamelSmtpEnvelopeFrom", "",
                "CamelSmtpEnvelopeTo", List.of("postmaster")));
        EnvelopeRules.check(bounce); // the null sender, to the bare postmaster

        Map<String, Object> utf8 = new LinkedHashMap<>(Map.of("CamelSmtpEnvelopeFrom", "jörg@bücher.example",
                "CamelSmtpEnvelopeTo", List.of("渡辺@例え.jp"), "CamelSmtpUtf8", true));
        EnvelopeRules.check(utf8);
    }

    /** header, bad value, what the reason must say. */
    private static final Object[][] BAD = {
        {"CamelSmtpEnvelopeFrom", "alice@example.org\r\nRCPT TO:<mallory@example.com>", "SmtpEnvelopeFrom holds a control character"},
        {"CamelSmtpEnvelopeFrom", "alice", "bad sender address"},
        {"CamelSmtpEnvelopeFrom", "alice@", "bad sender address"},
        {"CamelSmtpEnvelopeFrom", "<alice@example.org>", "bad sender address"},
        {"CamelSmtpEnvelopeFrom", "alice@example.org> SIZE=1", "bad sender address"},
        {"CamelSmtpEnvelopeFrom", "al ice@example.org", "bad sender address"},
        {"CamelSmtpEnvelopeFrom", "a..b@example.org", "bad sender address"},
        {"CamelSmtpEnvelopeFrom", "a".repeat(65) + "@example.org", "bad sender address"},
        {"CamelSmtpEnvelopeFrom", "a@-example.org", "bad sender address"},
        {"CamelSmtpEnvelopeFrom", "a@[300.1.1.1]", "bad sender address"},
        {"CamelSmtpEnvelopeFrom", "jörg@example.org", "is not ASCII and SmtpUtf8 is not true"},
        {"CamelSmtpEnvelopeFrom", null, "no SMTP envelope"},
        {"CamelSmtpEnvelopeFrom", 42, "no SMTP envelope"},
        {"CamelSmtpEnvelopeTo", List.of(), "no SMTP envelope"},
        {"CamelSmtpEnvelopeTo", "bob@example.net", "no SMTP envelope"},
        {"CamelSmtpEnvelopeTo", List.of("bob@example.net\nDATA"), "SmtpEnvelopeTo holds a control character"},
        {"CamelSmtpEnvelopeTo", List.of("bob@example.net", "mallory"), "bad recipient address \"mallory\""},
        {"CamelSmtpEnvelopeTo", List.of("\"a\\\r\"@example.net"), "holds a control character"},
        {"CamelSmtpEnvelopeTo", List.of("postmaster@"), "bad recipient address"},
        {"CamelSmtpEnvelopeTo", List.of(""), "bad recipient address"},
        {"CamelSmtpEnvelopeTo", Collections.singletonList(null), "a recipient is null"},
        {"CamelSmtpEnvelopeTo", Collections.nCopies(1001, "bob@example.net"), "too many recipients: 1001"},
        {"CamelSmtpBodyType", "BINARYMIME", "SmtpBodyType \"BINARYMIME\" is not 7BIT or 8BITMIME"},
        {"CamelSmtpBodyType", "7BIT\r\n", "holds a control character"},
        {"CamelSmtpDsnRet", "FULL\r\nRCPT TO:<mallory@example.com>", "SmtpDsnRet holds a control character"},
        {"CamelSmtpDsnRet", "ALL", "SmtpDsnRet \"ALL\" is not FULL or HDRS"},
        {"CamelSmtpDsnRet", "FULL ENVID=x", "is not FULL or HDRS"},
        {"CamelSmtpDsnEnvid", "x".repeat(101), "ENVID longer than 100"},
        {"CamelSmtpDsnEnvid", "id\r\n", "holds a control character"},
        {"CamelSmtpDsnNotify", List.of("SUCCESS"), "one entry (or null) per recipient"},
        {"CamelSmtpDsnNotify", listOf6("NEVER,SUCCESS"), "is not NEVER or a list"},
        {"CamelSmtpDsnNotify", listOf6("SUCCESS FAILURE"), "is not NEVER or a list"},
        {"CamelSmtpDsnNotify", listOf6(""), "is not NEVER or a list"},
        {"CamelSmtpDsnNotify", listOf6("SUCCESS,"), "is not NEVER or a list"},
        {"CamelSmtpDsnOrcpt", listOf6("bob@example.net"), "is not addr-type;address"},
        {"CamelSmtpDsnOrcpt", listOf6(";bob@example.net"), "is not addr-type;address"},
        {"CamelSmtpDsnOrcpt", listOf6("rfc822;"), "is not addr-type;address"},
        {"CamelSmtpDsnOrcpt", listOf6("rfc 822;bob@example.net"), "is not addr-type;address"},
        {"CamelSmtpDsnOrcpt", listOf6("rfc822;" + "+".repeat(165)), "at most 500 as xtext"},
        {"CamelSmtpDsnOrcpt", listOf6("rfc822;bob\r\n@example.net"), "holds a control character"},
        {"CamelSmtpMessageId", "../../etc/passwd", "queue id \"../../etc/passwd\" is not 1 to 40 letters"},
        {"CamelSmtpMessageId", "A".repeat(41), "is not 1 to 40 letters"},
        {"CamelSmtpHelo", "client.test\r\nMAIL FROM:<x@y>", "SmtpHelo holds a control character"},
        {"CamelSmtpHelo", "h".repeat(513), "SmtpHelo is longer than 512"},
        {"CamelSmtpSessionId", "s\u0000", "SmtpSessionId holds a control character"},
        {"CamelSmtpAuthenticatedUser", "alice\u0085", "holds a control character"},
        {"CamelSmtpLocalPort", 70000, "local port 70000 out of range"},
        {"CamelSmtpMessageSize", -1L, "SmtpMessageSize is negative"},
    };

    private static List<String> listOf6(String first) {
        return new ArrayList<>(Arrays.asList(first, null, null, null, null, null));
    }

    @Test
    void everyBadValueIsRefusedWithItsReasonOnOneLine() {
        for (Object[] bad : BAD) {
            Map<String, Object> e = envelope();
            e.put((String) bad[0], bad[1]);
            InvalidEnvelope ex = assertThrows(InvalidEnvelope.class, () -> EnvelopeRules.check(e),
                    bad[0] + " = " + bad[1]);
            assertTrue(ex.getMessage().contains((String) bad[2]), bad[0] + " = " + bad[1] + ": " + ex.getMessage());
            assertFalse(ex.getMessage().chars().anyMatch(c -> c < 0x20 || c == 0x7f), "one line: " + ex.getMessage());
            assertTrue(ex.getMessage().length() < 300, ex.getMessage());
        }
    }

    @Test
    void theReasonEscapesAndShortensTheValue() {
        assertEquals("\"a\\x0d\\x0ab\\x22\"", EnvelopeRules.quote("a\r\nb\""));
        assertEquals("\"" + "x".repeat(80) + "...\"", EnvelopeRules.quote("x".repeat(200)));
    }
}

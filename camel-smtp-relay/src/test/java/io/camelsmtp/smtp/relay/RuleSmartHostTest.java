package io.camelsmtp.smtp.relay;

import java.util.List;
import java.util.Random;

import io.camelsmtp.smtp.relay.dns.ResolutionException;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** The shaping rule's smart host is {@code host[:port]}, strictly; anything else is a 4.3.5 deferral, never a crash. */
class RuleSmartHostTest {

    @Test
    void takesHostPortAndBracketedIpv6() throws Exception {
        assertEquals(new RuleSmartHost("mx.example.com", 25), RuleSmartHost.parse("mx.example.com", "s"));
        assertEquals(new RuleSmartHost("mx.example.com", 587), RuleSmartHost.parse("MX.Example.com:587", "s"));
        assertEquals(new RuleSmartHost("192.0.2.1", 25), RuleSmartHost.parse("192.0.2.1", "s"));
        assertEquals(new RuleSmartHost("2001:db8::1", 26), RuleSmartHost.parse("[2001:db8::1]:26", "s"));
        assertEquals(new RuleSmartHost("::1", 25), RuleSmartHost.parse("[::1]", "s"));
        assertTrue(RuleSmartHost.parse("[::1]", "s").isLiteral());
        assertTrue(!RuleSmartHost.parse("relay-1.example", "s").isLiteral());
    }

    @Test
    void refusesWhatIsNotExactlyThat() {
        for (String bad : List.of("", "::1", "host:", ":25", "host:0", "host:070000", "[2001:db8::1", "[192.0.2.1]:25",
                "a_b.example", "256.1.1.1", "1.2.3", "x".repeat(64) + ".example", "host:25 ", " host")) {
            ResolutionException e = assertThrows(ResolutionException.class, () -> RuleSmartHost.parse(bad, "s"), bad);
            assertEquals("4.3.5", e.reply().enhancedStatus(), bad);
            assertEquals(451, e.reply().code(), bad);
        }
    }

    /** Random strings over the characters that matter: the parser answers with a host or a 4.3.5, nothing else. */
    @Test
    void randomValuesNeverEscapeAsAnotherException() {
        String alphabet = "ab9.-:[]_ 0\r\n\u00e9/@%25f";
        Random random = new Random(15);
        int parsed = 0;
        for (int i = 0; i < 50_000; i++) {
            StringBuilder b = new StringBuilder();
            for (int n = random.nextInt(24); n > 0; n--) {
                b.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            String value = b.toString();
            try {
                RuleSmartHost h = RuleSmartHost.parse(value, "site\r\n");
                parsed++;
                assertTrue(h.port() >= 1 && h.port() <= 65535, value);
                assertTrue(h.host().matches("[a-z0-9.:-]+"), value);
            } catch (ResolutionException e) {
                assertEquals("4.3.5", e.reply().enhancedStatus(), value);
                assertTrue(e.reply().text().chars().allMatch(c -> c >= 0x20 && c < 0x7f), value);
            } catch (RuntimeException e) {
                fail("'" + value + "' escaped as " + e, e);
            }
        }
        assertTrue(parsed > 0, "some random values are host names");
    }
}

package io.camelsmtp.smtp.common.metrics;

import java.util.HashSet;
import java.util.Set;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TopDestinationsTest {

    @Test
    void namesADestinationOnceItWasSeenThresholdTimes() {
        TopDestinations top = new TopDestinations(3, 5);
        for (int i = 0; i < 4; i++) {
            assertEquals("other", top.tag("example.org"));
        }
        assertEquals("example.org", top.tag("Example.ORG"));
        assertEquals("example.org", top.tag("example.org"));
    }

    @Test
    void neverNamesMoreThanTheLimitWhateverArrives() {
        TopDestinations top = new TopDestinations(5, 1);
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 10_000; i++) {
            seen.add(top.tag("d" + (i % 997) + ".test"));
        }
        assertEquals(6, seen.size(), seen.toString()); // five names and "other"
        assertTrue(seen.contains("other"));
        assertEquals(5, top.named().size());
    }

    @Test
    void theBusiestWinAgainstAFloodOfOneOffs() {
        TopDestinations top = new TopDestinations(2, 10);
        for (int i = 0; i < 5_000; i++) {
            top.tag("once" + i + ".test"); // a spammer's random domains, each seen once
            if (i % 3 == 0) {
                top.tag("gmail.test");
            }
            if (i % 5 == 0) {
                top.tag("outlook.test");
            }
        }
        assertEquals(Set.of("gmail.test", "outlook.test"), top.named());
        assertEquals("other", top.tag("once1.test"));
    }

    @Test
    void implausibleValuesAreOther() {
        TopDestinations top = new TopDestinations(5, 1);
        assertEquals("other", top.tag("user@example.org"));
        assertEquals("other", top.tag("exa mple.org"));
        assertEquals("other", top.tag("x".repeat(300)));
        assertEquals("other", top.tag(""));
        assertEquals("other", top.tag(null));
        assertEquals("[192.0.2.1]", top.tag("[192.0.2.1]"));
        assertEquals("other", new TopDestinations(0, 1).tag("example.org"));
    }

    @Test
    void replyClassesAndEnhancedCodes() {
        assertEquals("4xx", SmtpMeters.replyClass(451));
        assertEquals("5xx", SmtpMeters.replyClass(550));
        assertEquals("other", SmtpMeters.replyClass(0));
        assertEquals("5.7.1", SmtpMeters.enhancedCode("5.7.1"));
        assertEquals("none", SmtpMeters.enhancedCode(null));
        assertEquals("other", SmtpMeters.enhancedCode("5.7.1 <a@b> rejected"));
    }
}

package io.camelsmtp.smtp.queue.shaping;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import io.camelsmtp.smtp.common.SmtpReply;
import io.camelsmtp.smtp.common.shaping.Rate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The rules file: what it means, and that every operator mistake is refused with the key that is wrong. */
class ShapingParserTest {

    static final String FULL = """
            defaults:
              maxConnections: 5
              maxMessagesPerConnection: 100
              messageRate: 50/s
              connectionRate: 10/s
              tls: opportunistic
            sites:
              google:
                domains: [gmail.com, "*.googlemail.com"]
                mxSuffixes: [.google.com]
                maxConnections: 10
                messageRate: 100/s
              yahoo:
                mxSuffixes: [yahoodns.net]
                tls: required
            reactions:
              - name: yahoo-throttled
                sites: [yahoo]
                code: 421
                enhancedCode: "4.7.0"
                text: "(?i)temporarily deferred"
                threshold: 5/1h
                action: suspend
                duration: 30m
              - name: slow-down
                enhancedCode: "4.7.650"
                threshold: 3/10min
                action: rate
                rate: 10/min
                duration: 1h
              - name: reroute
                code: 554
                threshold: 1/1h
                action: smartHost
                smartHost: relay.example.net:587
                duration: 2h
            """;

    static final String FULL_PROPERTIES = """
            defaults.maxConnections=5
            defaults.maxMessagesPerConnection=100
            defaults.messageRate=50/s
            defaults.connectionRate=10/s
            defaults.tls=opportunistic
            sites.google.domains=gmail.com, *.googlemail.com
            sites.google.mxSuffixes=.google.com
            sites.google.maxConnections=10
            sites.google.messageRate=100/s
            sites.yahoo.mxSuffixes=yahoodns.net
            sites.yahoo.tls=required
            reactions.reroute.code=554
            reactions.reroute.threshold=1/1h
            reactions.reroute.action=smartHost
            reactions.reroute.smartHost=relay.example.net:587
            reactions.reroute.duration=2h
            reactions.slow-down.enhancedCode=4.7.650
            reactions.slow-down.threshold=3/10min
            reactions.slow-down.action=rate
            reactions.slow-down.rate=10/min
            reactions.slow-down.duration=1h
            reactions.yahoo-throttled.sites=yahoo
            reactions.yahoo-throttled.code=421
            reactions.yahoo-throttled.enhancedCode=4.7.0
            reactions.yahoo-throttled.text=(?i)temporarily deferred
            reactions.yahoo-throttled.threshold=5/1h
            reactions.yahoo-throttled.action=suspend
            reactions.yahoo-throttled.duration=30m
            """;

    static ShapingConfig yaml(String text) {
        return ShapingParser.parse("rules.yaml", text.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aFullFileMeansWhatItSays() {
        ShapingConfig c = yaml(FULL);
        assertEquals(new ShapingConfig.Limits(5, 100, Rate.parse("50/s"), Rate.parse("10/s"), "opportunistic"), c.defaults());
        ShapingConfig.SiteRule google = c.sites().get(0);
        assertEquals("google", google.name());
        assertTrue(google.matchesDomain("gmail.com"));
        assertTrue(google.matchesDomain("x.googlemail.com"));
        assertFalse(google.matchesDomain("googlemail.com"), "*.suffix names the subdomains only");
        assertFalse(google.matchesDomain("notgmail.com"));
        assertTrue(google.matchesMx(List.of("aspmx.l.google.com", "alt1.aspmx.l.google.com")));
        assertFalse(google.matchesMx(List.of("aspmx.l.google.com", "mx.evil.example")), "every MX host must match");
        assertFalse(google.matchesMx(List.of("google.com.evil.example")));
        ShapingConfig.SiteRule yahoo = c.sites().get(1);
        assertTrue(yahoo.matchesMx(List.of("mta5.am0.yahoodns.net")), "a suffix without its dot gets one");
        assertFalse(yahoo.matchesMx(List.of("notyahoodns.net")));
        assertEquals(new ShapingConfig.Limits(10, 100, Rate.parse("100/s"), Rate.parse("10/s"), "opportunistic"),
                google.limits().over(c.defaults()));
        ShapingConfig.Reaction r = c.reactions().get(0);
        assertTrue(r.matches(SmtpReply.parse("421 4.7.0 [TS01] Messages from 192.0.2.1 temporarily deferred")));
        assertFalse(r.matches(SmtpReply.parse("421 4.7.1 temporarily deferred")));
        assertFalse(r.matches(SmtpReply.parse("451 4.7.0 temporarily deferred")));
        assertFalse(r.matches(SmtpReply.parse("421 4.7.0 try later")));
        assertTrue(r.appliesTo("yahoo"));
        assertFalse(r.appliesTo("google"));
        assertFalse(r.appliesTo(null), "a reaction for named sites does not watch the default sites");
        assertTrue(c.reactions().get(1).appliesTo(null));
        assertEquals(ShapingConfig.Action.RATE, c.reactions().get(1).action());
        assertEquals(Duration.ofHours(2), c.reactions().get(2).duration());
        assertEquals("relay.example.net:587", c.reactions().get(2).smartHost());
    }

    @Test
    void thePropertiesFormGivesTheSameRules() {
        ShapingConfig y = yaml(FULL);
        ShapingConfig p = ShapingParser.parse("rules.properties", FULL_PROPERTIES.getBytes(StandardCharsets.UTF_8));
        assertEquals(y.defaults(), p.defaults());
        assertEquals(y.sites(), p.sites());
        assertEquals(y.reactions().size(), p.reactions().size());
        for (ShapingConfig.Reaction a : y.reactions()) {
            ShapingConfig.Reaction b = p.reactions().stream().filter(x -> x.name().equals(a.name())).findFirst().orElseThrow();
            assertEquals(a.toString().replace(String.valueOf(a.text()), ""), b.toString().replace(String.valueOf(b.text()), ""));
            assertEquals(String.valueOf(a.text()), String.valueOf(b.text()));
        }
    }

    @Test
    void anEmptyFileHasNoRules() {
        ShapingConfig c = yaml("# nothing yet\n");
        assertTrue(c.sites().isEmpty());
        assertTrue(c.reactions().isEmpty());
        assertNull(c.defaults().maxConnections());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            shaping:\\n  x: 1                                                  | unknown key 'shaping'
            defaults:\\n  maxConections: 5                                      | defaults: unknown key 'maxConections'
            defaults:\\n  maxConnections: 0                                     | defaults.maxConnections must be 1
            defaults:\\n  maxConnections: five                                  | defaults.maxConnections must be a whole number
            defaults:\\n  maxConnections: 2.5                                   | defaults.maxConnections must be a whole number
            defaults:\\n  messageRate: 100                                      | defaults.messageRate: not a rate
            defaults:\\n  messageRate: 0/s                                      | defaults.messageRate: a rate needs 1
            defaults:\\n  messageRate: 10/fortnight                             | defaults.messageRate: not a rate
            defaults:\\n  tls: maybe                                            | defaults.tls must be none, opportunistic or required
            sites:\\n  g:\\n    messageRate: 1/s                                | sites.g matches nothing
            sites:\\n  g:\\n    domains: [gm*il.com]                            | sites.g.domains: 'gm*il.com' is not a domain
            sites:\\n  g:\\n    domains: [a.com]\\n    mxSuffix: [.x]           | sites.g: unknown key 'mxSuffix'
            sites:\\n  'bad name':\\n    domains: [a.com]                       | 'bad name' is not a site name
            sites: [a, b]                                                        | sites must be a mapping
            reactions:\\n  - code: 421\\n    threshold: 5/1h\\n    action: suspend | reactions.reaction-1.duration is missing
            reactions:\\n  - code: 421\\n    action: suspend\\n    duration: 1h   | reactions.reaction-1.threshold is missing
            reactions:\\n  - threshold: 5/1h\\n    action: suspend\\n    duration: 1h | matches every reply
            reactions:\\n  - code: 421\\n    threshold: 5/1h\\n    action: pause\\n    duration: 1h | action must be suspend, rate or smartHost
            reactions:\\n  - code: 421\\n    threshold: 5/1h\\n    action: rate\\n    duration: 1h | action rate needs rate
            reactions:\\n  - code: 421\\n    threshold: 5/1h\\n    action: smartHost\\n    smartHost: 'a b'\\n    duration: 1h | action smartHost needs smartHost
            reactions:\\n  - code: 421\\n    threshold: 5/1h\\n    action: suspend\\n    duration: forever | reaction-1.duration
            reactions:\\n  - code: 421\\n    threshold: 5/1h\\n    action: suspend\\n    duration: 60d | at most 30 days
            reactions:\\n  - code: 999\\n    threshold: 5/1h\\n    action: suspend\\n    duration: 1h | code must be a reply code
            reactions:\\n  - enhancedCode: 4.x\\n    threshold: 5/1h\\n    action: suspend\\n    duration: 1h | enhancedCode must be
            reactions:\\n  - text: '(unclosed'\\n    threshold: 5/1h\\n    action: suspend\\n    duration: 1h | text is not a regular expression
            reactions:\\n  - code: 421\\n    sites: [nosuch]\\n    threshold: 5/1h\\n    action: suspend\\n    duration: 1h | no site named 'nosuch'
            reactions:\\n  - {name: a, code: 421, threshold: 5/1h, action: suspend, duration: 1h}\\n  - {name: a, code: 451, threshold: 5/1h, action: suspend, duration: 1h} | reaction 'a' is named twice
            defaults:\\n  maxConnections: 1\\ndefaults:\\n  maxConnections: 2 | not valid YAML
            [1, 2]                                                               | must be a mapping
            """)
    void operatorMistakesAreRefusedNamingTheKey(String text, String message) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> yaml(text.replace("\\n", "\n")));
        assertTrue(e.getMessage().contains(message), e.getMessage());
    }

    @Test
    void hostileFilesAreRefusedCheaply() {
        String bomb = "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
                      + "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
                      + "e: [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n";
        assertThrows(IllegalArgumentException.class, () -> yaml(bomb));
        byte[] big = new byte[ShapingParser.MAX_BYTES + 1];
        assertThrows(IllegalArgumentException.class, () -> ShapingParser.parse("r.yaml", big));
        assertThrows(IllegalArgumentException.class, () -> ShapingParser.parse("r.yaml", new byte[] {(byte) 0xC3, 0x28}),
                "not UTF-8");
        assertThrows(IllegalArgumentException.class, () -> yaml("!!java.lang.ProcessBuilder [ls]\n"), "no object tags");
        IllegalArgumentException p = assertThrows(IllegalArgumentException.class,
                () -> ShapingParser.parse("r.properties", "sites.a=b\n".getBytes(StandardCharsets.UTF_8)));
        assertTrue(p.getMessage().contains("unknown key 'sites.a'"), p.getMessage());
    }

    @Test
    void aRegularExpressionThatBacktracksOnAHostileReplyStopsAndDoesNotMatch() {
        ShapingConfig c = yaml("""
                reactions:
                  - text: "(a+)+b"
                    threshold: 1/1h
                    action: suspend
                    duration: 1h
                """);
        long start = System.nanoTime();
        assertFalse(c.reactions().get(0).matches(SmtpReply.parse("421 " + "a".repeat(40) + "c")));
        assertTrue(System.nanoTime() - start < 2_000_000_000L, "bounded");
        assertTrue(c.reactions().get(0).matches(SmtpReply.parse("421 aaab")));
    }
}

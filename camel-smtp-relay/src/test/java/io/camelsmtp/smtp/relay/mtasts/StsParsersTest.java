package io.camelsmtp.smtp.relay.mtasts;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The MTA-STS TXT record and policy parsers (RFC 8461 §3.1, §3.2), the mx patterns (§4.1) and the cache files. */
class StsParsersTest {

    private static StsPolicy policy(String text) {
        return StsPolicy.parse(text.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void theRfcExamplePolicyParses() {
        StsPolicy p = policy("version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmx: *.example.net\r\n"
                             + "mx: backupmx.example.com\r\nmax_age: 604800\r\n");
        assertEquals(StsPolicy.Mode.ENFORCE, p.mode());
        assertEquals(604800, p.maxAge());
        assertEquals(List.of("mail.example.com", "*.example.net", "backupmx.example.com"), p.mx());
        assertEquals("mode: enforce", p.lines().get(1));
    }

    @Test
    void lfLineEndsUnknownKeysTrailingSpacesAndNoFinalLineEndAreFine() {
        StsPolicy p = policy("version: STSv1\nmode:testing  \nmx:\tMX.Example.COM\nextension_1: whatever value\nmax_age: 0");
        assertEquals(StsPolicy.Mode.TESTING, p.mode());
        assertEquals(List.of("mx.example.com"), p.mx());
        assertEquals(0, p.maxAge());
    }

    @Test
    void modeNoneNeedsNoMx() {
        assertEquals(StsPolicy.Mode.NONE, policy("version: STSv1\nmode: none\nmax_age: 86400\n").mode());
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "mode: enforce\nmx: a.example\nmax_age: 1\n", // no version
            "version: STSv2\nmode: enforce\nmx: a.example\nmax_age: 1\n",
            "version: STSv1\nversion: STSv1\nmode: enforce\nmx: a.example\nmax_age: 1\n",
            "version: STSv1\nmode: enforce\nmode: none\nmx: a.example\nmax_age: 1\n",
            "version: STSv1\nmode: Enforce\nmx: a.example\nmax_age: 1\n",
            "version: STSv1\nmode: enforce\nmax_age: 1\n", // enforce without mx
            "version: STSv1\nmode: enforce\nmx: a.example\n", // no max_age
            "version: STSv1\nmode: enforce\nmx: a.example\nmax_age: 31557601\n",
            "version: STSv1\nmode: enforce\nmx: a.example\nmax_age: -1\n",
            "version: STSv1\nmode: enforce\nmx: a.example\nmax_age: 1\nmax_age: 2\n",
            "version: STSv1\nmode: enforce\nmx: a..example\nmax_age: 1\n",
            "version: STSv1\nmode: enforce\nmx: *.*.example\nmax_age: 1\n",
            "version: STSv1\nmode: enforce\nmx: a_b.example\nmax_age: 1\n",
            "version: STSv1\nmode: enforce\nmx: -a.example\nmax_age: 1\n",
            "version: STSv1\rmode: enforce\nmx: a.example\nmax_age: 1\n", // bare CR
            "version: STSv1\nmode enforce\nmx: a.example\nmax_age: 1\n", // no colon
            " version: STSv1\nmode: enforce\nmx: a.example\nmax_age: 1\n", // leading space in the key
            "<html><body>policy</body></html>" })
    void whatDoesNotFitFailsClosed(String text) {
        assertThrows(IllegalArgumentException.class, () -> policy(text));
    }

    @Test
    void moreThan64KbOrBytesThatAreNotUtf8AreInvalid() {
        assertThrows(IllegalArgumentException.class, () -> StsPolicy.parse(new byte[StsPolicy.MAX_SIZE + 1]));
        assertThrows(IllegalArgumentException.class,
                () -> StsPolicy.parse(new byte[] { 'v', 'e', 'r', (byte) 0xff, ':', ' ', 'S' }));
    }

    @Test
    void aWildcardMatchesExactlyOneLabel() {
        StsPolicy p = policy("version: STSv1\nmode: enforce\nmx: *.example.com\nmx: mail.example.net\nmax_age: 1\n");
        assertTrue(p.allows("mx1.example.com"));
        assertTrue(p.allows("MX1.Example.COM."));
        assertFalse(p.allows("a.mx1.example.com"));
        assertFalse(p.allows("example.com"));
        assertFalse(p.allows(".example.com"));
        assertTrue(p.allows("mail.example.net"));
        assertFalse(p.allows("x.mail.example.net"));
        assertFalse(p.allows("mail.example.net.evil.test"));
    }

    @Test
    void txtRecords() {
        assertEquals(new StsRecord("20160831085700Z"), StsRecord.parse("v=STSv1; id=20160831085700Z;"));
        assertEquals(new StsRecord("abc"), StsRecord.parse("v=STSv1;id=abc"));
        assertEquals(new StsRecord("abc"), StsRecord.parse("v=STSv1 ;\tid=abc ; ext-1=x!y ;"));
        for (String bad : List.of("v=STSv1", "v=STSv1;", "v=STSv1; id=", "v=STSv1; id=a-b", "v=STSv1; id=" + "1".repeat(33),
                "v=STSv1; id=1; id=2", "v=STSv1; ; id=1", "v=STSv1; id=1; =x", "v=STSv1; id=1; ext=a;b", "v=STSv10; id=1",
                "v=stsv1; id=1")) {
            assertThrows(IllegalArgumentException.class, () -> StsRecord.parse(bad), bad);
        }
    }

    @Test
    void onlyOneStsV1RecordCounts() {
        assertInstanceOf(StsRecord.Absent.class, StsRecord.select(List.of()));
        assertInstanceOf(StsRecord.Absent.class, StsRecord.select(List.of("v=spf1 -all", "google-site-verification=x")));
        assertInstanceOf(StsRecord.Found.class, StsRecord.select(List.of("v=spf1 -all", "v=STSv1; id=1")));
        assertInstanceOf(StsRecord.Invalid.class, StsRecord.select(List.of("v=STSv1; id=1", "v=STSv1; id=2")));
        assertInstanceOf(StsRecord.Invalid.class, StsRecord.select(List.of("v=STSv1; id=!!")));
        assertInstanceOf(StsRecord.Absent.class, StsRecord.select(List.of("v=STSv10; id=1")));
    }

    @Test
    void domainsThatCannotNameAPolicyHostOrAFileAreLeftOut() {
        assertEquals("example.com", MtaSts.normalize("Example.COM."));
        assertEquals("xn--bcher-kva.example", MtaSts.normalize("bücher.example"));
        assertNull(MtaSts.normalize("../etc"));
        assertNull(MtaSts.normalize("[192.0.2.1]"));
        assertNull(MtaSts.normalize("localhost"));
        assertNull(MtaSts.normalize("a/b.example"));
    }

    @Test
    void aCacheFileIsWrittenWholeAndReadBackOrIgnored(@TempDir Path dir) throws Exception {
        PolicyCache cache = new PolicyCache(dir);
        StsPolicy p = policy("version: STSv1\nmode: enforce\nmx: mx.example.com\nmax_age: 3600\n");
        Instant fetched = Instant.parse("2030-01-01T00:00:00Z");
        cache.put(new PolicyCache.Entry("example.com", "id1", fetched, p));
        try (var files = Files.list(dir)) {
            assertEquals(List.of(dir.resolve("example.com.sts")), files.toList(), "no temporary file left");
        }
        PolicyCache.Entry e = new PolicyCache(dir).get("example.com", fetched.plusSeconds(10));
        assertNotNull(e);
        assertEquals("id1", e.id());
        assertEquals(p, e.policy());
        assertNull(new PolicyCache(dir).get("example.com", fetched.plusSeconds(3600)), "expired after max_age");
        Files.writeString(dir.resolve("damaged.example.sts"), Files.readString(dir.resolve("example.com.sts"))
                .replace("example.com", "damaged.example").replace("max_age: 3600", "max_age: x"));
        assertNull(new PolicyCache(dir).get("damaged.example", fetched.plusSeconds(10)), "a damaged file is ignored");
        Files.write(dir.resolve("huge.example.sts"), new byte[PolicyCache.MAX_FILE + 10]);
        assertNull(new PolicyCache(dir).get("huge.example", fetched), "read bounded, then ignored");
        Files.writeString(dir.resolve("other.example.sts"), Files.readString(dir.resolve("example.com.sts")));
        assertNull(new PolicyCache(dir).get("other.example", fetched.plusSeconds(10)), "a file must name its domain");
    }
}

package io.camelsmtp.examples.app;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;

import io.camelsmtp.examples.support.Dkimpy;
import org.apache.camel.CamelContext;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code --dkim-keygen}: the key it writes signs through {@code smtp-auth:dkim-sign} (keyDirectory = its folder), and
 * dkimpy, fed only the record it printed, verifies the signature; names that could leave the folder are refused,
 * as is an existing key file.
 */
class DkimKeygenTest {

    @TempDir
    Path tmp;

    private record Run(int status, String out, String err) {
    }

    private static Run keygen(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = MailRouter.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @ParameterizedTest
    @ValueSource(strings = {"rsa", "ed25519"})
    void theKeySignsAndDkimpyVerifiesWithThePrintedRecord(String algorithm) throws Exception {
        Dkimpy.assumeInstalled();
        Path keys = tmp.resolve("data/dkim");
        Run run = keygen("--dkim-keygen", "Example.ORG", "s2026", "--dkim-algorithm", algorithm,
                "--dkim-dir", keys.toString());
        assertEquals(0, run.status(), run.err());
        Path pem = keys.resolve("example.org/s2026.pem");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(pem)));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(pem.getParent())));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(keys)));
        assertTrue(Files.readString(pem).startsWith("-----BEGIN PRIVATE KEY-----\n"), "PKCS#8 PEM");

        Map.Entry<String, String> record = Dkimpy.parseZoneRecord(run.out());
        assertEquals("s2026._domainkey.example.org", record.getKey());
        assertTrue(record.getValue().startsWith("v=DKIM1; k=" + algorithm + "; p="), record.getValue());
        if (algorithm.equals("rsa")) {
            assertTrue(run.out().lines().filter(l -> l.contains("\"")).count() >= 2,
                    "a 2048-bit record is longer than 255 octets, so in several strings:\n" + run.out());
        }

        byte[] message = ("From: Alice <alice@example.org>\r\nTo: bob@example.net\r\nSubject: keygen\r\n"
                          + "Date: Sun, 06 Dec 2026 19:00:00 +0000\r\nMessage-ID: <k@example.org>\r\n\r\nsigned body\r\n")
                .getBytes(StandardCharsets.US_ASCII);
        byte[] signed;
        try (CamelContext camel = new DefaultCamelContext()) {
            camel.start();
            signed = camel.createProducerTemplate().requestBody("smtp-auth:dkim-sign?keyDirectory=" + keys,
                    message, byte[].class);
        }
        assertTrue(new String(signed, StandardCharsets.US_ASCII).startsWith("DKIM-Signature: v=1; a=" + algorithm),
                new String(signed, StandardCharsets.US_ASCII));
        assertEquals(List.of("pass"), Dkimpy.verify(tmp, signed, Map.of(record.getKey(), record.getValue())));
        // and not with another key's record
        Run other = keygen("--dkim-keygen", "example.org", "other", "--dkim-algorithm", algorithm,
                "--dkim-dir", keys.toString());
        Map.Entry<String, String> otherRecord = Dkimpy.parseZoneRecord(other.out());
        assertEquals(List.of("fail"), Dkimpy.verify(tmp, signed, Map.of(record.getKey(), otherRecord.getValue())));
    }

    @Test
    void anExistingKeyIsNeverOverwritten() throws Exception {
        Path keys = tmp.resolve("keys");
        assertEquals(0, keygen("--dkim-keygen", "example.org", "s1", "--dkim-dir", keys.toString()).status());
        Path pem = keys.resolve("example.org/s1.pem");
        byte[] first = Files.readAllBytes(pem);
        Run again = keygen("--dkim-keygen", "example.org", "s1", "--dkim-dir", keys.toString(),
                "--dkim-algorithm", "ed25519");
        assertEquals(1, again.status());
        assertTrue(again.err().contains("exists; not overwritten"), again.err());
        assertEquals("", again.out(), "no record printed for a key that was not written");
        assertEquals(new String(first, StandardCharsets.US_ASCII), Files.readString(pem));
    }

    @ParameterizedTest
    @ValueSource(strings = {"../evil", "..", "a/b", "example.org/../../x", "", "-", "a..b", "/etc"})
    void namesThatAreNotDnsNamesAreRefusedBeforeAnyFileIsMade(String name) throws Exception {
        Path keys = tmp.resolve("keys");
        Run badDomain = keygen("--dkim-keygen", name, "s1", "--dkim-dir", keys.toString());
        assertEquals(2, badDomain.status(), badDomain.out());
        assertTrue(badDomain.err().contains("is not a valid DKIM domain") || badDomain.err().contains("is needed"),
                badDomain.err());
        Run badSelector = keygen("--dkim-keygen", "example.org", name, "--dkim-dir", keys.toString());
        assertEquals(2, badSelector.status(), badSelector.out());
        assertFalse(Files.exists(keys), "nothing written");
        assertFalse(Files.exists(tmp.resolve("evil.pem")) || Files.exists(tmp.resolve("x")));
    }

    @Test
    void usage() {
        assertEquals(2, keygen("--dkim-keygen", "example.org").status());
        Run dsa = keygen("--dkim-keygen", "example.org", "s1", "--dkim-algorithm", "dsa", "--dkim-dir",
                tmp.toString());
        assertEquals(2, dsa.status());
        assertTrue(dsa.err().contains("--dkim-algorithm rsa|ed25519"), dsa.err());
    }
}

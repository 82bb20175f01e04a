package io.camelsmtp.smtp.auth.dkim;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.camelsmtp.smtp.auth.support.Judges;
import io.camelsmtp.smtp.auth.support.TestKeys;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static io.camelsmtp.smtp.auth.dkim.DkimMessages.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Keys as the usual tools write them (openssl, opendkim-genkey), and the records we derive from them. */
class DkimKeysTest {

    @TempDir
    Path dir;

    private static String run(String... cmd) throws Exception {
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        } catch (java.io.IOException e) {
            System.err.println("*** SKIPPED: " + cmd[0] + " is not installed: " + e);
            assumeTrue(false, cmd[0] + " is not installed");
            throw e;
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assumeTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, String.join(" ", cmd) + ": " + out);
        return out;
    }

    @Test
    void anOpendkimGenkeyKeySignsAndItsRecordIsOurs() throws Exception {
        run("opendkim-genkey", "-b", "2048", "-d", "bar.test", "-s", "gen", "-D", dir.toString());
        PrivateKey key = DkimKeys.privateKey(Files.readString(dir.resolve("gen.private")));
        // the record opendkim-genkey prints, its quoted strings joined as a resolver joins them
        StringBuilder record = new StringBuilder();
        Matcher m = Pattern.compile("\"([^\"]*)\"").matcher(Files.readString(dir.resolve("gen.txt")));
        while (m.find()) {
            record.append(m.group(1));
        }
        assertEquals(record.toString().replaceAll(".*p=", ""), DkimKeys.recordValue(key));
        byte[] signed = DkimMessages.sign(bytes(DkimMessages.MESSAGE), "relaxed/relaxed", null,
                new SigningKey("bar.test", "gen", key));
        assertEquals(List.of("pass"), Judges.dkimpy(dir, signed, Map.of("gen._domainkey.bar.test", record.toString())));
        assertEquals(List.of("pass"), Judges.opendkim(dir, signed, Map.of("gen._domainkey.bar.test", record.toString())));
    }

    @Test
    void pkcs1AndPkcs8PemGiveTheSameKey() throws Exception {
        Path pkcs8 = TestKeys.writePem(dir.resolve("k8.pem"), TestKeys.RSA);
        Path pkcs1 = dir.resolve("k1.pem");
        run("openssl", "pkey", "-in", pkcs8.toString(), "-traditional", "-out", pkcs1.toString());
        String text = Files.readString(pkcs1);
        assumeTrue(text.startsWith("-----BEGIN RSA PRIVATE KEY-----"), text);
        assertArrayEquals(TestKeys.RSA.getEncoded(), DkimKeys.privateKey(text).getEncoded());
        Path ed = dir.resolve("ed.pem");
        run("openssl", "genpkey", "-algorithm", "ed25519", "-out", ed.toString());
        PrivateKey edKey = DkimKeys.privateKey(Files.readString(ed));
        assertEquals(DkimAlgorithm.ED25519_SHA256, DkimAlgorithm.of(edKey));
        String pub = run("sh", "-c", "openssl pkey -in " + ed + " -pubout -outform DER | tail -c 32 | base64 -w0").strip();
        assertEquals(pub, DkimKeys.recordValue(edKey), "the record the docs' openssl line prints");
    }

    @Test
    void whatIsNotAPrivateKeyIsRefused() {
        for (String bad : List.of("", "hello", "-----BEGIN PRIVATE KEY-----\n!!!\n-----END PRIVATE KEY-----\n",
                "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
                "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n",
                "-----BEGIN PRIVATE KEY-----\nAAAA\n")) {
            assertThrows(DkimException.class, () -> DkimKeys.privateKey(bad), bad);
        }
    }

    @Test
    void eightBitHeadersAndBodiesAreSignedAsTheyStand() throws Exception {
        String m = "From: =?utf-8?q?J=C3=BCrgen?= <j@bar.test>\r\nSubject: Grüße – 8 bit\r\nTo: x@example.test\r\n\r\n"
                   + "Grüße aus Köln\r\n";
        byte[] raw = m.getBytes(StandardCharsets.UTF_8);
        byte[] signed = DkimMessages.sign(raw, "relaxed/relaxed", null, new SigningKey("bar.test", "rsa1", TestKeys.RSA),
                new SigningKey("bar.test", "ed1", TestKeys.ED25519));
        assertEquals(List.of("pass", "pass"), Judges.dkimpy(dir, signed, Map.of(
                "rsa1._domainkey.bar.test", TestKeys.record(TestKeys.RSA),
                "ed1._domainkey.bar.test", TestKeys.record(TestKeys.ED25519))));
    }
}

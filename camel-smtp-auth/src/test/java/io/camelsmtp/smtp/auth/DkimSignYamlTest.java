package io.camelsmtp.smtp.auth;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import io.camelsmtp.smtp.auth.support.Judges;
import io.camelsmtp.smtp.auth.support.Swaks;
import io.camelsmtp.smtp.auth.support.TestKeys;
import org.apache.camel.main.Main;
import org.apache.camel.test.AvailablePortFinder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The YAML route of {@code yaml/outbound-sign.camel.yaml}, run by Camel Main, swaks in front, dkimpy as the judge. */
class DkimSignYamlTest {

    @TempDir
    Path dir;

    @Test
    void theYamlRouteSignsWithTheKeysOfTheFromDomain() throws Exception {
        TestKeys.writePem(dir.resolve("keys/bar.test/rsa1.pem"), TestKeys.RSA);
        TestKeys.writePem(dir.resolve("keys/bar.test/ed1.pem"), TestKeys.ED25519);
        int port = AvailablePortFinder.getNextAvailable();
        Main main = new Main();
        main.configure().withRoutesIncludePattern("classpath:yaml/outbound-sign.camel.yaml");
        main.addInitialProperty("smtp.port", Integer.toString(port));
        main.addInitialProperty("dkim.keys", dir.resolve("keys").toString());
        main.addInitialProperty("outbox", dir.resolve("out").toString());
        main.start();
        try {
            Path msg = Files.writeString(dir.resolve("m.eml"), "From: alice@bar.test\r\nTo: bob@example.test\r\n"
                                                               + "Subject: from yaml\r\n\r\nhello\r\n");
            Swaks.accepted(port, "alice@bar.test", "bob@example.test", msg);
            Path out = dir.resolve("out");
            for (int i = 0; i < 100 && (!Files.isDirectory(out) || Files.list(out).count() == 0); i++) {
                Thread.sleep(50);
            }
            byte[] stored;
            try (Stream<Path> files = Files.list(out)) {
                stored = Files.readAllBytes(files.findFirst().orElseThrow());
            }
            // ed1.pem sorts before rsa1.pem: the Ed25519 signature comes first
            assertEquals(List.of("pass", "pass"), Judges.dkimpy(dir, stored, Map.of(
                    "rsa1._domainkey.bar.test", TestKeys.record(TestKeys.RSA),
                    "ed1._domainkey.bar.test", TestKeys.record(TestKeys.ED25519))));
            String text = new String(stored, StandardCharsets.US_ASCII);
            assertTrue(text.startsWith("DKIM-Signature: v=1; a=ed25519-sha256;") && text.contains("x="), text);
        } finally {
            main.stop();
        }
    }
}

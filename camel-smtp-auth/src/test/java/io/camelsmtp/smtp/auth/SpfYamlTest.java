package io.camelsmtp.smtp.auth;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import io.camelsmtp.smtp.auth.support.Swaks;
import io.camelsmtp.smtp.auth.support.ZoneDns;
import org.apache.camel.main.Main;
import org.apache.camel.test.AvailablePortFinder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The YAML routes of {@code yaml/inbound-spf.camel.yaml}, run by Camel Main, swaks in front: SPF at MAIL FROM. */
class SpfYamlTest {

    @TempDir
    Path dir;

    @Test
    void aDashAllFailureIsRefusedAtMailFromAndAPassIsStoredWithItsVerdict() throws Exception {
        try (ZoneDns dns = new ZoneDns()) {
            dns.add("pass.test. 60 IN TXT \"v=spf1 ip4:127.0.0.0/8 -all\"")
                    .add("fail.test. 60 IN TXT \"v=spf1 ip4:192.0.2.0/24 -all\"");
            int port = AvailablePortFinder.getNextAvailable();
            Main main = new Main();
            main.configure().withRoutesIncludePattern("classpath:yaml/inbound-spf.camel.yaml");
            main.addInitialProperty("smtp.port", Integer.toString(port));
            main.addInitialProperty("dns.servers", dns.server());
            main.addInitialProperty("inbox", dir.resolve("inbox").toString());
            main.start();
            try {
                Path msg = Files.writeString(dir.resolve("m.eml"), "From: alice@pass.test\r\nTo: bob@example.test\r\n"
                                                                   + "Subject: spf from yaml\r\n\r\nhello\r\n");
                String refused = Swaks.send(port, "alice@fail.test", "bob@example.test", msg);
                assertTrue(refused.contains("<** 550 5.7.23 SPF: 127.0.0.1 is not a permitted sender for fail.test"), refused);

                Swaks.accepted(port, "alice@pass.test", "bob@example.test", msg);
                Path inbox = dir.resolve("inbox");
                for (int i = 0; i < 100 && (!Files.isDirectory(inbox) || Files.list(inbox).count() == 0); i++) {
                    Thread.sleep(50);
                }
                String stored;
                try (Stream<Path> files = Files.list(inbox)) {
                    stored = Files.readString(files.findFirst().orElseThrow(), StandardCharsets.ISO_8859_1);
                }
                assertTrue(stored.startsWith("Authentication-Results: mx.example.test; dkim=none;\r\n"
                                             + "\tspf=pass smtp.mailfrom=alice@pass.test;\r\n"), stored);
                assertEquals(1, dns.questions("pass.test.", "TXT"), "evaluated once, at MAIL FROM");
            } finally {
                main.stop();
            }
        }
    }
}

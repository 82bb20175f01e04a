package io.camelsmtp.smtp.auth;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import io.camelsmtp.smtp.auth.support.Swaks;
import io.camelsmtp.smtp.auth.support.TxtDns;
import org.apache.camel.main.Main;
import org.apache.camel.test.AvailablePortFinder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The YAML route of {@code yaml/inbound-dmarc.camel.yaml}, run by Camel Main, swaks in front. */
class DmarcYamlTest {

    @TempDir
    Path dir;

    @Test
    void theYamlRouteRefusesRejectFilesQuarantineAndDeliversTheRest() throws Exception {
        try (TxtDns dns = new TxtDns().txt("_dmarc.bar.test", "v=DMARC1; p=reject").txt("_dmarc.quar.test",
                "v=DMARC1; p=quarantine")) {
            int port = AvailablePortFinder.getNextAvailable();
            Main main = new Main();
            main.configure().withRoutesIncludePattern("classpath:yaml/inbound-dmarc.camel.yaml");
            main.addInitialProperty("smtp.port", Integer.toString(port));
            main.addInitialProperty("dns.servers", dns.server());
            main.addInitialProperty("mail.dir", dir.toString());
            main.start();
            try {
                String refused = Swaks.send(port, "x@evil.test", "bob@example.test", mail("alice@bar.test"));
                assertTrue(refused.contains("<** 550 5.7.1 Rejected by the DMARC policy of bar.test"), refused);
                Swaks.accepted(port, "x@evil.test", "bob@example.test", mail("alice@quar.test"));
                Swaks.accepted(port, "x@evil.test", "bob@example.test", mail("alice@nopolicy.test"));
                assertEquals(1, count("quarantine"));
                assertEquals(1, count("inbox"));
                String filed;
                try (Stream<Path> files = Files.list(dir.resolve("quarantine"))) {
                    filed = Files.readString(files.findFirst().orElseThrow());
                }
                assertTrue(filed.contains("dmarc=fail (p=quarantine dis=quarantine) header.from=quar.test"), filed);
            } finally {
                main.stop();
            }
        }
    }

    private Path mail(String from) throws Exception {
        return Files.writeString(dir.resolve("m-" + System.nanoTime() + ".eml"), "From: " + from
                + "\r\nTo: bob@example.test\r\nSubject: yaml\r\n\r\nhello\r\n");
    }

    /** Files in a folder, waiting (bounded) for the file producer. */
    private long count(String folder) throws Exception {
        Path p = dir.resolve(folder);
        for (int i = 0; i < 100 && (!Files.isDirectory(p) || Files.list(p).count() == 0); i++) {
            Thread.sleep(50);
        }
        try (Stream<Path> files = Files.list(p)) {
            return files.count();
        }
    }
}

package io.camelsmtp.examples.app;

import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.camelsmtp.examples.support.Curl;
import org.apache.camel.main.Main;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static io.camelsmtp.examples.support.Peers.freePort;
import static io.camelsmtp.examples.support.Peers.runs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The app's MTA-STS policy (RFC 8461 §3.2) as a sending MTA fetches it, with curl over HTTPS (a certificate made by
 * keytool at test time for mta-sts.example.com, which curl trusts): the policy for a configured domain's
 * {@code mta-sts.} name, nothing for any other name, path or method, none of the admin API on that port, and no
 * listener at all when it is not configured.
 */
class MtaStsPolicyTest {

    @TempDir
    Path tmp;

    private final List<Main> mains = new ArrayList<>();

    @BeforeEach
    void tools() {
        assumeTrue(runs("curl", "--version"), "SKIPPED: curl is not installed, this test fetches the policy with it");
        assumeTrue(runs("keytool", "-help"), "SKIPPED: keytool is not on the PATH, this test makes its certificate");
    }

    @AfterEach
    void stop() {
        mains.forEach(Main::stop);
    }

    private Main start(int port, String... properties) throws Exception {
        Main main = MailRouter.create("classpath:routes/*.camel.yaml");
        main.addInitialProperty("smtp.port", String.valueOf(freePort()));
        main.addInitialProperty("admin.port", String.valueOf(freePort()));
        main.addInitialProperty("data.dir", tmp.resolve("data").toString());
        main.addInitialProperty("spool.dir", tmp.resolve("data/spool").toString());
        main.addInitialProperty("mailbox.dir", tmp.resolve("data/mailbox").toString());
        main.addInitialProperty("mtaSts.port", String.valueOf(port));
        main.addInitialProperty("mtaSts.host", "127.0.0.1");
        for (int i = 0; i < properties.length; i += 2) {
            main.addInitialProperty(properties[i], properties[i + 1]);
        }
        mains.add(main);
        main.start();
        return main;
    }

    private void keystore() throws Exception {
        run("keytool", "-genkeypair", "-keystore", "mtasts.p12", "-storetype", "PKCS12", "-storepass", "changeit",
                "-alias", "mta-sts", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2", "-dname",
                "CN=mta-sts.example.com", "-ext", "SAN=dns:mta-sts.example.com,dns:mta-sts.example.org",
                "-ext", "BC:c=ca:true");
        run("keytool", "-exportcert", "-rfc", "-keystore", "mtasts.p12", "-storepass", "changeit", "-alias", "mta-sts",
                "-file", "mtasts.pem");
    }

    private void run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).directory(tmp.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), String.join(" ", command));
        assertEquals(0, p.exitValue(), String.join(" ", command));
    }

    private Curl fetch(int port, String host, String... more) throws Exception {
        List<String> options = new ArrayList<>(List.of("--cacert", tmp.resolve("mtasts.pem").toString(), "--resolve",
                host + ":" + port + ":127.0.0.1"));
        options.addAll(List.of(more));
        if (more.length == 0 || !more[more.length - 1].startsWith("https://")) {
            options.add("https://" + host + ":" + port + "/.well-known/mta-sts.txt");
        }
        return Curl.run(tmp.resolve("curl"), options.toArray(new String[0]));
    }

    /** The policy's fields as RFC 8461 §3.2 defines them: key: value lines; mx may repeat. */
    private static Map<String, List<String>> fields(String policy) {
        Map<String, List<String>> fields = new LinkedHashMap<>();
        for (String line : policy.split("\r\n")) {
            int colon = line.indexOf(':');
            assertTrue(colon > 0, line);
            fields.computeIfAbsent(line.substring(0, colon), k -> new ArrayList<>()).add(line.substring(colon + 1).strip());
        }
        return fields;
    }

    @Test
    void thePolicyIsServedOverHttpsForAConfiguredDomainOnly() throws Exception {
        keystore();
        int port = freePort();
        Main main = start(port, "mtaSts.domains", "example.com, example.org", "mtaSts.mode", "enforce", "mtaSts.mx",
                "mx1.example.com,*.mx.example.net", "mtaSts.maxAge", "86400", "tls.keystore",
                "file:" + tmp.resolve("mtasts.p12"), "tls.password", "changeit");
        String summary = String.join("\n", StartupSummary.lines(main.getCamelContext()));
        assertTrue(summary.contains("  MTA-STS https://127.0.0.1:" + port + "/.well-known/mta-sts.txt for "
                                    + "mta-sts.example.com, mta-sts.example.org (mode enforce)\n"), summary);

        Curl policy = fetch(port, "mta-sts.example.com");
        assertEquals(200, policy.status(), policy.body());
        assertTrue(policy.headers().get("content-type").startsWith("text/plain"), policy.headers().toString());
        assertTrue(policy.body().endsWith("\r\n"), policy.body());
        Map<String, List<String>> fields = fields(policy.body());
        assertEquals(List.of("version", "mode", "mx", "max_age"), new ArrayList<>(fields.keySet()));
        assertEquals(List.of("STSv1"), fields.get("version"));
        assertEquals(List.of("enforce"), fields.get("mode"));
        assertEquals(List.of("mx1.example.com", "*.mx.example.net"), fields.get("mx"));
        assertEquals(List.of("86400"), fields.get("max_age"));
        assertEquals(200, fetch(port, "mta-sts.example.org").status(), "every configured domain");

        assertEquals(404, fetch(port, "mta-sts.example.org", "-H", "Host: mta-sts.other.example",
                "https://mta-sts.example.org:" + port + "/.well-known/mta-sts.txt").status(), "another domain");
        assertEquals(404, fetch(port, "mta-sts.example.com", "https://mta-sts.example.com:" + port + "/").status());
        assertEquals(404, fetch(port, "mta-sts.example.com",
                "https://mta-sts.example.com:" + port + "/queue/outbound/mailq").status(), "no admin API here");
        assertEquals(404, fetch(port, "mta-sts.example.com", "https://mta-sts.example.com:" + port + "/health").status());
        Curl post = fetch(port, "mta-sts.example.com", "-X", "POST", "-H", "Content-Type: application/json", "-d", "{}",
                "https://mta-sts.example.com:" + port + "/.well-known/mta-sts.txt");
        assertEquals(405, post.status());
    }

    @Test
    void nothingListensWhenItIsNotConfigured() throws Exception {
        int port = freePort();
        Main main = start(port);
        assertFalse(String.join("\n", StartupSummary.lines(main.getCamelContext())).contains("MTA-STS"));
        assertThrows(ConnectException.class, () -> {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
            }
        });
    }

    @Test
    void aBadPolicyStopsStartUp() throws Exception {
        int port = freePort();
        Exception e = assertThrows(Exception.class, () -> start(port, "mtaSts.domains", "example.com", "mtaSts.mode",
                "enforce"));
        assertTrue(String.valueOf(e.getMessage()).contains("mtaSts.mx") || String.valueOf(e.getCause()).contains("mtaSts.mx"),
                e::toString);
        assertThrows(Exception.class, () -> start(freePort(), "mtaSts.domains", "example.com", "mtaSts.mode", "strict",
                "mtaSts.mx", "mx.example.com"));
    }
}

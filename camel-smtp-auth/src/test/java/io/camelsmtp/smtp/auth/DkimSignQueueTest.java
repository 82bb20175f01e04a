package io.camelsmtp.smtp.auth;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import io.camelsmtp.smtp.auth.support.Judges;
import io.camelsmtp.smtp.auth.support.Swaks;
import io.camelsmtp.smtp.auth.support.TestKeys;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.test.AvailablePortFinder;
import org.apache.camel.test.junit5.CamelTestSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The outbound shape of the docs: listener, sign, queue, delivery route. The signed body goes into the spool and
 * comes back out of it unchanged, so what the delivery route sends still verifies.
 */
class DkimSignQueueTest extends CamelTestSupport {

    @TempDir
    static Path dir;

    private final int port = AvailablePortFinder.getNextAvailable();
    private final List<byte[]> delivered = new CopyOnWriteArrayList<>();

    @Override
    protected RoutesBuilder createRouteBuilder() throws Exception {
        TestKeys.writePem(dir.resolve("keys/bar.test/rsa1.pem"), TestKeys.RSA);
        TestKeys.writePem(dir.resolve("keys/bar.test/ed1.pem"), TestKeys.ED25519);
        return new RouteBuilder() {
            @Override
            public void configure() {
                from("smtp-server:127.0.0.1:" + port + "?acceptedDomains=*&maxConnectionsPerIp=0&spoolThreshold=4096")
                        .to("smtp-auth:dkim-sign?keyDirectory=" + dir.resolve("keys"))
                        .to("smtp-queue:out?spoolDirectory=" + dir.resolve("spool"));
                from("smtp-queue:out?spoolDirectory=" + dir.resolve("spool"))
                        .process(e -> delivered.add(e.getMessage().getBody(byte[].class)));
            }
        };
    }

    @Test
    void whatTheQueueDeliversStillVerifies() throws Exception {
        StringBuilder m = new StringBuilder("From: alice@bar.test\r\nTo: bob@example.test\r\nSubject: queued\r\n\r\n");
        while (m.length() < 100_000) {
            m.append("a line of a message that is spooled by the listener and by the queue\r\n");
        }
        Swaks.accepted(port, "alice@bar.test", "bob@example.test", Files.writeString(dir.resolve("m.eml"), m));
        for (int i = 0; i < 200 && delivered.isEmpty(); i++) {
            Thread.sleep(50);
        }
        assertEquals(1, delivered.size(), "delivered once");
        byte[] out = delivered.get(0);
        assertTrue(new String(out, StandardCharsets.ISO_8859_1).contains(m), "the message follows its signatures unchanged");
        assertEquals(List.of("pass", "pass"), Judges.dkimpy(dir, out, Map.of(
                "rsa1._domainkey.bar.test", TestKeys.record(TestKeys.RSA),
                "ed1._domainkey.bar.test", TestKeys.record(TestKeys.ED25519))));
    }
}

package io.camelsmtp.smtp.auth;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

import io.camelsmtp.smtp.auth.dkim.SigningKey;
import io.camelsmtp.smtp.auth.support.Judges;
import io.camelsmtp.smtp.auth.support.Swaks;
import io.camelsmtp.smtp.auth.support.TestKeys;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.FailedToCreateRouteException;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.StreamCache;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.test.AvailablePortFinder;
import org.apache.camel.test.junit5.CamelTestSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code smtp-auth:dkim-sign} in a Java DSL route behind a real listener: swaks sends, the signed message is stored as
 * a file, dkimpy and OpenDKIM judge it.
 */
class DkimSignRouteTest extends CamelTestSupport {

    @TempDir
    static Path dir;

    private final int port = AvailablePortFinder.getNextAvailable();
    private final List<Object> signedBodies = new CopyOnWriteArrayList<>();

    private static final Map<String, String> RECORDS = Map.of(
            "rsa1._domainkey.bar.test", TestKeys.record(TestKeys.RSA),
            "ed1._domainkey.bar.test", TestKeys.record(TestKeys.ED25519),
            "ed1._domainkey.other.test", TestKeys.record(TestKeys.ED25519));

    @Override
    protected RoutesBuilder createRouteBuilder() throws Exception {
        Path rsa = TestKeys.writePem(dir.resolve("keys/rsa1.pem"), TestKeys.RSA);
        Path ed = TestKeys.writePem(dir.resolve("keys/ed1.pem"), TestKeys.ED25519);
        TestKeys.writePem(dir.resolve("bydomain/other.test/ed1.pem"), TestKeys.ED25519);
        context.getRegistry().bind("vault", (DkimKeyResolver) (domain, selector) -> domain.equals("bar.test")
                ? List.of(new SigningKey("bar.test", "ed1", TestKeys.ED25519)) : List.of());
        return new RouteBuilder() {
            @Override
            public void configure() {
                from("smtp-server:127.0.0.1:" + port + "?acceptedDomains=*&maxConnectionsPerIp=0&spoolThreshold=65536")
                        .to("smtp-auth:dkim-sign?domain=bar.test&selector=rsa1,ed1&privateKey=file:" + rsa + ",file:" + ed
                            + "&expiration=7d")
                        .process(e -> signedBodies.add(e.getMessage().getBody()))
                        .to("file:" + dir.resolve("out") + "?fileName=${exchangeId}.eml");
                from("direct:folder").to("smtp-auth:dkim-sign?keyDirectory=" + dir.resolve("bydomain"));
                from("direct:resolver").to("smtp-auth:dkim-sign?keyResolver=#vault");
                from("direct:custom").to("smtp-auth:dkim-sign?domain=bar.test&selector=ed1&privateKey=file:" + ed
                                         + "&algorithm=ed25519-sha256&headers=From:Subject&canonicalization=simple/simple");
            }
        };
    }

    private Path message(String name, String text) throws Exception {
        return Files.writeString(dir.resolve(name), text, StandardCharsets.ISO_8859_1);
    }

    private static final String MESSAGE = "From: Alice <alice@bar.test>\r\nTo: bob@example.test\r\nSubject: signed on the way\r\n"
                                          + "Date: Sun, 6 Dec 2026 10:00:00 +0000\r\nMessage-ID: <r1@bar.test>\r\n\r\n"
                                          + "Hello  Bob,\r\n\r\nsee you.\r\n";

    private byte[] stored() throws Exception {
        Path out = dir.resolve("out");
        for (int i = 0; i < 100 && (!Files.isDirectory(out) || Files.list(out).count() == 0); i++) {
            Thread.sleep(50);
        }
        try (Stream<Path> files = Files.list(out)) {
            Path f = files.findFirst().orElseThrow();
            byte[] b = Files.readAllBytes(f);
            Files.delete(f);
            return b;
        }
    }

    @Test
    void aMessageFromTheListenerIsSignedTwiceAndBothSignaturesVerifyElsewhere() throws Exception {
        Swaks.accepted(port, "alice@bar.test", "bob@example.test", message("m1.eml", MESSAGE));
        byte[] stored = stored();
        assertEquals(List.of("pass", "pass"), Judges.dkimpy(dir, stored, RECORDS));
        assertEquals(List.of("pass", "pass"), Judges.opendkim(dir, stored, RECORDS));
        String text = new String(stored, StandardCharsets.ISO_8859_1);
        assertTrue(text.startsWith("DKIM-Signature: v=1; a=rsa-sha256;"), text);
        assertTrue(text.contains("DKIM-Signature: v=1; a=ed25519-sha256;"), text);
        // only fields were put in front: the received octets follow unchanged
        assertTrue(text.contains(MESSAGE), text); // swaks ends DATA with one more CRLF, kept as received
    }

    @Test
    void aLargeMessageStaysOnDiskAndIsStillSigned() throws Exception {
        StringBuilder big = new StringBuilder(MESSAGE);
        String line = "0123456789abcdefghijklmnopqrstuvwxyz 0123456789abcdefghijklmnopqrstuvwxyz\r\n";
        while (big.length() < 2_000_000) {
            big.append(line);
        }
        Swaks.accepted(port, "alice@bar.test", "bob@example.test", message("big.eml", big.toString()));
        byte[] stored = stored();
        assertEquals(List.of("pass", "pass"), Judges.dkimpy(dir, stored, RECORDS));
        Object body = signedBodies.get(signedBodies.size() - 1);
        assertTrue(body instanceof StreamCache sc && !sc.inMemory(), "the signed body still reads from the spool file: " + body);
    }

    @Test
    void noFromOrAForeignFromIsRefusedNotSignedWrongly() throws Exception {
        String noFrom = Swaks.send(port, "alice@bar.test", "bob@example.test",
                message("nofrom.eml", "To: bob@example.test\r\nSubject: x\r\n\r\nbody\r\n"));
        assertTrue(noFrom.contains("<** 550 5.6.0"), noFrom);
        String foreign = Swaks.send(port, "mallory@evil.test", "bob@example.test",
                message("foreign.eml", MESSAGE.replace("alice@bar.test", "mallory@evil.test")));
        assertTrue(foreign.contains("<** 550 5.7.1") && foreign.contains("evil.test"), foreign);
        String sub = Swaks.accepted(port, "news@news.bar.test", "bob@example.test",
                message("sub.eml", MESSAGE.replace("alice@bar.test", "news@news.bar.test")));
        assertEquals(List.of("pass", "pass"), Judges.dkimpy(dir, stored(), RECORDS), sub);
    }

    @Test
    void keysPerDomainFromAFolderAndFromABean() throws Exception {
        String other = MESSAGE.replace("alice@bar.test", "carol@other.test");
        Exchange e = template.request("direct:folder", x -> x.getMessage().setBody(other.getBytes(StandardCharsets.US_ASCII)));
        assertFalse(e.isFailed(), String.valueOf(e.getException()));
        byte[] signed = e.getMessage().getBody(byte[].class);
        assertEquals(List.of("pass"), Judges.dkimpy(dir, signed, RECORDS));
        assertTrue(new String(signed, StandardCharsets.US_ASCII).contains("d=other.test; s=ed1"));

        Exchange unknown = template.request("direct:folder", x -> x.getMessage().setBody(MESSAGE));
        assertTrue(unknown.getException().getMessage().contains("550 5.7.1 No DKIM key for bar.test"),
                String.valueOf(unknown.getException()));
        Exchange traversal = template.request("direct:folder", x -> {
            x.getMessage().setBody(other);
            x.getMessage().setHeader(SmtpAuthConstants.DKIM_SELECTOR, "../../keys/rsa1");
        });
        assertTrue(traversal.isFailed(), "a selector is never a path");

        Exchange bean = template.request("direct:resolver", x -> x.getMessage().setBody(MESSAGE));
        assertEquals(List.of("pass"), Judges.dkimpy(dir, bean.getMessage().getBody(byte[].class), RECORDS));
    }

    @Test
    void headersCanonicalizationAndAlgorithmOptions() throws Exception {
        Exchange e = template.request("direct:custom", x -> x.getMessage().setBody(MESSAGE));
        String signed = e.getMessage().getBody(String.class);
        assertTrue(signed.contains("a=ed25519-sha256; c=simple/simple;"), signed);
        assertTrue(signed.contains("h=From:From:Subject:Subject;"), "only the fields asked for, over-signed: " + signed);
        assertEquals(List.of("pass"), Judges.dkimpy(dir, signed.getBytes(StandardCharsets.US_ASCII), RECORDS));
    }

    @Test
    void aKeyOfAnotherAlgorithmThanConfiguredStopsTheStart() throws Exception {
        Path rsa = dir.resolve("keys/rsa1.pem");
        try (CamelContext c = new DefaultCamelContext()) {
            c.addRoutes(new RouteBuilder() {
                @Override
                public void configure() {
                    from("direct:a").to("smtp-auth:dkim-sign?domain=bar.test&selector=rsa1&algorithm=ed25519-sha256"
                                        + "&privateKey=file:" + rsa);
                }
            });
            Exception e = assertThrows(Exception.class, c::start);
            assertTrue(rootMessage(e).contains("is rsa-sha256, not ed25519-sha256"), rootMessage(e));
        }
    }

    @Test
    void shortRsaKeysAndUnknownOperationsStopTheStart() throws Exception {
        Path small = TestKeys.writePem(dir.resolve("small/rsa.pem"), TestKeys.generate("RSA", 1024));
        try (CamelContext c = new DefaultCamelContext()) {
            c.addRoutes(new RouteBuilder() {
                @Override
                public void configure() {
                    from("direct:a").to("smtp-auth:dkim-sign?domain=bar.test&selector=s&privateKey=file:" + small);
                }
            });
            Exception e = assertThrows(Exception.class, c::start);
            assertTrue(rootMessage(e).contains("1024 bits; at least 2048"), rootMessage(e));
        }
        for (String op : List.of("spff", "dkim")) {
            try (CamelContext c = new DefaultCamelContext()) {
                c.addRoutes(new RouteBuilder() {
                    @Override
                    public void configure() {
                        from("direct:a").to("smtp-auth:" + op);
                    }
                });
                Exception e = assertThrows(FailedToCreateRouteException.class, c::start);
                assertTrue(rootMessage(e).contains("smtp-auth needs an operation (dkim-sign, verify, spf, dnsbl), not '" + op + "'"),
                        rootMessage(e));
            }
        }
    }

    private static String rootMessage(Throwable t) {
        while (t.getCause() != null) {
            t = t.getCause();
        }
        return t.getMessage();
    }
}

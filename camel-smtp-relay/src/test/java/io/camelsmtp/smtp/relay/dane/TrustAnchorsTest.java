package io.camelsmtp.smtp.relay.dane;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The {@code daneTrustAnchors} file formats, and that a useless file fails at start instead of disabling validation. */
class TrustAnchorsTest {

    static final String DS = "dnssec.test. IN DS 12922 13 2 39CEB3279CCAE1327678CB34566C596C3F06FEF8C32D0C112E0D8C00 EA7CDB8B";
    static final String ROOT_KEY = """
            ; autotrust trust anchor file
            ;;id: . 1
            ;;last_queried: 1700000000 ;;Tue Nov 14 22:13:20 2023
            . 172800 IN DNSKEY 257 3 8 AwEAAaz/tAm8yTn4Mfeh5eyI96WSVexTBAvkMgJzkKTOiW1vkIbzxeF3+/4RgWOq7HrxRixHlFlExOLAJr5emLvN7SWXgnLh4+B5xQlNVz8Og8kvArMtNROxVQuCaSnIDdD5LKyWbRd2n9WGe2R8PzgCmr3EgVLrjyBxWezF0jLHwVN8efS3rCj/EWgvIWgb9tarpVUDK/b58Da+sqqls3eNbuv7pr+eoZG+SrDK6nWeL3c6H5Apxz7LjVc1uTIdsIXxuOLYA4/ilBmSVIzuDWfdRUfhHdY6+cn8HFRm+2hM8AnXGXws9555KrUB5qihylGa8subX2Nn6UwNR1AkUTV74bU= ;{id = 20326 (ksk), size = 2048b} ;;state=2 [  VALID  ] ;;count=0 ;;lastchange=1700000000
            """;

    @TempDir
    Path dir;

    @Test
    void dssetRootKeyAndUnboundConfigurationLinesAreRead() throws IOException {
        assertTrue(TrustAnchors.parse(DS, "dsset").contains("DS\t12922"), TrustAnchors.parse(DS, "dsset"));
        assertTrue(TrustAnchors.parse(ROOT_KEY, "root.key").contains("DNSKEY\t257"));
        String conf = "server:\n  trust-anchor: \"" + DS.replace(" IN ", " ") + "\"\n";
        assertTrue(TrustAnchors.parse(conf, "unbound.conf").contains("12922"));
        Path file = Files.writeString(dir.resolve("dsset-dnssec.test."), DS + "\n");
        assertEquals(TrustAnchors.parse(DS, "x"), TrustAnchors.load(file.toString()));
    }

    @Test
    void aFileWithoutAnchorsOrWithIncludesOrTooLargeFailsAtStart() throws IOException {
        assertThrows(IOException.class, () -> TrustAnchors.parse("example. IN A 192.0.2.1\n", "x"), "no DS/DNSKEY");
        assertThrows(IOException.class, () -> TrustAnchors.parse("junk junk junk\n", "x"));
        assertThrows(IOException.class, () -> TrustAnchors.parse("$INCLUDE /etc/passwd\n" + DS, "x"));
        Path big = Files.writeString(dir.resolve("big"), (DS + "\n").repeat(TrustAnchors.MAX_BYTES / DS.length() + 2));
        assertThrows(IOException.class, () -> TrustAnchors.load(big.toString()));
        assertThrows(IOException.class, () -> TrustAnchors.load("classpath:no/such/anchor"));
        assertThrows(IOException.class, () -> TrustAnchors.load(dir.resolve("missing").toString()));
    }
}

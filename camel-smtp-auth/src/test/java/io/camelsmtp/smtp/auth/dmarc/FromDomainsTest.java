package io.camelsmtp.smtp.auth.dmarc;

import java.util.List;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** RFC 5322 §3.4 From values: every address of every From field, or null when one is not an address. */
class FromDomainsTest {

    @Test
    void addressFormsAndSeveralAuthors() {
        assertEquals(List.of("example.com"), FromDomains.parse(List.of(" Alice <alice@Example.com>\r\n")));
        assertEquals(List.of("example.com"), FromDomains.parse(List.of("alice@example.com (Alice, at work)")));
        assertEquals(List.of("example.com"), FromDomains.parse(List.of("\"Smith, Alice <a@evil.example>\" <alice@example.com>")));
        assertEquals(List.of("example.com", "example.org"),
                FromDomains.parse(List.of("a@example.com, \"B\" <b@example.org>, c@example.com")));
        assertEquals(List.of("example.com", "example.org"), FromDomains.parse(List.of("a@example.com", "b@example.org")),
                "a second From field is evaluated too");
        assertEquals(List.of("example.com"), FromDomains.parse(List.of("Team: a@example.com, b@example.com;")));
        assertEquals(List.of("example.com"), FromDomains.parse(List.of("a@(comment)example.com")));
    }

    @Test
    void noAddressOrNoDomain() {
        assertEquals(List.of(), FromDomains.parse(List.of()));
        assertEquals(List.of(), FromDomains.parse(List.of("undisclosed-recipients:;")));
        assertNull(FromDomains.parse(List.of("example.com")));
        assertNull(FromDomains.parse(List.of("Alice <alice>")));
        assertNull(FromDomains.parse(List.of("alice@[192.0.2.1]")));
        assertNull(FromDomains.parse(List.of("a@example.com, b@exa mple.org")));
        assertNull(FromDomains.parse(List.of("<a@example.com")));
        assertNull(FromDomains.parse(List.of("a@example.com,".repeat(60))));
    }
}

package io.camelsmtp.smtp.auth.dmarc;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** RFC 7489 §3.2 with the Public Suffix List Guava carries (ICANN and private sections, wildcard rules). */
class OrganizationalDomainTest {

    @ParameterizedTest
    @CsvSource({
        "example.com, example.com",
        "news.example.com, example.com",
        "a.b.c.example.com, example.com",
        "mail.example.co.uk, example.co.uk",
        "example.co.uk, example.co.uk",
        "co.uk, co.uk",
        "com, com",
        "foo.bar.test, bar.test",
        "bar.test, bar.test",
        "test, test",
        "x.y.example.ck, y.example.ck",
        "www.ck, www.ck",
        "alice.github.io, alice.github.io",
        "a.alice.github.io, alice.github.io",
        "a.b.kawasaki.jp, a.b.kawasaki.jp",
        "mail._x.bar.test, bar.test",
    })
    void organizationalDomain(String domain, String expected) {
        assertEquals(expected, OrganizationalDomain.of(OrganizationalDomain.normalize(domain)));
    }

    @ParameterizedTest
    @CsvSource({
        "Example.COM., example.com",
        "bücher.example, xn--bcher-kva.example",
    })
    void namesAreComparedAsLowerCaseALabels(String domain, String expected) {
        assertEquals(expected, OrganizationalDomain.normalize(domain));
    }
}

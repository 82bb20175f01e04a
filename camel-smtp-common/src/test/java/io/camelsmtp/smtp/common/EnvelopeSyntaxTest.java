package io.camelsmtp.smtp.common;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The one syntax of envelope values that the listener, the relay, the queue and the bridges share. */
class EnvelopeSyntaxTest {

    @ParameterizedTest
    @ValueSource(strings = { "bob@example.org", "b.o-b+tag@sub.example.org", "\"john smith\"@example.org",
                             "\"a\\\"b\"@example.org", "jörg@exämple.org", "x@[192.0.2.1]", "x@[IPv6:2001:db8::1]",
                             "bob@example.org." })
    void mailboxes(String address) {
        assertTrue(EnvelopeSyntax.isMailbox(address), address);
    }

    @ParameterizedTest
    @ValueSource(strings = { "", "bob", "@example.org", "bob@", "bob@exa mple.org", "bob@example..org", ".bob@example.org",
                             "bob\r\n@example.org", "\"a\\\r\"@example.org", "bob\u0085@example.org", "b<o>b@example.org",
                             "bob@-example.org", "x@[300.1.1.1]", "bob@exam_ple.org" })
    void notMailboxes(String address) {
        assertFalse(EnvelopeSyntax.isMailbox(address), address);
    }

    @ParameterizedTest
    @ValueSource(strings = { "NEVER", "never", "SUCCESS", "SUCCESS,FAILURE,DELAY", "delay" })
    void notify(String v) {
        assertTrue(EnvelopeSyntax.isDsnNotify(v), v);
    }

    @ParameterizedTest
    @ValueSource(strings = { "", "NEVER,SUCCESS2", "SUCCESS,", "NEVER\r\nRCPT TO:<x@y>", "SUCCESS FAILURE" })
    void notNotify(String v) {
        assertFalse(EnvelopeSyntax.isDsnNotify(v), v);
    }

    @ParameterizedTest
    @ValueSource(strings = { "rfc822;bob@example.org", "utf-8;jörg@example.org", "x-local;anything at all" })
    void orcpt(String v) {
        assertTrue(EnvelopeSyntax.isDsnOrcpt(v), v);
    }

    @ParameterizedTest
    @ValueSource(strings = { "rfc822", ";bob@example.org", "rfc822;", "rfc 822;bob@example.org",
                             "rfc822\r\nRCPT TO:<x@y>;bob@example.org", "rfc822;bob\n@example.org" })
    void notOrcpt(String v) {
        assertFalse(EnvelopeSyntax.isDsnOrcpt(v), v);
    }

    @ParameterizedTest
    @ValueSource(strings = { "FULL\r\n", "HEADERS", "", "FULL HDRS" })
    void notRet(String v) {
        assertFalse(EnvelopeSyntax.isDsnRet(v), v);
    }

    @ParameterizedTest
    @ValueSource(strings = { "", "id\r\nX", "é" })
    void notEnvid(String v) {
        assertFalse(EnvelopeSyntax.isDsnEnvid(v), v);
    }
}

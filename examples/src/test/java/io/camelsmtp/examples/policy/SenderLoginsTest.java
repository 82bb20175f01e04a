package io.camelsmtp.examples.policy;

import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SenderLoginsTest {

    private final SenderLogins logins = new SenderLogins();

    SenderLoginsTest() {
        logins.setDomains(" Example.org, example.net ,");
    }

    @Test
    void aUserOwnsItsNameInEachDomainAndNothingElse() {
        assertEquals("example.org,example.net", logins.getDomains());
        assertTrue(logins.owns("alice", "alice@example.org"));
        assertTrue(logins.owns("alice", "Alice@EXAMPLE.NET"));
        assertTrue(logins.owns("Alice", "alice@example.org"));
        for (String notAlices : new String[] {"bob@example.org", "alice@example.com", "alice@sub.example.org",
            "alice.x@example.org", "x.alice@example.org", "alice+tag@example.org", "\"alice\"@example.org", "alice",
            "alice@", "@example.org", "alice@example.org.evil.test", ""}) {
            assertFalse(logins.owns("alice", notAlices), notAlices);
        }
        assertFalse(logins.owns(null, "alice@example.org"), "not logged in");
        assertFalse(logins.owns("", "alice@example.org"));
        assertFalse(logins.owns("alice", null));
    }

    @Test
    void aUserNamedByAnAddressOwnsThatAddressOnly() {
        assertTrue(logins.owns("carol@example.com", "Carol@Example.COM"));
        assertFalse(logins.owns("carol@example.com", "carol@example.org"));
        assertFalse(logins.owns("carol@example.org", "bob@example.org"));
    }

    @Test
    void thePolicyStepSets553ForASenderTheUserDoesNotOwn() throws Exception {
        try (DefaultCamelContext context = new DefaultCamelContext()) {
            Exchange owned = exchange(context, "alice", "alice@example.org");
            logins.check(owned);
            assertNull(owned.getMessage().getHeader("CamelSmtpReply"));

            Exchange other = exchange(context, "alice", "bob@example.org");
            logins.check(other);
            assertEquals("553 5.7.1 <bob@example.org>: Sender address rejected: not owned by user alice",
                    other.getMessage().getHeader("CamelSmtpReply"));

            Exchange bounce = exchange(context, "alice", "");
            logins.check(bounce);
            assertEquals("553 5.7.1 <>: Sender address rejected: not owned by user alice",
                    bounce.getMessage().getHeader("CamelSmtpReply"));

            Exchange anonymous = exchange(context, null, "alice@example.org");
            logins.check(anonymous);
            assertEquals("553 5.7.1 <alice@example.org>: Sender address rejected: not logged in",
                    anonymous.getMessage().getHeader("CamelSmtpReply"));
        }
    }

    private static Exchange exchange(DefaultCamelContext context, String user, String from) {
        Exchange e = new DefaultExchange(context);
        e.getMessage().setHeader("CamelSmtpAuthenticatedUser", user);
        e.getMessage().setHeader("CamelSmtpEnvelopeFrom", from);
        return e;
    }
}

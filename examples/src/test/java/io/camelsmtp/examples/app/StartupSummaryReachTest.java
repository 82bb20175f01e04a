package io.camelsmtp.examples.app;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** A listener on every interface says so in the start-up summary (issue 16 item 7): submission binds 0.0.0.0. */
class StartupSummaryReachTest {

    @Test
    void wildcardBindsAreNamedAsReachingTheNetwork() {
        for (String wildcard : new String[] { "0.0.0.0", "::", "[::]", "::0", "", " 0.0.0.0 " }) {
            assertEquals(" (all interfaces, the network included)", StartupSummary.reach(wildcard), wildcard);
        }
    }

    @Test
    void aNamedAddressIsJustItself() {
        for (String host : new String[] { "127.0.0.1", "::1", "192.0.2.7", "localhost", "mx.example.org" }) {
            assertEquals("", StartupSummary.reach(host), host);
        }
    }
}

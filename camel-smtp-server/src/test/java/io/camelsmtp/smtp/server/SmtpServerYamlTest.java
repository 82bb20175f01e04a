package io.camelsmtp.smtp.server;

import io.camelsmtp.smtp.server.support.Messages;
import io.camelsmtp.smtp.server.support.SmtpDialogue;
import org.apache.camel.component.mock.MockEndpoint;
import org.apache.camel.main.Main;
import org.apache.camel.test.AvailablePortFinder;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** A route written in the YAML DSL, loaded by Camel Main, with options, a bean and a policy route. */
class SmtpServerYamlTest {

    @Test
    void yamlRouteWithPolicy() throws Exception {
        int port = AvailablePortFinder.getNextAvailable();
        Main main = new Main();
        main.configure().withRoutesIncludePattern("classpath:yaml/inbound.camel.yaml");
        main.addInitialProperty("smtp.port", Integer.toString(port));
        main.start();
        try {
            MockEndpoint inbox = main.getCamelContext().getEndpoint("mock:inbox", MockEndpoint.class);
            inbox.expectedMessageCount(1);
            try (SmtpDialogue s = SmtpDialogue.open(port)) {
                assertEquals("220 mx.example.org ESMTP camel-smtp", s.greeting());
                String ehlo = s.cmd("EHLO client.test");
                assertEquals(true, ehlo.contains("AUTH PLAIN LOGIN"), ehlo);
                s.cmd("MAIL FROM:<a@client.test>");
                assertEquals("550 5.1.1 No such user here", s.cmd("RCPT TO:<nobody@example.org>"));
                assertEquals("554 5.7.1 <x@elsewhere.test>: Relay access denied", s.cmd("RCPT TO:<x@elsewhere.test>"));
                assertEquals("250 2.1.5 Ok", s.cmd("RCPT TO:<bob@example.org>"));
                s.cmd("DATA");
                assertEquals("250 2.0.0 Accepted for [bob@example.org]", s.data(Messages.simple("yaml")));
            }
            inbox.assertIsSatisfied();
        } finally {
            main.stop();
        }
    }

    @Test
    void yamlLmtpRouteWithPerRecipientReplies() throws Exception {
        int port = AvailablePortFinder.getNextAvailable();
        Main main = new Main();
        main.configure().withRoutesIncludePattern("classpath:yaml/lmtp.camel.yaml");
        main.addInitialProperty("lmtp.port", Integer.toString(port));
        main.start();
        try {
            MockEndpoint mailboxes = main.getCamelContext().getEndpoint("mock:mailboxes", MockEndpoint.class);
            mailboxes.expectedMessageCount(1);
            try (SmtpDialogue s = SmtpDialogue.open(port)) {
                assertEquals("250 mailbox.example.org", s.cmd("LHLO client.test").lines().findFirst().orElseThrow()
                        .replace("250-", "250 "));
                s.cmd("MAIL FROM:<a@client.test>");
                for (String rcpt : new String[] { "full@example.org", "bob@example.org", "gone@example.org" }) {
                    assertEquals("250 2.1.5 Ok", s.cmd("RCPT TO:<" + rcpt + ">"));
                }
                s.cmd("DATA");
                assertEquals("452 4.2.2 Mailbox full", s.data(Messages.simple("yaml")));
                String bob = s.reply();
                assertEquals(true, bob.startsWith("250 2.0.0 Ok: queued as "), bob);
                assertEquals("550 5.1.1 No such user here", s.reply());
            }
            mailboxes.assertIsSatisfied();
        } finally {
            main.stop();
        }
    }
}

package io.camelsmtp.smtp.server;

import io.camelsmtp.smtp.common.SmtpReply;
import io.camelsmtp.smtp.common.SmtpReplyException;
import org.apache.camel.CamelExecutionException;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The way back from an Exchange to the SMTP reply, without a listener. */
class SmtpServerBindingTest {

    private static final String ROUTE = "route 'test'";
    private final SmtpServerBinding binding = new SmtpServerBinding(false);

    @Test
    void aCompletedMessageIsQueuedUnlessTheRouteChoseAReply() {
        assertEquals("250 2.0.0 Ok: queued as 0A1B", binding.messageReply(exchange(), "0A1B", ROUTE).toString());
        Exchange chosen = exchange();
        chosen.getMessage().setHeader(SmtpServerConstants.REPLY, "452 4.2.2 Mailbox full");
        assertEquals("452 4.2.2 Mailbox full", binding.messageReply(chosen, "0A1B", ROUTE).toString());
    }

    @Test
    void aPolicyThatSaysNothingAccepts() {
        assertNull(binding.stageReply(exchange(), "rcpt", ROUTE));
    }

    @Test
    void aHeaderThatIsNoValidReplyIsATemporaryFailureNeverAnAcceptance() {
        Exchange newline = exchange();
        newline.getMessage().setHeader(SmtpServerConstants.REPLY, "554 5.7.1 No\nSee policy");
        assertEquals("451 4.3.0 Temporary failure, try again later", binding.stageReply(newline, "rcpt", ROUTE).toString());
        assertEquals("421 4.3.0 Temporary failure, try again later", binding.stageReply(newline, "connect", ROUTE).toString());
        assertEquals("451 4.3.0 Temporary failure, try again later", binding.messageReply(newline, "0A1B", ROUTE).toString());
    }

    @Test
    void anSmtpReplyExceptionAnywhereInTheCauseChainIsTheReply() {
        Exchange failed = exchange();
        failed.setException(new CamelExecutionException("wrapped", failed,
                new IllegalStateException(new SmtpRejectException(554, "5.7.0", "Refused by rule"))));
        assertEquals("554 5.7.0 Refused by rule", binding.stageReply(failed, "mail", ROUTE).toString());

        Exchange queueFull = exchange();
        queueFull.setException(new SmtpReplyException(SmtpReply.of(452, "4.3.1", "Insufficient system storage")));
        assertEquals("452 4.3.1 Insufficient system storage", binding.messageReply(queueFull, "0A1B", ROUTE).toString());
    }

    @Test
    void anyOtherFailureIsTemporary421AtConnectElse451() {
        Exchange failed = exchange();
        failed.setException(new IllegalStateException("database down"));
        assertEquals("421 4.3.0 Temporary failure, try again later", binding.stageReply(failed, "connect", ROUTE).toString());
        assertEquals("451 4.3.0 Temporary failure, try again later", binding.stageReply(failed, "helo", ROUTE).toString());
        assertEquals("451 4.3.0 Temporary failure, try again later", binding.messageReply(failed, "0A1B", ROUTE).toString());
    }

    private static Exchange exchange() {
        return new DefaultExchange(new DefaultCamelContext());
    }
}

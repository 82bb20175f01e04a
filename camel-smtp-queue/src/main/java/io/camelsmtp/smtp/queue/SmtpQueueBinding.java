package io.camelsmtp.smtp.queue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.BooleanSupplier;

import io.camelsmtp.smtp.common.DeliveryCancellation;
import io.camelsmtp.smtp.common.DeliveryReport;
import io.camelsmtp.smtp.common.Envelope;
import io.camelsmtp.smtp.common.EnvelopeBinding;
import io.camelsmtp.smtp.common.RecipientResult;
import io.camelsmtp.smtp.common.SmtpReply;
import io.camelsmtp.smtp.queue.spool.SpoolEntry;
import org.apache.camel.Exchange;
import org.apache.camel.Message;

/**
 * How a delivery attempt maps to an Exchange and back: the message as the consumer's route sees it (the envelope
 * narrowed to the job's recipients, through {@link EnvelopeBinding}, plus the queue's own headers), and the outcome
 * per recipient the route reported (the common contract, {@link DeliveryReport#read}).
 */
final class SmtpQueueBinding {

    private SmtpQueueBinding() {
    }

    /**
     * Sets the headers of one attempt to deliver {@code recipients} of {@code e}, and the check by which a delivery
     * step learns that the operator held or deleted the message meanwhile ({@link DeliveryCancellation}).
     */
    static void bind(Exchange exchange, SpoolEntry e, List<SpoolEntry.Recipient> recipients, BooleanSupplier cancelled) {
        DeliveryCancellation.set(exchange, cancelled);
        Message m = exchange.getMessage();
        List<Envelope.Recipient> to = new ArrayList<>(recipients.size());
        for (SpoolEntry.Recipient r : recipients) {
            to.add(r.envelope());
        }
        EnvelopeBinding.write(e.envelope().withRecipients(to), m);
        m.setHeader(SmtpQueueConstants.ATTEMPT, e.retry().attempts() + 1);
        m.setHeader(SmtpQueueConstants.ARRIVAL, e.arrival());
        m.setHeader(SmtpQueueConstants.KIND, e.kind().name().toLowerCase(Locale.ROOT));
    }

    /** What the route decided for each of {@code recipients}, in their order. */
    static List<Outcome> outcomes(Exchange exchange, List<SpoolEntry.Recipient> recipients, String routeId) {
        List<String> addresses = recipients.stream().map(SpoolEntry.Recipient::address).toList();
        DeliveryReport report = DeliveryReport.read(exchange, addresses, "route " + routeId);
        List<Outcome> outcomes = new ArrayList<>(recipients.size());
        for (int i = 0; i < recipients.size(); i++) {
            outcomes.add(new Outcome(recipients.get(i), report.getResults().get(i)));
        }
        return outcomes;
    }

    /** Every recipient withdrawn before the route was called, as a delivery step reports it. */
    static List<Outcome> withdrawn(List<SpoolEntry.Recipient> recipients) {
        return every(recipients, DeliveryCancellation.REPLY);
    }

    /**
     * Every recipient deferred because the attempt ended with something no route reports (an {@link Error} such as a
     * StackOverflowError or an AssertionError): the message is tried again later.
     */
    static List<Outcome> failedUnexpectedly(List<SpoolEntry.Recipient> recipients, Throwable t) {
        String what = String.valueOf(t).replaceAll("[\\r\\n]+", " ");
        return every(recipients, SmtpReply.of(451, "4.3.0", "Delivery attempt failed unexpectedly: "
                                                            + (what.length() > 200 ? what.substring(0, 200) : what)));
    }

    private static List<Outcome> every(List<SpoolEntry.Recipient> recipients, SmtpReply reply) {
        List<Outcome> outcomes = new ArrayList<>(recipients.size());
        for (SpoolEntry.Recipient r : recipients) {
            outcomes.add(new Outcome(r, new RecipientResult(r.address(), RecipientResult.Status.DEFERRED, reply, null, null,
                    null, Instant.now())));
        }
        return outcomes;
    }
}

package io.camelsmtp.smtp.queue;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import io.camelsmtp.smtp.common.DeliveryReport;
import io.camelsmtp.smtp.common.Envelope;
import io.camelsmtp.smtp.common.EnvelopeBinding;
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

    /** Sets the headers of one attempt to deliver {@code recipients} of {@code e}. */
    static void bind(Message m, SpoolEntry e, List<SpoolEntry.Recipient> recipients) {
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
}

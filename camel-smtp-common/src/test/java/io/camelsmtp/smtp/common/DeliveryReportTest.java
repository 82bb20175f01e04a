package io.camelsmtp.smtp.common;

import java.time.Instant;
import java.util.List;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The contract between a delivery route and the queue: what each recipient's outcome is after the route ran. */
class DeliveryReportTest {

    private final CamelContext context = new DefaultCamelContext();

    private static RecipientResult result(String rcpt, String reply) {
        return RecipientResult.of(rcpt, SmtpReply.parse(reply), "mx.example.net", "192.0.2.1", "TLSv1.3");
    }

    private Exchange exchange() {
        return new DefaultExchange(context);
    }

    @Test
    void aCompletedRouteWithoutReportDeliveredEveryone() {
        DeliveryReport r = DeliveryReport.read(exchange(), List.of("a@x", "b@x"), "route out");
        assertTrue(r.isAllDelivered());
        assertEquals("250 2.0.0 Delivered by route out", r.get("b@x").getReply().toString());
    }

    @Test
    void theReportHeaderDecidesPerRecipient() {
        Exchange e = exchange();
        e.getMessage().setHeader(SmtpEnvelopeHeaders.DELIVERY_REPORT,
                new DeliveryReport(List.of(result("a@x", "250 ok"), result("b@x", "550 5.1.1 no"))));
        DeliveryReport r = DeliveryReport.read(e, List.of("b@x", "a@x", "c@x"), "route out");
        assertEquals(List.of(RecipientResult.Status.FAILED, RecipientResult.Status.DELIVERED, RecipientResult.Status.DELIVERED),
                r.getResults().stream().map(RecipientResult::getStatus).toList());
        assertEquals("mx.example.net", r.get("b@x").getHost());
    }

    @Test
    void aReplyExceptionDecidesForEveryone() {
        Exchange e = exchange();
        e.setException(new IllegalStateException(new SmtpReplyException(SmtpReply.of(554, "5.7.1", "refused"))));
        assertEquals(List.of(RecipientResult.Status.FAILED), status(DeliveryReport.read(e, List.of("a@x"), "r")));
        e.setException(new RuntimeException("broker down\nline two"));
        DeliveryReport r = DeliveryReport.read(e, List.of("a@x"), "r");
        assertEquals("451 4.3.0 broker down line two", r.get("a@x").getReply().toString());
    }

    @Test
    void aReportedFailureDefersWhomItLeavesOut() {
        Exchange e = exchange();
        DeliveryReport partial = new DeliveryReport(List.of(result("a@x", "550 5.1.1 no")));
        e.setException(new DeliveryReportException(partial));
        DeliveryReport r = DeliveryReport.read(e, List.of("a@x", "b@x"), "r");
        assertEquals(RecipientResult.Status.FAILED, r.get("a@x").getStatus());
        assertEquals(RecipientResult.Status.DEFERRED, r.get("b@x").getStatus(), "b was never tried: it must not bounce");
    }

    @Test
    void aReportExceptionRepliesWithTheRealClassOfFailure() {
        DeliveryReport deferred = new DeliveryReport(List.of(result("a@x", "250 ok"), result("b@x", "550 5.1.1 no"),
                result("c@x", "452-4.2.2 full\n452 4.2.2 really")));
        DeliveryReportException x = new DeliveryReportException(deferred);
        assertTrue(x.isTransient());
        assertEquals(List.of("c@x"), x.getPendingRecipients());
        assertEquals("452 4.2.2 <c@x>: full", x.getReply().toString());

        DeliveryReportException failed = new DeliveryReportException(
                new DeliveryReport(List.of(result("a@x", "250 ok"), result("b@x", "550 5.1.1 no such user"))));
        assertFalse(failed.isTransient());
        assertEquals("550 5.1.1 <b@x>: no such user", failed.getReply().toString());

        RecipientResult odd = new RecipientResult("d@x", RecipientResult.Status.DEFERRED, SmtpReply.parse("554 odd"), null,
                null, null, Instant.now());
        assertEquals(451, new DeliveryReportException(new DeliveryReport(List.of(odd))).getCode(),
                "a deferral always answers 4xx, whatever reply it carries");
    }

    private static List<RecipientResult.Status> status(DeliveryReport r) {
        return r.getResults().stream().map(RecipientResult::getStatus).toList();
    }
}

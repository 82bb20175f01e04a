package io.camelsmtp.smtp.common;

import java.util.function.BooleanSupplier;

import org.apache.camel.Exchange;

/**
 * Lets whoever started a delivery withdraw it while it runs. The queue puts a check on the Exchange of each attempt
 * (true once an operator held or deleted the message); a delivery step such as {@code smtp-relay} asks it before it
 * connects to a host and before it sends DATA, and stops there: the recipients not yet sent to are reported deferred
 * with {@link #REPLY}, so nothing is lost and the queue decides what happens next.
 */
public final class DeliveryCancellation {

    /** Exchange property holding the {@link BooleanSupplier}. */
    public static final String PROPERTY = "CamelSmtpDeliveryCancellation";
    /** What a withdrawn delivery reports for the recipients it did not send to. */
    public static final SmtpReply REPLY = SmtpReply.of(451, "4.3.2", "Delivery withdrawn by the queue (held or deleted)");

    private DeliveryCancellation() {
    }

    /** Puts the check on the Exchange; it must be cheap and thread-safe. */
    public static void set(Exchange exchange, BooleanSupplier cancelled) {
        exchange.setProperty(PROPERTY, cancelled);
    }

    /** True when the delivery of this Exchange has been withdrawn; false when nobody put a check on it. */
    public static boolean isCancelled(Exchange exchange) {
        Object check = exchange.getProperty(PROPERTY);
        return check instanceof BooleanSupplier s && s.getAsBoolean();
    }
}

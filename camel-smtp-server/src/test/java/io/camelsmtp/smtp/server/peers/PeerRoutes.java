package io.camelsmtp.smtp.server.peers;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;

import io.camelsmtp.smtp.server.SmtpServerConstants;
import io.camelsmtp.smtp.server.SmtpServerConsumer;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.Route;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/** Small helpers shared by the peer tests: reading what the route got, and bounded waiting. */
final class PeerRoutes {

    /** How a queue id looks: 18 upper-case hex digits. */
    static final String QUEUE_ID = "[0-9A-F]{18}";

    private PeerRoutes() {
    }

    /** The message as the route saw it (routes convert the body to byte[] before the mock). */
    static String body(Exchange exchange) {
        byte[] bytes = exchange.getIn().getBody(byte[].class);
        assertNotNull(bytes, "no body");
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** The Received header we prepended, unfolded onto one line. */
    static String receivedHeader(Exchange exchange) {
        String body = body(exchange);
        int end = body.indexOf("\r\n", 0);
        while (end >= 0 && end + 2 < body.length() && (body.charAt(end + 2) == '\t' || body.charAt(end + 2) == ' ')) {
            end = body.indexOf("\r\n", end + 2);
        }
        String header = end < 0 ? body : body.substring(0, end);
        return header.replaceAll("\r\n[ \t]+", " ");
    }

    static String header(Exchange exchange, String name) {
        return exchange.getIn().getHeader(name, String.class);
    }

    @SuppressWarnings("unchecked")
    static List<String> envelopeTo(Exchange exchange) {
        return exchange.getIn().getHeader(SmtpServerConstants.ENVELOPE_TO, List.class);
    }

    static SmtpServerConsumer consumer(CamelContext context, String routeId) {
        Route route = context.getRoute(routeId);
        assertNotNull(route, "no route " + routeId);
        return (SmtpServerConsumer) route.getConsumer();
    }

    /** Waits, at most {@code limit}, until {@code condition} holds; true when it did. */
    static boolean await(Duration limit, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) {
                return true;
            }
            Thread.sleep(20);
        }
        return condition.getAsBoolean();
    }

    /** Asserts that every session of the route's listener has ended (no leaked connection slot). */
    static void assertNoSessionsLeft(CamelContext context, String routeId) throws InterruptedException {
        SmtpServerConsumer consumer = consumer(context, routeId);
        await(Duration.ofSeconds(10), () -> consumer.getSessionCount() == 0);
        assertEquals(0, consumer.getSessionCount(), "sessions still open on " + routeId);
    }
}

package io.camelsmtp.smtp.relay;

import java.util.Collection;

import io.camelsmtp.smtp.relay.testbed.PeerTestSupport;
import io.camelsmtp.smtp.relay.testbed.Testbed;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.health.HealthCheck;
import org.apache.camel.health.HealthCheckHelper;
import org.apache.camel.health.HealthCheckRegistry;
import org.apache.camel.impl.health.DefaultHealthCheckRegistry;
import org.apache.camel.test.AvailablePortFinder;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The relay's meters in a MeterRegistry found in the Camel registry, moved by deliveries to smtp-sink receivers
 * found through dnsmasq: connections opened and reused, TLS outcome, replies by class per destination, attempt
 * times; and the readiness of the relay's DNS, against dnsmasq and against a port where nothing answers.
 */
class RelayMetricsTest extends PeerTestSupport {

    private static final int DEAD_DNS = AvailablePortFinder.getNextAvailable();

    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

    @Override
    protected CamelContext createCamelContext() throws Exception {
        CamelContext ctx = super.createCamelContext();
        ctx.getRegistry().bind("meters", MeterRegistry.class, meters);
        ctx.getCamelContextExtension().addContextPlugin(HealthCheckRegistry.class, new DefaultHealthCheckRegistry(ctx));
        return ctx;
    }

    @Override
    protected void routes(RouteBuilder b) {
        b.from("direct:dead-dns").to("smtp-relay:mx?dnsServers=127.0.0.1:" + DEAD_DNS + "&dnsTimeout=300ms");
    }

    @Test
    void deliveriesMoveTheCounters() {
        String sender = "sender@origin.test";
        String first = rcpt("multi.test");
        delivered(send("direct:relay", sender, first), first);
        String second = rcpt("multi.test");
        delivered(send("direct:relay", sender, second), second);
        failure(send("direct:relay", sender, rcpt("reject.test")), false);

        assertEquals(2, meters.get("smtp.relay.connections").tag("kind", "opened").counter().count(),
                "one to mx1.multi.test, one to the rejecting host");
        assertEquals(1, meters.get("smtp.relay.connections").tag("kind", "reused").counter().count(),
                "the second message to multi.test took the kept connection");
        assertEquals(2, meters.get("smtp.relay.replies").tag("class", "2xx").tag("destination", "other").counter()
                .count(), "below the naming threshold every destination is 'other'");
        assertEquals(1, meters.get("smtp.relay.replies").tag("class", "5xx").counter().count());
        assertEquals(2, meters.get("smtp.relay.tls").tag("result", "plaintext").tag("policy", "config").counter().count(),
                "smtp-sink offers no STARTTLS");
        assertEquals(3, meters.get("smtp.relay.attempt").tag("result", "completed").timer().count());
    }

    @Test
    void readinessSaysWhetherTheDnsAnswers() {
        Collection<HealthCheck.Result> results = HealthCheckHelper.invokeReadiness(context, "full");
        HealthCheck.Result live = find(results, "smtp-relay-dns-" + Testbed.DNS_SERVER);
        assertEquals(HealthCheck.State.UP, live.getState(), String.valueOf(live.getMessage()));
        assertTrue(live.getDetails().containsKey("dns.rcode"), live.getDetails().toString());
        HealthCheck.Result dead = find(results, "smtp-relay-dns-127.0.0.1:" + DEAD_DNS);
        assertEquals(HealthCheck.State.DOWN, dead.getState());
        assertTrue(dead.getMessage().orElse("").contains("does not answer"), String.valueOf(dead.getMessage()));
    }

    private static HealthCheck.Result find(Collection<HealthCheck.Result> results, String id) {
        return results.stream().filter(r -> r.getCheck().getId().equals(id)).findFirst()
                .orElseThrow(() -> new AssertionError("no check " + id + " among "
                                                      + results.stream().map(r -> r.getCheck().getId()).toList()));
    }
}

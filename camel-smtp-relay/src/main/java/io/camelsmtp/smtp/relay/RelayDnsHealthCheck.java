package io.camelsmtp.smtp.relay;

import java.io.IOException;
import java.time.Duration;
import java.util.Map;

import io.camelsmtp.smtp.common.DnsServers;
import io.camelsmtp.smtp.common.health.ReadinessCheck;
import io.camelsmtp.smtp.relay.dns.MxResolver;
import org.apache.camel.CamelContext;
import org.apache.camel.health.HealthCheckRegistry;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Resolver;
import org.xbill.DNS.Type;

/**
 * Readiness of the relay's DNS for Camel's health checks (registered while an MX relay producer runs, when the
 * CamelContext has a health check registry), id {@code smtp-relay-dns} (or {@code smtp-relay-dns-<dnsServers>}): the
 * resolvers the relay asks ({@code dnsServers}, else the system's) must answer. It asks them for the root's NS
 * records, through the relay's own resolver set-up: DOWN when no answer comes within {@code dnsTimeout} or the answer
 * is SERVFAIL (a resolver that cannot reach anything upstream); UP for any other answer, its RCODE a detail (a
 * resolver that serves only local zones may say REFUSED for the root and still answer the relay's names). An answer
 * is reused for {@link #REUSE} so that frequent probes do not become a DNS load; a probe waits at most
 * {@code dnsTimeout}.
 */
final class RelayDnsHealthCheck extends ReadinessCheck {

    /** How long one probe's answer is reused. */
    static final Duration REUSE = Duration.ofSeconds(10);

    private final String servers;
    private final Resolver resolver;
    private Result last;
    private long lastNanos;

    private RelayDnsHealthCheck(String id, String servers, Duration timeout) {
        super(id);
        this.servers = servers;
        this.resolver = MxResolver.resolver(DnsServers.parse(servers), timeout);
    }

    /** Registers a check for these resolvers unless one is there already; null when not registered by this call. */
    static RelayDnsHealthCheck register(CamelContext context, String dnsServers, Duration timeout) {
        HealthCheckRegistry registry = HealthCheckRegistry.get(context);
        if (registry == null) {
            return null;
        }
        String servers = dnsServers == null || dnsServers.isBlank() ? null : dnsServers.strip();
        String id = servers == null ? "smtp-relay-dns" : "smtp-relay-dns-" + servers;
        synchronized (RelayDnsHealthCheck.class) {
            if (registry.getCheck(id).isPresent()) {
                return null;
            }
            RelayDnsHealthCheck check = new RelayDnsHealthCheck(id, servers, timeout);
            registry.register(check);
            return check;
        }
    }

    static void unregister(CamelContext context, RelayDnsHealthCheck check) {
        HealthCheckRegistry registry = check == null ? null : HealthCheckRegistry.get(context);
        if (registry != null) {
            synchronized (RelayDnsHealthCheck.class) {
                registry.unregister(check);
            }
        }
    }

    @Override
    public synchronized Result call(Map<String, Object> options) {
        if (last != null && System.nanoTime() - lastNanos < REUSE.toNanos()) {
            return last;
        }
        last = probe();
        lastNanos = System.nanoTime();
        return last;
    }

    private Result probe() {
        HealthCheckResultBuilder builder = HealthCheckResultBuilder.on(this)
                .detail("dns.servers", servers == null ? "system" : servers);
        long started = System.nanoTime();
        try {
            Message answer = resolver.send(Message.newQuery(Record.newRecord(Name.root, Type.NS, DClass.IN)));
            int rcode = answer.getRcode();
            builder.detail("dns.rcode", Rcode.string(rcode))
                    .detail("dns.millis", (System.nanoTime() - started) / 1_000_000);
            if (rcode == Rcode.SERVFAIL) {
                return builder.down().message("The relay's DNS answers SERVFAIL").build();
            }
            return builder.up().build();
        } catch (IOException | RuntimeException e) {
            return builder.down().message("The relay's DNS does not answer: " + e).build();
        }
    }
}

package io.camelsmtp.smtp.relay.dane;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

import io.camelsmtp.smtp.relay.dns.MxResolver;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.ExtendedFlags;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Resolver;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.Type;
import org.xbill.DNS.dnssec.ValidatingResolver;

/**
 * DNS with a DNSSEC verdict per answer, in one of two modes, chosen by the operator:
 * <ul>
 * <li>{@link #validating validating}: dnsjava's {@link ValidatingResolver} checks every answer itself, from the
 * configured trust anchors, over the relay's {@code dnsServers} (which then need only pass DNSSEC records along);</li>
 * <li>{@link #trustingAd trusting AD}: the AD bit of the listed validating resolvers is believed (RFC 6840 §5.7), and
 * only theirs: no other server is ever asked in this mode. The path to them must be trustworthy (loopback, or a
 * protected network).</li>
 * </ul>
 * CNAMEs are followed (at most {@value #MAX_CNAMES}), each link's security counting. Answers are cached for their
 * TTL (at most an hour; failures {@value #FAILURE_SECONDS} s), at most {@value #MAX_CACHE} of them, least recently
 * used first out, so a second delivery to the same host asks nothing.
 */
public final class DnssecResolver implements SecureDns {

    static final int MAX_CNAMES = 8;
    static final int MAX_CACHE = 10_000;
    static final long FAILURE_SECONDS = 10;
    static final long MAX_TTL_SECONDS = 3600;
    static final long NEGATIVE_DEFAULT_SECONDS = 60;

    private final Resolver resolver;
    private final boolean validating;
    private final Duration timeout;
    private final Executor executor;
    private final Clock clock;
    private final AtomicLong sent = new AtomicLong();
    private final Map<Key, Cached> cache = new LinkedHashMap<>(64, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<Key, Cached> eldest) {
            return size() > MAX_CACHE;
        }
    };

    private record Key(Name name, int type) {
    }

    private record Cached(SecureAnswer answer, Instant until) {
    }

    DnssecResolver(Resolver resolver, boolean validating, Duration timeout, Executor executor, Clock clock) {
        this.resolver = resolver;
        this.validating = validating;
        this.timeout = timeout;
        this.executor = executor;
        this.clock = clock;
        resolver.setTimeout(timeout);
    }

    /**
     * Validation here, from {@code trustAnchors} (zone-file text of DS/DNSKEY records, see {@link TrustAnchors}), over
     * {@code servers} (empty: the system's).
     */
    public static DnssecResolver validating(List<InetSocketAddress> servers, String trustAnchors, Duration timeout,
            Executor executor, Clock clock) throws IOException {
        ValidatingResolver v = new ValidatingResolver(MxResolver.resolver(servers, timeout), clock);
        v.loadTrustAnchors(new ByteArrayInputStream(trustAnchors.getBytes(StandardCharsets.UTF_8)));
        return new DnssecResolver(v, true, timeout, executor, clock);
    }

    /** The AD bit of {@code trusted} (not empty) believed, and nobody else asked. */
    public static DnssecResolver trustingAd(List<InetSocketAddress> trusted, Duration timeout, Executor executor,
            Clock clock) {
        if (trusted.isEmpty()) {
            throw new IllegalArgumentException("daneTrustedResolvers names no resolver");
        }
        Resolver r = MxResolver.resolver(trusted, timeout);
        r.setEDNS(0, 0, ExtendedFlags.DO, List.of());
        return new DnssecResolver(r, false, timeout, executor, clock);
    }

    /** Which mode, for the start-up log line. */
    public String mode() {
        return validating ? "validating (dnsjava, configured trust anchors)" : "AD bit of trusted resolvers";
    }

    /** Questions sent so far (not answered from the cache). */
    long queriesSent() {
        return sent.get();
    }

    @Override
    public SecureAnswer query(Name name, int type) {
        Key key = new Key(name, type);
        Instant now = clock.instant();
        synchronized (cache) {
            Cached c = cache.get(key);
            if (c != null && now.isBefore(c.until())) {
                return c.answer();
            }
        }
        long[] ttl = { MAX_TTL_SECONDS };
        SecureAnswer answer = resolve(name, type, ttl);
        long seconds = answer.failed() ? FAILURE_SECONDS : Math.max(0, Math.min(ttl[0], MAX_TTL_SECONDS));
        if (seconds > 0) {
            synchronized (cache) {
                cache.put(key, new Cached(answer, now.plusSeconds(seconds)));
            }
        }
        return answer;
    }

    private SecureAnswer resolve(Name name, int type, long[] ttl) {
        Name current = name;
        List<Name> aliases = new ArrayList<>();
        Security security = Security.SECURE;
        for (int asked = 0; asked <= MAX_CNAMES; asked++) {
            Message response;
            try {
                response = send(current, type);
            } catch (TimeoutException e) {
                return failed(Security.INDETERMINATE, current, aliases, "timed out");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return failed(Security.INDETERMINATE, current, aliases, "interrupted");
            } catch (ExecutionException | RuntimeException e) {
                Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
                return failed(Security.INDETERMINATE, current, aliases, String.valueOf(cause));
            }
            int rcode = response.getRcode();
            if (rcode == Rcode.SERVFAIL) {
                String reason = validationReason(response);
                return reason != null ? failed(Security.BOGUS, current, aliases, "DNSSEC validation failed: " + reason)
                        : failed(Security.INDETERMINATE, current, aliases, "SERVFAIL");
            }
            if (rcode != Rcode.NOERROR && rcode != Rcode.NXDOMAIN) {
                return failed(Security.INDETERMINATE, current, aliases, Rcode.string(rcode));
            }
            if (!response.getHeader().getFlag(Flags.AD)) {
                security = Security.INSECURE;
            }
            List<Record> answer = response.getSection(Section.ANSWER);
            Name asked0 = current;
            for (boolean moved = true; moved && type != Type.CNAME;) {
                moved = false;
                for (Record r : answer) {
                    if (r instanceof CNAMERecord c && r.getName().equals(current) && r.getDClass() == DClass.IN) {
                        if (aliases.size() == MAX_CNAMES) {
                            return failed(Security.INDETERMINATE, current, aliases, "more than " + MAX_CNAMES + " CNAMEs");
                        }
                        aliases.add(current);
                        ttl[0] = Math.min(ttl[0], r.getTTL());
                        current = c.getTarget();
                        moved = !aliases.contains(current);
                        if (!moved) {
                            return failed(Security.INDETERMINATE, current, aliases, "CNAME loop");
                        }
                        break;
                    }
                }
            }
            List<Record> found = new ArrayList<>();
            for (Record r : answer) {
                if (r.getType() == type && r.getName().equals(current) && r.getDClass() == DClass.IN) {
                    found.add(r);
                    ttl[0] = Math.min(ttl[0], r.getTTL());
                }
            }
            boolean nxdomain = rcode == Rcode.NXDOMAIN;
            if (!found.isEmpty() || nxdomain || current.equals(asked0)) {
                if (found.isEmpty()) {
                    ttl[0] = Math.min(ttl[0], negativeTtl(response));
                }
                return new SecureAnswer(security, found, current, aliases, nxdomain && found.isEmpty(), null);
            }
            // the chain left this response's data: ask for its end
        }
        return failed(Security.INDETERMINATE, current, aliases, "more than " + MAX_CNAMES + " CNAMEs");
    }

    private Message send(Name name, int type) throws InterruptedException, ExecutionException, TimeoutException {
        Message query = Message.newQuery(Record.newRecord(name, type, DClass.IN));
        query.getHeader().setFlag(Flags.AD); // RFC 6840 §5.7: ask for the AD bit without wanting the signatures
        sent.incrementAndGet();
        // dnsjava's own time-out per try, with room for its retries and, when validating, the key look-ups
        long bound = timeout.multipliedBy(validating ? 6 : 3).plusSeconds(1).toMillis();
        return resolver.sendAsync(query, executor).toCompletableFuture().get(bound, TimeUnit.MILLISECONDS);
    }

    /** dnsjava's validator puts why it refused an answer into a TXT record of a private class; null if none. */
    private String validationReason(Message response) {
        if (!validating) {
            return null;
        }
        for (Record r : response.getSection(Section.ADDITIONAL)) {
            if (r.getDClass() == ValidatingResolver.VALIDATION_REASON_QCLASS && r instanceof TXTRecord t) {
                String text = String.join(" ", t.getStrings());
                return text.length() > 300 ? text.substring(0, 300) + "…" : text;
            }
        }
        return null;
    }

    private static long negativeTtl(Message response) {
        for (Record r : response.getSection(Section.AUTHORITY)) {
            if (r instanceof SOARecord soa) {
                return Math.min(soa.getTTL(), soa.getMinimum());
            }
        }
        return NEGATIVE_DEFAULT_SECONDS;
    }

    private static SecureAnswer failed(Security s, Name at, List<Name> aliases, String why) {
        return new SecureAnswer(s, List.of(), at, aliases, false, why);
    }
}

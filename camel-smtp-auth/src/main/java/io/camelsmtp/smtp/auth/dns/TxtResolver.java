package io.camelsmtp.smtp.auth.dns;

import java.net.IDN;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.camelsmtp.smtp.auth.dkim.KeyRecordSource;
import io.camelsmtp.smtp.common.DnsServers;
import org.xbill.DNS.Cache;
import org.xbill.DNS.DClass;
import org.xbill.DNS.ExtendedResolver;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Resolver;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;
import org.xbill.DNS.lookup.LookupSession;
import org.xbill.DNS.lookup.NoSuchDomainException;
import org.xbill.DNS.lookup.NoSuchRRSetException;

/**
 * TXT look-ups through dnsjava, as the relay's MX look-ups: the resolvers of the {@code dnsServers} option (or the
 * system's), a time-out per query, answers cached for their TTL (dnsjava's {@link Cache}, negative answers
 * included). No record or no name gives an empty list; SERVFAIL, time-outs and other failures a
 * {@link KeyRecordSource.TemporaryFailure}. Bounded: at most {@link #MAX_RECORDS} records and
 * {@link #MAX_RECORD_LENGTH} characters per record are returned (longer records are cut, so a parser sees them too
 * long and fails them).
 */
public final class TxtResolver implements KeyRecordSource {

    public static final int MAX_RECORDS = 10;
    public static final int MAX_RECORD_LENGTH = 16 * 1024;

    private final LookupSession session;
    private final Duration timeout;

    public TxtResolver(List<InetSocketAddress> servers, Duration timeout, Executor executor) {
        Resolver resolver;
        if (servers.isEmpty()) {
            resolver = new ExtendedResolver();
        } else {
            List<Resolver> simple = new ArrayList<>();
            for (InetSocketAddress s : servers) {
                simple.add(new SimpleResolver(s));
            }
            resolver = simple.size() == 1 ? simple.get(0) : new ExtendedResolver(simple);
        }
        resolver.setTimeout(timeout);
        this.session = LookupSession.builder().resolver(resolver).cache(new Cache(DClass.IN)).executor(executor).build();
        this.timeout = timeout;
    }

    @Override
    public List<String> txt(String name) throws TemporaryFailure {
        List<Record> records = lookup(name, Type.TXT);
        List<String> out = new ArrayList<>();
        for (Record r : records) {
            if (r instanceof TXTRecord txt && out.size() < MAX_RECORDS) {
                StringBuilder sb = new StringBuilder();
                for (byte[] s : txt.getStringsAsByteArrays()) {
                    sb.append(new String(s, StandardCharsets.ISO_8859_1));
                    if (sb.length() > MAX_RECORD_LENGTH) {
                        sb.setLength(MAX_RECORD_LENGTH + 1);
                        break;
                    }
                }
                out.add(sb.toString());
            }
        }
        return out;
    }

    /**
     * The records of one type at {@code name}, through the same session (resolvers, time-outs, cache) as {@link #txt}:
     * empty when the name or the records do not exist (or the name cannot be one), SERVFAIL, time-outs and other
     * failures a {@link KeyRecordSource.TemporaryFailure}. Used by SPF for A, AAAA, MX, PTR and TXT.
     */
    public List<Record> lookup(String name, int type) throws TemporaryFailure {
        Name n;
        try {
            String ascii = IDN.toASCII(name, IDN.ALLOW_UNASSIGNED);
            n = Name.fromString(ascii.endsWith(".") ? ascii : ascii + ".");
        } catch (TextParseException | IllegalArgumentException e) {
            return List.of(); // not a name that can exist
        }
        String what = Type.string(type) + " " + name;
        try {
            return session.lookupAsync(n, type).toCompletableFuture()
                    .get(timeout.toMillis() * 3 + 1000, TimeUnit.MILLISECONDS).getRecords();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof NoSuchDomainException || e.getCause() instanceof NoSuchRRSetException) {
                return List.of();
            }
            throw new TemporaryFailure(what + ": " + e.getCause());
        } catch (TimeoutException e) {
            throw new TemporaryFailure(what + " timed out");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TemporaryFailure(what + " interrupted");
        }
    }

    /**
     * An asynchronous look-up of one name and type through the same resolvers, time-out and cache as {@link #txt}
     * (so A queries of a DNS block list are cached for their TTL too): the records of that type (others in the answer
     * are left out), an empty list for no such name or no record of the type, or a future failed with a
     * {@link KeyRecordSource.TemporaryFailure} (SERVFAIL, time-out, a name that cannot be a DNS name). The caller
     * bounds the wait.
     */
    public CompletableFuture<List<Record>> lookupAsync(String name, int type) {
        Name n;
        try {
            n = Name.fromString(name.endsWith(".") ? name : name + ".");
        } catch (TextParseException e) {
            return CompletableFuture.failedFuture(new TemporaryFailure(Type.string(type) + " " + name + ": " + e.getMessage()));
        }
        return session.lookupAsync(n, type).toCompletableFuture().handle((result, e) -> {
            Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
            if (cause instanceof NoSuchDomainException || cause instanceof NoSuchRRSetException) {
                return List.<Record> of();
            }
            if (cause != null) {
                throw new CompletionException(new TemporaryFailure(Type.string(type) + " " + name + ": " + cause));
            }
            return result.getRecords().stream().filter(r -> r.getType() == type).toList();
        });
    }

    /** The {@code dnsServers} option, parsed as the relay parses it ({@link DnsServers}). */
    public static List<InetSocketAddress> servers(String option) {
        return DnsServers.parse(option);
    }
}

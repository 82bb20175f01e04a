package io.camelsmtp.smtp.relay.tlsrpt;

import java.io.IOException;
import java.net.IDN;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.camelsmtp.smtp.relay.dns.MxResolver;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;
import org.xbill.DNS.lookup.LookupSession;
import org.xbill.DNS.lookup.NoSuchDomainException;
import org.xbill.DNS.lookup.NoSuchRRSetException;

/**
 * Looks up a domain's TLS reporting policy: the TXT records at {@code _smtp._tls.<domain>} (RFC 8460 §3), parsed by
 * {@link TlsRptRecord#select}. No record, NXDOMAIN or a record that does not parse mean "no reports"; a failed or
 * timed-out look-up is an {@link IOException}, so the caller can try again later. No cache: one look-up per domain
 * and day.
 */
public final class TlsRptLookup {

    private final LookupSession session;
    private final Duration timeout;

    /** @param servers resolvers ({@code host:port}); empty for the system's */
    public TlsRptLookup(List<InetSocketAddress> servers, Duration timeout, Executor executor) {
        this.session = LookupSession.builder().resolver(MxResolver.resolver(servers, timeout)).executor(executor).build();
        this.timeout = timeout;
    }

    /** The policy of {@code domain}, or null when it takes no reports. */
    public TlsRptRecord lookup(String domain) throws IOException {
        Name name;
        try {
            String ascii = IDN.toASCII(domain, IDN.ALLOW_UNASSIGNED);
            name = Name.fromString("_smtp._tls." + (ascii.endsWith(".") ? ascii : ascii + "."));
        } catch (TextParseException | IllegalArgumentException e) {
            return null;
        }
        List<Record> records;
        try {
            records = session.lookupAsync(name, Type.TXT).toCompletableFuture()
                    .get(timeout.multipliedBy(3).plusSeconds(1).toMillis(), TimeUnit.MILLISECONDS).getRecords();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof NoSuchDomainException || e.getCause() instanceof NoSuchRRSetException) {
                return null;
            }
            throw new IOException("TXT look-up of " + name + " failed: " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new IOException("TXT look-up of " + name + " timed out");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("TXT look-up of " + name + " interrupted");
        }
        List<String> txt = new ArrayList<>();
        for (Record r : records) {
            if (r instanceof TXTRecord t && r.getDClass() == DClass.IN) {
                txt.add(joined(t));
            }
        }
        return TlsRptRecord.select(txt);
    }

    /** A TXT record's character strings joined without separator (RFC 7208 §3.3 style, as RFC 8460 §3 wants). */
    static String joined(TXTRecord record) {
        StringBuilder b = new StringBuilder();
        for (byte[] s : record.getStringsAsByteArrays()) {
            b.append(new String(s, StandardCharsets.ISO_8859_1));
            if (b.length() > TlsRptRecord.MAX_RECORD_LENGTH) {
                // still counts as a TLSRPT record when select looks for a second one; parse rejects it for its length
                return b.substring(0, TlsRptRecord.MAX_RECORD_LENGTH + 1);
            }
        }
        return b.toString();
    }
}

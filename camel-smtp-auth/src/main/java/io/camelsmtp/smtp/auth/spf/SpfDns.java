package io.camelsmtp.smtp.auth.spf;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import io.camelsmtp.smtp.auth.dkim.KeyRecordSource;
import io.camelsmtp.smtp.auth.dns.TxtResolver;
import org.apache.james.jspf.core.DNSRequest;
import org.apache.james.jspf.core.DNSService;
import org.apache.james.jspf.core.IPAddr;
import org.apache.james.jspf.core.exceptions.TimeoutException;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.PTRRecord;
import org.xbill.DNS.Record;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.Type;

/**
 * jSPF's DNS on our {@link TxtResolver} (the {@code dnsServers} option, time-outs, the TTL cache): null for "no such
 * name or record" (jSPF's convention), {@link TimeoutException} for SERVFAIL, time-outs and other temporary failures.
 * Queries of RR type SPF (99) are answered as empty without asking: RFC 7208 §3.1 retired the type and jSPF 1.0.5
 * still asks for it first. Bounded: at most {@link #MAX_TXT_RECORDS} TXT records per name, and a record longer than
 * {@link #MAX_TXT_LENGTH} characters is cut one character beyond it, so that the executor sees it is too long (a cut
 * record could parse as another, valid one).
 */
final class SpfDns implements DNSService {

    static final int MAX_TXT_RECORDS = 50;
    static final int MAX_TXT_LENGTH = 4096;

    private final TxtResolver resolver;

    SpfDns(TxtResolver resolver) {
        this.resolver = resolver;
    }

    @Override
    public List<String> getRecords(DNSRequest request) throws TimeoutException {
        int type = switch (request.getRecordType()) {
            case DNSRequest.A -> Type.A;
            case DNSRequest.AAAA -> Type.AAAA;
            case DNSRequest.MX -> Type.MX;
            case DNSRequest.PTR -> Type.PTR;
            case DNSRequest.TXT -> Type.TXT;
            default -> -1; // SPF (99): not asked, see above
        };
        if (type < 0) {
            return null;
        }
        List<Record> records;
        try {
            records = resolver.lookup(request.getHostname(), type);
        } catch (KeyRecordSource.TemporaryFailure e) {
            throw new TimeoutException(e.getMessage());
        }
        List<String> out = new ArrayList<>();
        for (Record r : records) {
            if (r.getType() != type) {
                continue; // the CNAMEs of a chain
            }
            if (r instanceof ARecord a) {
                out.add(a.getAddress().getHostAddress());
            } else if (r instanceof AAAARecord a) {
                out.add(a.getAddress().getHostAddress());
            } else if (r instanceof MXRecord mx) {
                out.add(mx.getTarget().toString());
            } else if (r instanceof PTRRecord ptr) {
                out.add(IPAddr.stripDot(ptr.getTarget().toString()));
            } else if (r instanceof TXTRecord txt && out.size() < MAX_TXT_RECORDS) {
                out.add(joined(txt));
            }
        }
        return out.isEmpty() ? null : out;
    }

    private static String joined(TXTRecord txt) {
        StringBuilder sb = new StringBuilder();
        for (byte[] s : txt.getStringsAsByteArrays()) {
            sb.append(new String(s, StandardCharsets.ISO_8859_1));
            if (sb.length() > MAX_TXT_LENGTH) {
                sb.setLength(MAX_TXT_LENGTH + 1);
                break;
            }
        }
        return sb.toString();
    }

    @Override
    public CompletionStage<List<String>> getRecordsAsync(DNSRequest request) {
        try {
            return CompletableFuture.completedFuture(getRecords(request));
        } catch (TimeoutException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    @Override
    public List<String> getLocalDomainNames() {
        return List.of(); // only for jSPF's own "local" policies, which are not used
    }

    @Override
    public void setTimeOut(int timeOut) {
        // the resolver's time-out is the dnsTimeout option
    }

    @Override
    public int getRecordLimit() {
        return 0;
    }

    @Override
    public void setRecordLimit(int recordLimit) {
        // limits are applied by the executor (RFC 7208 §4.6.4)
    }
}

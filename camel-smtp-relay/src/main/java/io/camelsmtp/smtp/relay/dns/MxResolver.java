package io.camelsmtp.smtp.relay.dns;

import java.net.IDN;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.camelsmtp.smtp.common.SmtpReply;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.Cache;
import org.xbill.DNS.DClass;
import org.xbill.DNS.ExtendedResolver;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Resolver;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;
import org.xbill.DNS.lookup.LookupFailedException;
import org.xbill.DNS.lookup.LookupResult;
import org.xbill.DNS.lookup.LookupSession;
import org.xbill.DNS.lookup.NoSuchDomainException;
import org.xbill.DNS.lookup.NoSuchRRSetException;
import org.xbill.DNS.lookup.ServerFailedException;

/**
 * Finds where mail for a domain goes (RFC 5321 §5.1), with dnsjava: MX records sorted by preference and shuffled
 * among equal preferences; no MX means the domain's own A/AAAA (implicit MX); a null MX ({@code MX 0 .}, RFC 7505)
 * or NXDOMAIN fails for good; SERVFAIL and time-outs fail for now. CNAMEs are followed and answers cached for their
 * TTL. Addresses that are not public unicast ({@link NonPublicAddresses}) are dropped unless allowed, so a hostile
 * DNS answer cannot steer delivery into the internal network. A host's addresses are looked up only when delivery gets
 * to that host, A and AAAA at once; one family failing while the other resolves is logged, not a failure.
 */
public final class MxResolver {

    private static final Logger LOG = LoggerFactory.getLogger(MxResolver.class);
    private static final String UNKNOWN_RCODE = "Unknown non-success error code";

    private final LookupSession session;
    private final Duration timeout;
    private final boolean allowPrivateAddresses;

    /**
     * @param servers  resolvers to ask ({@code host:port}); empty for the system's resolvers
     * @param executor runs dnsjava's look-up stages. Without one dnsjava uses the JVM's common fork-join pool, whose
     *                 parallelism on a 2-core machine is 1, so concurrent deliveries would wait for each other's DNS
     */
    public MxResolver(List<InetSocketAddress> servers, Duration timeout, boolean allowPrivateAddresses,
            java.util.concurrent.Executor executor) {
        this.session = LookupSession.builder().resolver(resolver(servers, timeout)).cache(new Cache(DClass.IN))
                .executor(executor).build();
        this.timeout = timeout;
        this.allowPrivateAddresses = allowPrivateAddresses;
    }

    /**
     * The mail exchangers of {@code domain}, best first. Only the MX records are looked up here; each host's
     * addresses are looked up when delivery gets to it ({@link MxHost#addresses()}), where a host without a usable
     * address fails with a {@link ResolutionException}: for now when neither A nor AAAA resolved and one of them got
     * SERVFAIL, another error RCODE or no answer, for good when it has no address or only non-public ones (unless
     * allowed).
     */
    public List<MxHost> resolve(String domain) throws ResolutionException {
        if (domain.startsWith("[") && domain.endsWith("]")) {
            return List.of(literal(domain));
        }
        Name name = name(domain);
        List<MXRecord> mx = new ArrayList<>();
        try {
            for (Record r : lookup(name, Type.MX)) {
                if (r instanceof MXRecord m) {
                    mx.add(m);
                }
            }
        } catch (NoSuchDomainException e) {
            throw permanent(550, "5.1.2", "Domain " + domain + " does not exist (NXDOMAIN)");
        }
        if (!mx.isEmpty() && mx.stream().allMatch(m -> m.getTarget().equals(Name.root))) {
            throw permanent(556, "5.1.10", "Domain " + domain + " does not accept mail (null MX, RFC 7505)");
        }
        mx.removeIf(m -> m.getTarget().equals(Name.root));
        if (mx.isEmpty()) {
            mx.add(new MXRecord(name, DClass.IN, 0, 0, name));
        }
        Collections.shuffle(mx, ThreadLocalRandom.current());
        mx.sort(Comparator.comparingInt(MXRecord::getPriority));
        List<MxHost> hosts = new ArrayList<>(mx.size());
        for (MXRecord m : mx) {
            Name target = m.getTarget();
            hosts.add(new MxHost(strip(target), m.getPriority(), () -> usableAddresses(domain, target)));
        }
        return hosts;
    }

    /**
     * The resolver the relay's look-ups go through: the {@code dnsServers} given (one, or several tried in turn), or
     * the system's when none are, with {@code timeout} per query.
     */
    public static Resolver resolver(List<InetSocketAddress> servers, Duration timeout) {
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
        return resolver;
    }

    /**
     * The TXT records of {@code name} (e.g. {@code _mta-sts.example.com}), each record's strings joined, through the
     * same resolvers and cache as the MX look-ups. Completes with an empty list when the name or its TXT records do
     * not exist, exceptionally when the look-up fails (SERVFAIL, time-out: within three {@code dnsTimeout}s).
     */
    public CompletableFuture<List<String>> txt(String name) {
        Name n;
        try {
            n = name(name);
        } catch (ResolutionException e) {
            return CompletableFuture.completedFuture(List.of());
        }
        return session.lookupAsync(n, Type.TXT).toCompletableFuture()
                .orTimeout(bound().toMillis(), TimeUnit.MILLISECONDS)
                .handle((result, failure) -> {
                    Throwable cause = failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null
                            ? failure.getCause() : failure;
                    if (cause instanceof NoSuchDomainException || cause instanceof NoSuchRRSetException) {
                        return List.<String>of();
                    }
                    if (cause != null) {
                        throw new java.util.concurrent.CompletionException(new ResolutionException(SmtpReply.of(451,
                                "4.4.3", "DNS lookup of " + strip(n) + " TXT failed: " + reason(cause))));
                    }
                    List<String> out = new ArrayList<>();
                    for (Record r : result.getRecords()) {
                        if (r instanceof TXTRecord t) {
                            out.add(String.join("", t.getStrings()));
                        }
                    }
                    return out;
                });
    }

    /**
     * The addresses of a host the relay connects to on a destination's behalf (the MTA-STS policy host
     * {@code mta-sts.<domain>}), filtered like a mail exchanger's: non-public ones only when allowed.
     */
    public List<InetAddress> serviceAddresses(String host) throws ResolutionException {
        return usableAddresses(host, name(host));
    }

    /** The addresses of one mail exchanger, without the non-public ones unless they are allowed. */
    private List<InetAddress> usableAddresses(String domain, Name host) throws ResolutionException {
        List<InetAddress> addresses = addresses(host);
        String which = "Mail exchanger " + strip(host) + " of " + domain;
        if (addresses.isEmpty()) {
            throw permanent(550, "5.4.4", which + " has no address");
        }
        if (allowPrivateAddresses) {
            return addresses;
        }
        List<InetAddress> usable = new ArrayList<>(addresses.size());
        String refused = null;
        for (InetAddress a : addresses) {
            String why = NonPublicAddresses.why(a);
            if (why == null) {
                usable.add(a);
            } else if (refused == null) {
                refused = a.getHostAddress() + " is in " + why;
            }
        }
        if (usable.isEmpty()) {
            throw permanent(550, "5.4.4", which + " resolves only to non-public addresses (" + refused
                    + "); refused (allowPrivateAddresses=false)");
        }
        return usable;
    }

    /**
     * The addresses of a configured host (a smart host), IPv4 first, without the private-address filter: the operator
     * chose it. A name that does not resolve is a configuration problem, so it fails for now, not for good.
     */
    public List<InetAddress> hostAddresses(String host) throws ResolutionException {
        List<InetAddress> addresses;
        try {
            addresses = addresses(name(host));
        } catch (ResolutionException e) {
            throw new ResolutionException(SmtpReply.of(451, "4.4.3", e.reply().text()));
        }
        if (addresses.isEmpty()) {
            throw new ResolutionException(SmtpReply.of(451, "4.4.3", "Host " + host + " has no address in DNS"));
        }
        return addresses;
    }

    /**
     * A and AAAA of {@code host}, asked at the same time, IPv4 first; empty when the name or its addresses do not
     * exist (NXDOMAIN for either family, NODATA for both). One family failing (an error RCODE such as SERVFAIL or
     * REFUSED, or no answer) does not keep the host from the other's addresses: the failure is logged (one WARN line)
     * and those addresses are used. Once one family has an answer the other is waited for only until
     * {@code dnsTimeout} after the questions went out, so a resolver that drops AAAA questions delays a delivery by at
     * most that. Only when no address resolved and a family failed does the host fail for now, naming both outcomes.
     */
    private List<InetAddress> addresses(Name host) throws ResolutionException {
        long start = System.nanoTime();
        CompletableFuture<LookupResult> v4 = session.lookupAsync(host, Type.A).toCompletableFuture();
        CompletableFuture<LookupResult> v6 = session.lookupAsync(host, Type.AAAA).toCompletableFuture();
        Family a = null;
        Family aaaa = null;
        try {
            while (a == null || aaaa == null) {
                boolean answered = a != null && a.conclusive() || aaaa != null && aaaa.conclusive();
                long until = start + (answered ? timeout.toNanos() : bound().toNanos());
                CompletableFuture<?> next = a != null ? v6 : aaaa != null ? v4 : CompletableFuture.anyOf(v4, v6);
                try {
                    next.get(Math.max(0, until - System.nanoTime()), TimeUnit.NANOSECONDS);
                } catch (ExecutionException failed) {
                    // read per family below
                } catch (TimeoutException e) {
                    break;
                }
                a = a == null && v4.isDone() ? family(Type.A, v4) : a;
                aaaa = aaaa == null && v6.isDone() ? family(Type.AAAA, v6) : aaaa;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ResolutionException(SmtpReply.of(451, "4.4.3", "DNS lookup interrupted"));
        } finally {
            v4.cancel(false); // a no-op once done; otherwise its late answer is not waited for
            v6.cancel(false);
        }
        String late = "timed out";
        a = a != null ? a : new Family("A", List.of(), false, late);
        aaaa = aaaa != null ? aaaa : new Family("AAAA", List.of(), false, late);
        List<InetAddress> out = new ArrayList<>(a.addresses());
        out.addAll(aaaa.addresses());
        if (!out.isEmpty()) {
            for (Family f : List.of(a, aaaa)) {
                if (f.failure() != null) {
                    LOG.warn("DNS lookup of {} {} failed: {}; using its {} addresses {}", strip(host), f.type(),
                            f.failure(), f == a ? "AAAA" : "A",
                            (f == a ? aaaa : a).addresses().stream().map(InetAddress::getHostAddress).toList());
                }
            }
            return out;
        }
        if (a.nxdomain() || aaaa.nxdomain() || a.failure() == null && aaaa.failure() == null) {
            return out;
        }
        throw new ResolutionException(SmtpReply.of(451, "4.4.3",
                "DNS lookup of " + strip(host) + " failed: A " + a.outcome() + ", AAAA " + aaaa.outcome()));
    }

    /** One address family's answer: its addresses, or that the name does not exist, or why the look-up failed. */
    private record Family(String type, List<InetAddress> addresses, boolean nxdomain, String failure) {
        /** An answer that settles the host whatever the other family says: addresses, or no such name. */
        boolean conclusive() {
            return !addresses.isEmpty() || nxdomain;
        }

        /** For the reply when nothing resolved: why it failed, or "none" (NODATA). */
        String outcome() {
            return failure != null ? failure : "none";
        }
    }

    /** The answer of a look-up that is done. */
    private static Family family(int type, CompletableFuture<LookupResult> done) throws InterruptedException {
        String name = Type.string(type);
        try {
            List<InetAddress> out = new ArrayList<>();
            for (Record r : done.get().getRecords()) {
                if (r instanceof ARecord a) {
                    out.add(a.getAddress());
                } else if (r instanceof AAAARecord a) {
                    out.add(a.getAddress());
                }
            }
            return new Family(name, out, false, null);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof NoSuchDomainException) {
                return new Family(name, List.of(), true, null);
            }
            if (cause instanceof NoSuchRRSetException) {
                return new Family(name, List.of(), false, null);
            }
            return new Family(name, List.of(), false, reason(cause));
        } catch (CancellationException e) {
            return new Family(name, List.of(), false, "cancelled");
        }
    }

    private List<Record> lookup(Name name, int type) throws ResolutionException, NoSuchDomainException {
        try {
            LookupResult result = session.lookupAsync(name, type).toCompletableFuture()
                    .get(bound().toMillis(), TimeUnit.MILLISECONDS);
            return result.getRecords();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof NoSuchDomainException nx) {
                throw nx;
            }
            if (cause instanceof NoSuchRRSetException) {
                return List.of();
            }
            throw new ResolutionException(SmtpReply.of(451, "4.4.3",
                    "DNS lookup of " + strip(name) + " " + Type.string(type) + " failed: " + reason(cause)));
        } catch (TimeoutException e) {
            throw new ResolutionException(SmtpReply.of(451, "4.4.3",
                    "DNS lookup of " + strip(name) + " " + Type.string(type) + " timed out"));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ResolutionException(SmtpReply.of(451, "4.4.3", "DNS lookup interrupted"));
        }
    }

    /** The longest one look-up may take: dnsjava's own time-out, with room for its retries. */
    private Duration bound() {
        return timeout.multipliedBy(3).plusSeconds(1);
    }

    /** Why a look-up failed, short: the RCODE ({@code SERVFAIL}, {@code REFUSED}), "timed out", or the exception. */
    private static String reason(Throwable t) {
        String m = t.getMessage();
        if (t instanceof ServerFailedException) {
            return "SERVFAIL";
        }
        if (t instanceof LookupFailedException && m != null && m.startsWith(UNKNOWN_RCODE)) {
            return m.substring(UNKNOWN_RCODE.length()).strip(); // dnsjava's wording for any other error RCODE
        }
        if (t instanceof TimeoutException || t instanceof java.net.SocketTimeoutException) {
            return "timed out";
        }
        return describe(t);
    }

    private static String describe(Throwable t) {
        String m = t.getMessage();
        return t.getClass().getSimpleName() + (m == null ? "" : ": " + m);
    }

    private MxHost literal(String domain) throws ResolutionException {
        String text = domain.substring(1, domain.length() - 1);
        if (text.regionMatches(true, 0, "IPv6:", 0, 5)) {
            text = text.substring(5);
        }
        InetAddress address;
        try {
            if (!text.matches("[0-9]{1,3}(\\.[0-9]{1,3}){3}|[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*")) {
                throw new UnknownHostException(text);
            }
            address = InetAddress.getByName(text); // a literal: no lookup is made
        } catch (UnknownHostException e) {
            throw permanent(553, "5.1.3", "Bad address literal " + domain);
        }
        String why = allowPrivateAddresses ? null : NonPublicAddresses.why(address);
        if (why != null) {
            throw permanent(550, "5.4.4", "Address literal " + domain + " is in " + why
                    + "; refused (allowPrivateAddresses=false)");
        }
        return MxHost.of(domain, 0, List.of(address));
    }

    private static Name name(String domain) throws ResolutionException {
        try {
            String ascii = IDN.toASCII(domain, IDN.ALLOW_UNASSIGNED);
            return Name.fromString(ascii.endsWith(".") ? ascii : ascii + ".");
        } catch (TextParseException | IllegalArgumentException e) {
            throw permanent(553, "5.1.2", "Bad destination domain " + domain);
        }
    }

    private static String strip(Name n) {
        String s = n.toString();
        return s.endsWith(".") && s.length() > 1 ? s.substring(0, s.length() - 1) : s;
    }

    private static ResolutionException permanent(int code, String status, String text) {
        return new ResolutionException(SmtpReply.of(code, status, text));
    }
}

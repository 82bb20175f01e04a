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
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.camelsmtp.smtp.common.SmtpReply;
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
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;
import org.xbill.DNS.lookup.LookupResult;
import org.xbill.DNS.lookup.LookupSession;
import org.xbill.DNS.lookup.NoSuchDomainException;
import org.xbill.DNS.lookup.NoSuchRRSetException;

/**
 * Finds where mail for a domain goes (RFC 5321 §5.1), with dnsjava: MX records sorted by preference and shuffled
 * among equal preferences; no MX means the domain's own A/AAAA (implicit MX); a null MX ({@code MX 0 .}, RFC 7505)
 * or NXDOMAIN fails for good; SERVFAIL and time-outs fail for now. CNAMEs are followed and answers cached for their
 * TTL. Addresses that are not public unicast ({@link NonPublicAddresses}) are dropped unless allowed, so a hostile
 * DNS answer cannot steer delivery into the internal network. A host's addresses are looked up only when delivery gets
 * to that host.
 */
public final class MxResolver {

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
        this.allowPrivateAddresses = allowPrivateAddresses;
    }

    /**
     * The mail exchangers of {@code domain}, best first. Only the MX records are looked up here; each host's
     * addresses are looked up when delivery gets to it ({@link MxHost#addresses()}), where a host without a usable
     * address fails with a {@link ResolutionException}: for now on SERVFAIL or a time-out, for good when it has no
     * address or only non-public ones (unless allowed).
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

    /** A and AAAA of {@code host}, IPv4 first; empty when the name or its addresses do not exist. */
    private List<InetAddress> addresses(Name host) throws ResolutionException {
        List<InetAddress> out = new ArrayList<>();
        for (int type : new int[] { Type.A, Type.AAAA }) {
            try {
                for (Record r : lookup(host, type)) {
                    if (r instanceof ARecord a) {
                        out.add(a.getAddress());
                    } else if (r instanceof AAAARecord a) {
                        out.add(a.getAddress());
                    }
                }
            } catch (NoSuchDomainException e) {
                return out;
            }
        }
        return out;
    }

    private List<Record> lookup(Name name, int type) throws ResolutionException, NoSuchDomainException {
        try {
            LookupResult result = session.lookupAsync(name, type).toCompletableFuture()
                    .get(timeout.toMillis() * 3 + 1000, TimeUnit.MILLISECONDS);
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
                    "DNS lookup of " + strip(name) + " " + Type.string(type) + " failed: " + describe(cause)));
        } catch (TimeoutException e) {
            throw new ResolutionException(SmtpReply.of(451, "4.4.3",
                    "DNS lookup of " + strip(name) + " " + Type.string(type) + " timed out"));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ResolutionException(SmtpReply.of(451, "4.4.3", "DNS lookup interrupted"));
        }
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

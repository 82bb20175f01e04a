package io.camelsmtp.smtp.relay.dns;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;

import io.camelsmtp.smtp.common.DnsServers;
import io.camelsmtp.smtp.common.shaping.SiteResolver;
import org.apache.camel.CamelContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The relay's {@link SiteResolver}: a domain's MX host names through the relay's own {@link MxResolver} (its
 * {@code dnsServers} and {@code dnsTimeout}), so that the queue groups domains into sites by the same DNS answers the
 * relay delivers by. Only MX records are asked (no A/AAAA): a domain without MX is its own host, a null MX (RFC 7505)
 * gives no host, and any other failure (NXDOMAIN, SERVFAIL, a time-out) throws.
 * <p>
 * The first {@code smtp-relay:mx} endpoint to start binds one under {@link #BEAN_NAME} when the registry has no
 * SiteResolver yet ({@link #bindIfAbsent}); a user-bound one wins. Its look-ups run on a thread pool of the Camel
 * context, which ends with the context.
 */
public final class MxSites implements SiteResolver {

    /** The name it is bound under. */
    public static final String BEAN_NAME = "smtpRelaySiteResolver";

    private static final Logger LOG = LoggerFactory.getLogger(MxSites.class);

    private final MxResolver resolver;

    public MxSites(MxResolver resolver) {
        this.resolver = resolver;
    }

    @Override
    public List<String> mxHosts(String domain) throws ResolutionException {
        String d = domain.strip().toLowerCase(Locale.ROOT);
        d = d.endsWith(".") ? d.substring(0, d.length() - 1) : d;
        List<MxHost> hosts;
        try {
            hosts = new ArrayList<>(resolver.resolve(d));
        } catch (ResolutionException e) {
            if ("5.1.10".equals(e.reply().enhancedStatus())) {
                return List.of(); // null MX: the domain takes no mail, and belongs to no site's hosts
            }
            throw e;
        }
        // the resolver shuffles equal preferences; a site's key must not change from one look-up to the next
        hosts.sort(Comparator.comparingInt(MxHost::preference).thenComparing(h -> h.name().toLowerCase(Locale.ROOT)));
        List<String> names = new ArrayList<>(hosts.size());
        for (MxHost h : hosts) {
            String n = h.name().toLowerCase(Locale.ROOT);
            if (!names.contains(n)) {
                names.add(n);
            }
        }
        return names;
    }

    /**
     * Binds an MxSites asking {@code dnsServers} (null: the system's) under {@link #BEAN_NAME}, unless the registry
     * already has a {@link SiteResolver}. Returns whether it did.
     */
    public static boolean bindIfAbsent(CamelContext context, String dnsServers, Duration timeout) {
        synchronized (context) { // two endpoints starting at once bind one
            if (!context.getRegistry().findByType(SiteResolver.class).isEmpty()) {
                return false;
            }
            ExecutorService executor = context.getExecutorServiceManager().newCachedThreadPool(MxSites.class,
                    "SmtpRelaySites");
            // allowPrivateAddresses does not matter: no addresses are looked up
            MxSites sites = new MxSites(new MxResolver(DnsServers.parse(dnsServers), timeout, true, executor));
            context.getRegistry().bind(BEAN_NAME, SiteResolver.class, sites);
            LOG.info("Bound the relay's SiteResolver as '{}' (MX look-ups through {}) for smtp-queue's traffic shaping",
                    BEAN_NAME, dnsServers == null || dnsServers.isBlank() ? "the system's resolvers" : dnsServers);
            return true;
        }
    }
}

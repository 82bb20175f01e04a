package io.camelsmtp.smtp.queue;

import java.nio.file.Path;
import java.util.function.Supplier;

import io.camelsmtp.smtp.common.shaping.SiteResolver;
import io.camelsmtp.smtp.queue.shaping.ShapingRulesFile;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;

import org.apache.camel.Processor;
import org.apache.camel.api.management.ManagedAttribute;
import org.apache.camel.api.management.ManagedOperation;
import org.apache.camel.api.management.ManagedResource;
import org.apache.camel.support.DefaultConsumer;

/**
 * Delivers the queue's messages through the route. Also the queue's management face over JMX (Camel registers it
 * with the route's consumer): mailq-like listing, flush, delete, hold and release, and the queue's metrics.
 */
@ManagedResource(description = "SMTP mail queue")
public class SmtpQueueConsumer extends DefaultConsumer {

    private static final Logger LOG = LoggerFactory.getLogger(SmtpQueueConsumer.class);

    private MailQueue queue;
    private DeliveryScheduler scheduler;
    private volatile SiteResolver resolver;
    private volatile long resolverMissedAt = System.nanoTime() - 20_000_000_000L;

    public SmtpQueueConsumer(SmtpQueueEndpoint endpoint, Processor processor) {
        super(endpoint, processor);
    }


    @Override
    public SmtpQueueEndpoint getEndpoint() {
        return (SmtpQueueEndpoint) super.getEndpoint();
    }

    @Override
    protected void doStart() throws Exception {
        super.doStart();
        DeliverySettings settings = getEndpoint().getConfiguration().deliverySettings();
        queue = getEndpoint().getComponent().acquire(getEndpoint());
        ShapingRulesFile rules = null;
        String path = getEndpoint().getConfiguration().getShapingRules();
        if (path != null && !path.isBlank()) {
            rules = ShapingRulesFile.open(Path.of(path.startsWith("file:") ? path.substring(5) : path));
            LOG.info("smtp-queue:{} shapes its deliveries by {}: {} site rule(s), {} reaction(s)", queue.name(), rules.path(),
                    rules.current().sites().size(), rules.current().reactions().size());
        }
        scheduler = new DeliveryScheduler(queue, this, settings, rules, getEndpoint().getConfiguration().getShapingReload());
        queue.startDelivery(scheduler);
    }

    @Override
    protected void doStop() throws Exception {
        if (queue != null) {
            queue.stopDelivery();
            scheduler = null;
            getEndpoint().getComponent().release(getEndpoint());
            queue = null;
        }
        super.doStop();
    }

    /**
     * The MX look-up for sites: the siteResolver option, else the one SiteResolver in the registry (looked up until
     * found: smtp-relay binds one when its endpoint starts, which may be after this consumer).
     */
    Supplier<SiteResolver> siteResolver() {
        return () -> {
            SiteResolver r = resolver;
            long now = System.nanoTime();
            if (r == null && now - resolverMissedAt > 10_000_000_000L) { // a miss is asked again after 10 s, not per domain
                r = getEndpoint().getConfiguration().getSiteResolver();
                if (r == null) {
                    r = getEndpoint().getCamelContext().getRegistry().findSingleByType(SiteResolver.class);
                }
                resolver = r;
                resolverMissedAt = r == null ? now : resolverMissedAt;
            }
            return r;
        };
    }

    /** The scheduler while delivering, else null. */
    DeliveryScheduler scheduler() {
        return scheduler;
    }

    /** The queue this consumer delivers, or null when stopped. */
    public MailQueue getQueue() {
        return queue;
    }

    @ManagedAttribute(description = "Messages in the queue, held ones included")
    public int getQueueSize() {
        return queue == null ? 0 : queue.size();
    }

    @ManagedAttribute(description = "True while the messages waiting in the spool at start are still being read")
    public boolean isRecovering() {
        return queue != null && queue.recovering();
    }

    @ManagedAttribute(description = "Messages on hold")
    public int getHeldCount() {
        return queue == null ? 0 : queue.heldCount();
    }

    @ManagedAttribute(description = "Age of the oldest queued message in seconds")
    public long getOldestAgeSeconds() {
        return queue == null ? 0 : queue.oldestAgeSeconds();
    }

    @ManagedAttribute(description = "Messages made durable per fdatasync since start (group commit)")
    public double getMessagesPerSync() {
        return queue == null ? 0 : queue.messagesPerSync();
    }

    @ManagedAttribute(description = "Messages queued since start")
    public long getQueuedTotal() {
        return queue == null ? 0 : queue.queuedTotal();
    }

    @ManagedAttribute(description = "Recipients delivered since start")
    public long getDeliveredTotal() {
        return queue == null ? 0 : queue.deliveredTotal();
    }

    @ManagedAttribute(description = "Recipient deferrals since start")
    public long getDeferredTotal() {
        return queue == null ? 0 : queue.deferredTotal();
    }

    @ManagedAttribute(description = "Recipients bounced (failed for good) since start")
    public long getBouncedTotal() {
        return queue == null ? 0 : queue.bouncedTotal();
    }

    @ManagedAttribute(description = "Recipients expired since start")
    public long getExpiredTotal() {
        return queue == null ? 0 : queue.expiredTotal();
    }

    @ManagedOperation(description = "The queue like mailq: one line per message")
    public String mailq() {
        return queue == null ? "" : QueueListing.format(queue);
    }

    @ManagedOperation(description = "The queue as a list of maps (id, sender, recipients, size, arrival, attempts, nextAttempt, lastError, status)")
    public List<java.util.Map<String, Object>> list() {
        return queue == null ? List.of() : queue.list().stream().map(QueueListing::toMap).toList();
    }

    @ManagedOperation(description = "Retry every waiting message now; returns how many")
    public int flush() {
        return queue == null ? 0 : queue.flush();
    }

    @ManagedOperation(description = "The destination sites with deliveries, waiting mail or a reaction in force (suspended, rate lowered, rerouted)")
    public List<java.util.Map<String, Object>> sites() {
        return queue == null ? List.of() : queue.sites().list();
    }

    @ManagedOperation(description = "Lift a site's suspension (or lowered rate, or smart host) now; its waiting mail is retried")
    public boolean resumeSite(String site) {
        return queue != null && queue.sites().resume(site);
    }

    @ManagedOperation(description = "Delete a message without notification (like postsuper -d)")
    public boolean delete(String id) throws Exception {
        return queue != null && queue.delete(id);
    }

    @ManagedOperation(description = "Put a message on hold (like postsuper -h)")
    public boolean hold(String id) throws Exception {
        return queue != null && queue.hold(id);
    }

    @ManagedOperation(description = "Release a held message for delivery now (like postsuper -H)")
    public boolean release(String id) throws Exception {
        return queue != null && queue.release(id);
    }
}

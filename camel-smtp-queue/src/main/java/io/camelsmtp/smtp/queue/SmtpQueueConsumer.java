package io.camelsmtp.smtp.queue;

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

    private MailQueue queue;

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
        queue.startDelivery(new DeliveryScheduler(queue, this, settings));
    }

    @Override
    protected void doStop() throws Exception {
        if (queue != null) {
            queue.stopDelivery();
            getEndpoint().getComponent().release(getEndpoint());
            queue = null;
        }
        super.doStop();
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

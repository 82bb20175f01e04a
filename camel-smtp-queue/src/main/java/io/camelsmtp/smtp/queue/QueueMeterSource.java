package io.camelsmtp.smtp.queue;

import io.camelsmtp.smtp.queue.metrics.QueueMeters;
import io.camelsmtp.smtp.queue.spool.SpoolEntry;

/** What the meters read from a queue when scraped: the same counters as {@code /stats} and the JMX attributes. */
final class QueueMeterSource implements QueueMeters.Source {

    private final MailQueue queue;

    QueueMeterSource(MailQueue queue) {
        this.queue = queue;
    }

    @Override
    public int size() {
        return queue.size();
    }

    @Override
    public int heldCount() {
        return queue.heldCount();
    }

    @Override
    public long pendingRecipients() {
        long n = 0;
        for (SpoolEntry e : queue.spool().entries()) {
            n += e.pending().size();
        }
        return n;
    }

    @Override
    public long oldestAgeSeconds() {
        return queue.oldestAgeSeconds();
    }

    @Override
    public long queuedTotal() {
        return queue.queuedTotal();
    }

    @Override
    public long deliveredTotal() {
        return queue.deliveredTotal();
    }

    @Override
    public long deferredTotal() {
        return queue.deferredTotal();
    }

    @Override
    public long bouncedTotal() {
        return queue.bouncedTotal();
    }

    @Override
    public long expiredTotal() {
        return queue.expiredTotal();
    }

    @Override
    public long spoolWrites() {
        return queue.spool().commitStatistics()[0];
    }

    @Override
    public long spoolSyncs() {
        return queue.spool().commitStatistics()[1];
    }
}

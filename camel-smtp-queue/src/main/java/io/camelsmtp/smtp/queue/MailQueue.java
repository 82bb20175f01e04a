package io.camelsmtp.smtp.queue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SyncFailedException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicLong;

import io.camelsmtp.smtp.common.Envelope;
import io.camelsmtp.smtp.common.MessageFactory;
import io.camelsmtp.smtp.common.QueueIds;
import io.camelsmtp.smtp.common.SmtpReply;
import io.camelsmtp.smtp.common.SmtpReplyException;
import io.camelsmtp.smtp.common.metrics.SmtpMeters;
import io.camelsmtp.smtp.queue.metrics.QueueMeters;
import io.camelsmtp.smtp.queue.spool.RetryState;
import io.camelsmtp.smtp.queue.spool.Spool;
import io.camelsmtp.smtp.queue.spool.SpoolDamage;
import io.camelsmtp.smtp.queue.spool.SpoolEntry;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.health.HealthCheckRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One named queue: its spool, the index of queued messages, and the operations of {@code mailq}/{@code postsuper}
 * (list, flush, delete, hold, release). Shared by every {@code smtp-queue:<name>} endpoint of a CamelContext; a
 * producer enqueues, a consumer runs the {@link DeliveryScheduler}.
 */
public final class MailQueue {

    private static final Logger LOG = LoggerFactory.getLogger(MailQueue.class);

    private final String name;
    private final Spool spool;
    private final CamelContext context;
    private final EventPublisher events;

    private final AtomicLong queued = new AtomicLong();
    private final AtomicLong delivered = new AtomicLong();
    private final AtomicLong deferred = new AtomicLong();
    private final AtomicLong bounced = new AtomicLong();
    private final AtomicLong expired = new AtomicLong();

    private volatile DeliveryScheduler scheduler;
    private ExecutorService recovery;
    private volatile String storageFailure;
    private List<SpoolDamage> unreported = List.of(); // found at start-up, for the postmaster
    private SmtpQueueHealthCheck healthCheck;
    private final QueueMeterSource meterSource = new QueueMeterSource(this); // held here: function counters keep weak references
    private volatile QueueMeters meters = QueueMeters.NONE;

    MailQueue(String name, Path spoolDirectory, long segmentSize, CamelContext context) {
        this(name, new Spool(spoolDirectory, segmentSize), context);
    }

    MailQueue(String name, Spool spool, CamelContext context) {
        this.name = name;
        this.spool = spool;
        this.context = context;
        this.events = new EventPublisher(context);
    }

    public String name() {
        return name;
    }

    public Path spoolDirectory() {
        return spool.directory();
    }

    Spool spool() {
        return spool;
    }

    EventPublisher events() {
        return events;
    }

    /**
     * Calls {@code listener} with every {@link DeliveryEvent} of this queue, next to {@code eventsUri}, on the thread
     * that settles the attempt: it must return at once (hand the event to a bounded buffer). A listener that throws
     * is logged and delivery goes on.
     */
    public void addEventListener(java.util.function.Consumer<DeliveryEvent> listener) {
        events.addListener(listener);
    }

    public void removeEventListener(java.util.function.Consumer<DeliveryEvent> listener) {
        events.removeListener(listener);
    }

    /**
     * Opens the spool and takes new mail at once; the messages a previous run left are read in the background and
     * join the queue (and its scheduler) as they are read. The line {@code opened spool ... with N message(s) waiting}
     * comes when that reading is done.
     */
    void open() throws IOException {
        var ecm = context.getExecutorServiceManager();
        recovery = ecm.newSingleThreadExecutor(this, "smtp-queue-" + name + "-recovery");
        try {
            spool.openInBackground(recovery, this::recovered);
        } catch (IOException | RuntimeException e) {
            ecm.shutdownNow(recovery);
            throw e;
        }
        LOG.info("smtp-queue:{} takes new mail; reading the messages waiting in spool {} in the background", name,
                spool.directory());
        HealthCheckRegistry health = HealthCheckRegistry.get(context);
        if (health != null) {
            healthCheck = new SmtpQueueHealthCheck(this);
            health.register(healthCheck);
        }
        QueueMeters m = QueueMeters.bind(SmtpMeters.registry(context), name, meterSource);
        spool.onSync(m::synced);
        meters = m;
    }

    /** The background reading of the spool ended: log it, and tell the postmaster of damage. */
    private void recovered() {
        String failure = spool.recoveryFailure();
        if (failure != null) {
            if (!failure.startsWith("java.io.InterruptedIOException")) {
                LOG.error("smtp-queue:{} could not read every message waiting in spool {} ({} read): {}; the queue is "
                          + "not ready until it is restarted", name, spool.directory(), spool.recoveredCount(), failure);
            }
            return;
        }
        List<SpoolDamage> found = spool.damage();
        if (!found.isEmpty()) {
            LOG.error("smtp-queue:{} found {} damaged message(s) in spool {} (see the lines above and corrupt/); the "
                      + "postmaster option, when set on the delivering endpoint, gets a notice listing them",
                    name, found.size(), spool.directory());
        }
        synchronized (this) {
            unreported = found;
        }
        LOG.info("smtp-queue:{} opened spool {} with {} message(s) waiting (read in {} ms)", name, spool.directory(),
                spool.recoveredCount(), spool.recoveryMillis());
        DeliveryScheduler s = scheduler;
        if (s != null) {
            reportDamage(s.settings());
        }
    }

    /** True while the messages a previous run left are still being read: the queue's size grows meanwhile. */
    public boolean recovering() {
        return spool.recovering();
    }

    /** Messages read back from the spool since it was opened. */
    public int recoveredCount() {
        return spool.recoveredCount();
    }

    /** Why reading the spool's waiting messages stopped early, or null. */
    public String recoveryFailure() {
        return spool.recoveryFailure();
    }

    void close() {
        if (healthCheck != null) {
            healthCheck.closed();
            HealthCheckRegistry health = HealthCheckRegistry.get(context);
            if (health != null) {
                health.unregister(healthCheck);
            }
        }
        events.stop();
        spool.onSync(null);
        meters.close();
        meters = QueueMeters.NONE;
        spool.close(); // stops the background reading first
        context.getExecutorServiceManager().shutdownNow(recovery);
    }

    QueueMeters meters() {
        return meters;
    }

    /**
     * Stores the Exchange's message durably and returns its queue id; the message is on disk when this returns. A
     * storage failure (disk full, unwritable spool) is a {@code 452 4.3.1}, a failed fsync a {@code 451 4.3.0}, so
     * {@code smtp-server} asks the client to try again later and nothing is acknowledged.
     */
    public String enqueue(Exchange exchange) throws Exception {
        MessageFactory.Prepared prepared = MessageFactory.create(exchange);
        if (!prepared.invalidRecipients().isEmpty()) {
            throw new SmtpReplyException(SmtpReply.of(553, "5.1.3", "Invalid recipient address <"
                                                               + prepared.invalidRecipients().get(0) + ">"));
        }
        Envelope envelope = prepared.envelope();
        Message in = exchange.getMessage();
        String id = envelope.queueId();
        if (id == null || !id.matches("[0-9A-Za-z]{1,40}") || spool.isTaken(id)) {
            id = QueueIds.next();
        }
        if (envelope.bodyType() == null && prepared.content().eightBit()) {
            envelope = envelope.withBodyType("8BITMIME");
        }
        SpoolEntry entry = SpoolEntry.create(id, Instant.now(), SpoolEntry.Kind.MAIL, envelope, prepared.content().size());
        try (InputStream body = prepared.content().open()) {
            store(entry, body);
        }
        in.setHeader(SmtpQueueConstants.QUEUE_ID, id);
        return id;
    }

    /** Stores a message the queue made itself (a notification). */
    SpoolEntry enqueueNotification(SpoolEntry.Kind kind, String recipient, byte[] content) throws SmtpReplyException {
        boolean eightBit = false;
        for (byte b : content) {
            if (b < 0) {
                eightBit = true;
                break;
            }
        }
        Envelope envelope = new Envelope("", List.of(new Envelope.Recipient(recipient, "NEVER", null)),
                eightBit ? "8BITMIME" : null, false, null, null, null);
        SpoolEntry entry = SpoolEntry.create(QueueIds.next(), Instant.now(), kind, envelope, content.length);
        store(entry, new ByteArrayInputStream(content));
        return entry;
    }

    private void store(SpoolEntry entry, InputStream body) throws SmtpReplyException {
        try {
            spool.enqueue(entry, body);
        } catch (SyncFailedException e) {
            // the disk took the octets but failed to make them durable: not the client's fault, nor a full disk
            storageFailure = e.toString();
            LOG.error("smtp-queue:{} cannot make message {} durable: {}", name, entry.id(), e.toString());
            throw new SmtpReplyException(SmtpReply.of(451, "4.3.0", "Local error in processing, try again later"), e);
        } catch (IOException e) {
            storageFailure = e.toString();
            LOG.error("smtp-queue:{} cannot store message {}: {}", name, entry.id(), e.toString());
            throw new SmtpReplyException(SmtpReply.of(452, "4.3.1", "Insufficient system storage, try again later"), e);
        }
        storageFailure = null;
        queued.incrementAndGet();
        List<SpoolEntry.Recipient> recipients = entry.recipients();
        meters.queued(recipients.size());
        for (SpoolEntry.Recipient r : recipients) {
            events.publish(new DeliveryEvent(DeliveryEvent.QUEUED, entry.id(), entry.sender(), r.address(), 0, 0, null,
                    null, null, null, null, entry.arrival(), entry.arrival(), null, null));
        }
        DeliveryScheduler s = scheduler;
        if (s != null) {
            s.add(entry);
        }
    }

    void startDelivery(DeliveryScheduler s) {
        reportDamage(s.settings());
        scheduler = s;
        s.start(spool.listen(s::add)); // messages still being read reach it through the listener
    }

    /** Tells the postmaster (when one is set) what start-up found damaged; the error log has it either way. */
    private synchronized void reportDamage(DeliverySettings settings) {
        if (unreported.isEmpty() || settings.postmaster() == null) {
            return;
        }
        byte[] notice = DamageNotice.build(name, spool.directory(), settings.reportingMta(), settings.postmaster(), unreported);
        try {
            SpoolEntry n = enqueueNotification(SpoolEntry.Kind.POSTMASTER, settings.postmaster(), notice);
            LOG.info("smtp-queue:{} notice {} about {} damaged message(s) queued for <{}>", name, n.id(), unreported.size(),
                    settings.postmaster());
            unreported = List.of();
        } catch (SmtpReplyException e) {
            LOG.error("smtp-queue:{} could not queue the notice about damaged messages for <{}>: {}", name,
                    settings.postmaster(), e.getReply());
        }
    }

    void stopDelivery() {
        DeliveryScheduler s = scheduler;
        scheduler = null;
        spool.listen(null);
        if (s != null) {
            s.stop();
        }
    }

    void counted(DeliveryEvent event) {
        switch (event.type()) {
            case DeliveryEvent.DELIVERED -> delivered.incrementAndGet();
            case DeliveryEvent.DEFERRED -> deferred.incrementAndGet();
            case DeliveryEvent.BOUNCED -> bounced.incrementAndGet();
            case DeliveryEvent.EXPIRED -> expired.incrementAndGet();
            default -> {
                return; // queued is counted by store(); delayed is a notification, not an outcome
            }
        }
        if (event.arrival() != null && event.time() != null) {
            meters.finalOutcome(event.type(), event.time().toEpochMilli() - event.arrival().toEpochMilli());
        }
    }

    // ---- operations, like mailq / postqueue -f / postsuper -d, -h, -H

    /** Every queued message, oldest first. */
    public List<QueueItem> list() {
        List<QueueItem> items = new ArrayList<>();
        for (SpoolEntry e : spool.entries()) {
            items.add(item(e));
        }
        items.sort(Comparator.comparing(QueueItem::arrival));
        return items;
    }

    /** The message with this id, or null. */
    public QueueItem get(String id) {
        SpoolEntry e = spool.get(id);
        return e == null ? null : item(e);
    }

    static QueueItem item(SpoolEntry e) {
        RetryState.Snapshot s = e.retry().snapshot();
        String status = e.retry().inFlight() ? "active" : s.held() ? "held" : "waiting";
        List<String> pending = e.recipients().stream().filter(r -> s.status(r.index()) == RetryState.Status.PENDING)
                .map(SpoolEntry.Recipient::address).toList();
        return new QueueItem(e.id(), e.sender(), pending, e.size(), e.arrival(), s.attempts(),
                "waiting".equals(status) ? Instant.ofEpochMilli(Math.max(s.nextAttempt(), e.arrival().toEpochMilli())) : null,
                s.lastError(), status);
    }

    /** The destination sites and their shaping state; empty while no consumer delivers. */
    public QueueSites sites() {
        return new QueueSites(scheduler);
    }

    /** Retries every waiting message now (not held ones); returns how many. */
    public int flush() {
        DeliveryScheduler s = scheduler;
        return s == null ? 0 : s.flush();
    }

    /**
     * Retries now the waiting messages with a recipient pending at {@code domain} (or under it, with
     * {@code subdomains}), as ETRN asks; returns how many.
     *
     * @throws IllegalStateException when no consumer delivers this queue
     */
    public int flushDomain(String domain, boolean subdomains) {
        DeliveryScheduler s = scheduler;
        if (s == null) {
            throw new IllegalStateException("smtp-queue:" + name + " is not delivering (no consumer runs it)");
        }
        String d = domain.toLowerCase(Locale.ROOT);
        int n = s.flush(e -> DeliveryScheduler.pendingFor(e, d, subdomains));
        LOG.info("smtp-queue:{} flush for {}{}: {} message(s) due now", name, subdomains ? "@" : "", d, n);
        return n;
    }

    /**
     * The message with this id, null when there is none; while the spool is still being read, an id not read yet
     * is an {@link IllegalStateException} saying so (the message may be among those still to come), never a silent
     * "no such message".
     */
    private SpoolEntry find(String id) {
        SpoolEntry e = spool.get(id);
        if (e == null && spool.recovering()) {
            throw new IllegalStateException("smtp-queue:" + name + " is still reading the messages waiting in its spool ("
                                            + spool.recoveredCount() + " so far) and has not come to " + id
                                            + " yet; try again when it is done");
        }
        return e;
    }

    /** Removes a message without notifying anyone (like {@code postsuper -d}); false when there is no such message. */
    public boolean delete(String id) throws IOException {
        SpoolEntry e = find(id);
        if (e == null) {
            return false;
        }
        DeliveryScheduler s = scheduler;
        boolean now = e.retry().markDeleted();
        if (s != null) {
            s.remove(e);
        }
        if (now) {
            spool.complete(e);
        }
        LOG.info("smtp-queue:{} {}: deleted by the operator", name, id);
        return true;
    }

    /** Keeps a message from being delivered until it is released; false when there is no such message. */
    public boolean hold(String id) throws IOException {
        SpoolEntry e = find(id);
        if (e == null) {
            return false;
        }
        boolean save = e.retry().hold();
        DeliveryScheduler s = scheduler;
        if (s != null) {
            s.remove(e);
        }
        if (save) {
            spool.saveRetryState(e);
        }
        LOG.info("smtp-queue:{} {}: on hold", name, id);
        return true;
    }

    /** Releases a held message for delivery now; false when there is no such message or it is not held. */
    public boolean release(String id) throws IOException {
        SpoolEntry e = find(id);
        if (e == null) {
            return false;
        }
        if (!e.retry().release(System.currentTimeMillis())) {
            return false;
        }
        if (!e.retry().inFlight()) {
            spool.saveRetryState(e);
        }
        DeliveryScheduler s = scheduler;
        if (s != null) {
            s.add(e);
        }
        LOG.info("smtp-queue:{} {}: released", name, id);
        return true;
    }

    // ---- metrics

    /** Messages in the queue, held ones included. */
    public int size() {
        return spool.entries().size();
    }

    public int heldCount() {
        return (int) spool.entries().stream().filter(e -> e.retry().held()).count();
    }

    /** Seconds since the oldest queued message arrived; 0 when the queue is empty. */
    public long oldestAgeSeconds() {
        long now = System.currentTimeMillis();
        return spool.entries().stream().mapToLong(e -> now - e.arrival().toEpochMilli()).max().orElse(0) / 1000;
    }

    /** Why the last attempt to store a message failed, or null when it succeeded. */
    public String storageFailure() {
        return storageFailure;
    }

    /** Messages written to segments per fdatasync since the spool was opened: how much one group commit covered. */
    public double messagesPerSync() {
        long[] stats = spool.commitStatistics();
        return stats[1] == 0 ? 0 : (double) stats[0] / stats[1];
    }

    public long queuedTotal() {
        return queued.get();
    }

    public long deliveredTotal() {
        return delivered.get();
    }

    public long deferredTotal() {
        return deferred.get();
    }

    public long bouncedTotal() {
        return bounced.get();
    }

    public long expiredTotal() {
        return expired.get();
    }

    CamelContext context() {
        return context;
    }
}

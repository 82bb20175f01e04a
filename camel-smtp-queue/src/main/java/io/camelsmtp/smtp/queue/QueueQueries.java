package io.camelsmtp.smtp.queue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.PriorityQueue;

import io.camelsmtp.smtp.queue.spool.RetryState;
import io.camelsmtp.smtp.queue.spool.SpoolEntry;

/**
 * Read-only views of one queue for a console: a page of the listing (searched and paged here, so that a client never
 * gets 100,000 messages), the destinations (recipient domains) with their state, and one message's recipients with
 * their last replies. Each call walks the in-memory index once; only the page's items are built.
 */
public final class QueueQueries {

    /** Largest page {@link #page} returns, whatever is asked. */
    public static final int MAX_LIMIT = 500;

    private static final Comparator<SpoolEntry> OLDEST_FIRST =
            Comparator.comparing(SpoolEntry::arrival).thenComparing(SpoolEntry::id);

    /** Up to this many (offset + limit), a page is picked with a bounded heap instead of sorting every match. */
    static final int TOP_K = 2000;

    private final MailQueue queue;
    private final int topK;

    public QueueQueries(MailQueue queue) {
        this(queue, TOP_K);
    }

    QueueQueries(MailQueue queue, int topK) {
        this.queue = queue;
        this.topK = topK;
    }

    /**
     * One page of the listing, oldest first.
     *
     * @param total how many messages matched the search
     * @param items at most {@code limit} of them, from {@code offset}
     */
    public record Page(int total, int offset, int limit, List<QueueItem> items) {
    }

    /**
     * @param query  empty or null for every message; else a case-insensitive substring of the queue id, the sender
     *               or a recipient
     * @param offset first match to return (0-based)
     * @param limit  how many, 1 to {@link #MAX_LIMIT}
     */
    public Page page(int offset, int limit, String query) {
        int from = Math.max(0, offset);
        int max = Math.max(1, Math.min(MAX_LIMIT, limit));
        String q = query == null ? "" : query.strip().toLowerCase(Locale.ROOT);
        long k = (long) from + max;
        int total = 0;
        List<SpoolEntry> window;
        if (k <= topK) {
            // the k oldest matches in a heap whose head is the newest of them: O(n log k), not a sort of everything
            PriorityQueue<SpoolEntry> oldest = new PriorityQueue<>((int) k + 1, OLDEST_FIRST.reversed());
            for (SpoolEntry e : queue.spool().entries()) {
                if (q.isEmpty() || matches(e, q)) {
                    total++;
                    if (oldest.size() < k) {
                        oldest.add(e);
                    } else if (OLDEST_FIRST.compare(e, oldest.peek()) < 0) {
                        oldest.poll();
                        oldest.add(e);
                    }
                }
            }
            window = new ArrayList<>(oldest);
        } else {
            window = new ArrayList<>();
            for (SpoolEntry e : queue.spool().entries()) {
                if (q.isEmpty() || matches(e, q)) {
                    window.add(e);
                }
            }
            total = window.size();
        }
        window.sort(OLDEST_FIRST);
        List<QueueItem> items = new ArrayList<>();
        for (int i = from; i < window.size() && items.size() < max; i++) {
            items.add(MailQueue.item(window.get(i)));
        }
        return new Page(total, from, max, items);
    }

    private static boolean matches(SpoolEntry e, String q) {
        if (e.id().toLowerCase(Locale.ROOT).contains(q) || e.sender().toLowerCase(Locale.ROOT).contains(q)) {
            return true;
        }
        for (var r : e.envelope().recipients()) {
            if (r.address().toLowerCase(Locale.ROOT).contains(q)) {
                return true;
            }
        }
        return false;
    }

    /**
     * A recipient domain with pending recipients.
     *
     * @param domain     lower case
     * @param recipients pending recipients there
     * @param state      active (an attempt is in progress), suspended (its site is suspended by a shaping reaction),
     *                   deferred (an attempt failed, waiting for the next), queued (not tried yet) or held (every one
     *                   of them on hold)
     * @param lastReply  the newest reply a recipient there got (by the message's next attempt), or null
     * @param site       the destination site it belongs to (the domain itself without shaping rules)
     * @param suspendedUntil when its site's suspension ends, or null
     */
    public record Destination(String domain, int recipients, String state, String lastReply, String site,
                              String suspendedUntil) {
    }

    /** The {@code max} destinations with the most pending recipients, most first. */
    public List<Destination> destinations(int max) {
        Map<String, long[]> counts = new HashMap<>(); // recipients, active, deferred, held, newest reply time
        Map<String, String> replies = new HashMap<>();
        for (SpoolEntry e : queue.spool().entries()) {
            RetryState.Snapshot s = e.retry().snapshot();
            boolean active = e.retry().inFlight();
            for (SpoolEntry.Recipient r : e.recipients()) {
                if (s.status(r.index()) != RetryState.Status.PENDING) {
                    continue;
                }
                String domain = domain(r.address());
                long[] c = counts.computeIfAbsent(domain, d -> new long[] { 0, 0, 0, 0, Long.MIN_VALUE });
                c[0]++;
                if (active) {
                    c[1]++;
                } else if (s.held()) {
                    c[3]++;
                } else if (s.attempts() > 0) {
                    c[2]++;
                }
                String reply = s.lastReply(r.index()) != null ? s.lastReply(r.index()) : s.lastError();
                if (reply != null && s.nextAttempt() > c[4]) {
                    c[4] = s.nextAttempt();
                    replies.put(domain, reply);
                }
            }
        }
        List<Destination> out = new ArrayList<>();
        Map<String, String[]> sites = queue.sites().siteStates(counts.keySet());
        counts.forEach((d, c) -> {
            String[] site = sites.getOrDefault(d, new String[] {d, null});
            out.add(new Destination(d, (int) c[0], c[1] > 0 ? "active" : c[3] == c[0] ? "held"
                    : site[1] != null ? "suspended" : c[2] > 0 ? "deferred" : "queued", replies.get(d), site[0], site[1]));
        });
        out.sort(Comparator.comparingInt(Destination::recipients).reversed().thenComparing(Destination::domain));
        return out.size() > max ? List.copyOf(out.subList(0, max)) : out;
    }

    static String domain(String address) {
        int at = address.lastIndexOf('@');
        return at < 0 ? "" : address.substring(at + 1).toLowerCase(Locale.ROOT);
    }

    /**
     * One recipient of a message as its delivery stands.
     *
     * @param status    pending, delivered or failed
     * @param lastReply the last reply for it, or null when it has none yet
     */
    public record RecipientState(String address, String status, String lastReply) {
    }

    /**
     * A message's delivery history as the queue keeps it: the listing line plus every recipient with its state and
     * last reply.
     */
    public record History(QueueItem item, List<RecipientState> recipients, Instant nextAttempt) {
    }

    /** The history of the message with this id, or null when there is none. */
    public History history(String id) {
        SpoolEntry e = queue.spool().get(id);
        if (e == null) {
            return null;
        }
        RetryState.Snapshot s = e.retry().snapshot();
        List<RecipientState> rs = new ArrayList<>();
        for (SpoolEntry.Recipient r : e.recipients()) {
            rs.add(new RecipientState(r.address(), s.status(r.index()).name().toLowerCase(Locale.ROOT),
                    s.lastReply(r.index())));
        }
        QueueItem item = MailQueue.item(e);
        return new History(item, rs, item.nextAttempt());
    }
}

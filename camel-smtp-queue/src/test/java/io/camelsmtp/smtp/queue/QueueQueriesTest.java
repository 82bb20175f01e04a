package io.camelsmtp.smtp.queue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

import io.camelsmtp.smtp.common.SmtpReply;
import io.camelsmtp.smtp.common.SmtpReplyException;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.test.junit5.CamelTestSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a console reads from a queue: a page of the listing, searched and paged in the queue; the destinations with
 * their state and last reply; a message's recipients; and the delivery events through a listener, next to eventsUri.
 */
class QueueQueriesTest extends CamelTestSupport {

    @TempDir
    Path spool;

    private final List<DeliveryEvent> routed = new CopyOnWriteArrayList<>();

    @Override
    protected RouteBuilder createRouteBuilder() {
        return new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:in").to("smtp-queue:q?spoolDirectory=" + spool);
                from("smtp-queue:q?spoolDirectory=" + spool + "&minBackoff=60s&eventsUri=direct:events").routeId("deliver")
                        .throwException(new SmtpReplyException(SmtpReply.of(451, "4.4.1", "No answer from host")));
                from("direct:events").process(e -> routed.add(e.getMessage().getBody(DeliveryEvent.class)));
            }
        };
    }

    private void send(String from, String... to) {
        template.sendBodyAndHeaders("direct:in", "Subject: x\r\n\r\nhi\r\n",
                Map.of("CamelSmtpEnvelopeFrom", from, "CamelSmtpEnvelopeTo", new ArrayList<>(List.of(to))));
    }

    private void awaitDeferred(MailQueue q, long n) throws InterruptedException {
        long end = System.currentTimeMillis() + 20_000;
        while (q.deferredTotal() < n && System.currentTimeMillis() < end) {
            Thread.sleep(20);
        }
        assertEquals(n, q.deferredTotal());
    }

    @Test
    void pagesSearchesDestinationsHistoryAndListeners() throws Exception {
        MailQueue q = context.getComponent("smtp-queue", SmtpQueueComponent.class).getQueue("q");
        assertEquals(List.of("q"), List.copyOf(context.getComponent("smtp-queue", SmtpQueueComponent.class).queueNames()));
        List<DeliveryEvent> heard = new CopyOnWriteArrayList<>();
        Consumer<DeliveryEvent> listener = heard::add;
        Consumer<DeliveryEvent> broken = e -> {
            throw new IllegalStateException("a broken listener");
        };
        q.addEventListener(broken);
        q.addEventListener(listener);
        for (int i = 0; i < 120; i++) {
            send("s" + i + "@example.org", "r" + i + "@example.net");
        }
        send("zed@example.org", "zed@special.test", "amy@example.net");
        awaitDeferred(q, 122); // per recipient

        QueueQueries queries = new QueueQueries(q);
        QueueQueries.Page first = queries.page(0, 50, null);
        assertEquals(121, first.total());
        assertEquals(50, first.items().size());
        assertEquals(List.of("r0@example.net"), first.items().get(0).recipients(), "oldest first");
        assertEquals(21, queries.page(100, 50, "").items().size());
        QueueQueries sorting = new QueueQueries(q, 0); // every page by a full sort: the same pages
        for (int offset : new int[] { 0, 7, 50, 120 }) {
            for (String search : new String[] { "", "r1", "example.net" }) {
                assertEquals(sorting.page(offset, 50, search), queries.page(offset, 50, search), offset + " " + search);
            }
        }
        List<QueueItem> all = queries.page(0, 500, "").items();
        assertEquals(121, all.size());
        for (int i = 1; i < all.size(); i++) {
            assertTrue(!all.get(i).arrival().isBefore(all.get(i - 1).arrival()), "oldest first");
        }
        assertEquals(0, queries.page(500, 50, "").items().size());
        assertEquals(QueueQueries.MAX_LIMIT, queries.page(0, 100_000, "").limit());
        QueueQueries.Page special = queries.page(0, 50, "SPECIAL.test");
        assertEquals(1, special.total());
        String id = special.items().get(0).id();
        assertEquals(1, queries.page(0, 50, id.toLowerCase()).total(), "by queue id");
        assertEquals(1, queries.page(0, 50, "s7@").total(), "by sender");
        assertEquals(31, queries.page(0, 50, "r1").total(), "by recipient: r1, r10-r19, r100-r119");

        List<QueueQueries.Destination> destinations = queries.destinations(50);
        assertEquals("example.net", destinations.get(0).domain());
        assertEquals(121, destinations.get(0).recipients(), "r0..r119 and amy");
        assertEquals("deferred", destinations.get(0).state());
        assertTrue(destinations.get(0).lastReply().contains("451 4.4.1 No answer from host"), destinations.toString());
        assertEquals(1, queries.destinations(1).size());

        assertTrue(q.hold(id));
        QueueQueries.Destination held = queries.destinations(50).stream()
                .filter(d -> d.domain().equals("special.test")).findFirst().orElseThrow();
        assertEquals("held", held.state());

        QueueQueries.History history = queries.history(id);
        assertEquals(List.of("zed@special.test", "amy@example.net"),
                history.recipients().stream().map(QueueQueries.RecipientState::address).toList());
        assertEquals("pending", history.recipients().get(0).status());
        assertEquals(1, history.item().attempts());
        assertTrue(history.item().lastError().contains("451 4.4.1"), history.item().lastError());
        assertNull(queries.history("NOSUCHID"));

        // the listener heard what the events route got, and a broken listener stopped neither
        assertEquals(122 + 122, heard.size(), "queued and deferred, per recipient");
        assertEquals(routed.size(), heard.size());
        q.removeEventListener(listener);
        q.removeEventListener(broken);
        send("late@example.org", "late@example.net");
        awaitDeferred(q, 123);
        assertEquals(244, heard.size(), "nothing after removal");
        assertEquals(246, routed.size());
    }
}

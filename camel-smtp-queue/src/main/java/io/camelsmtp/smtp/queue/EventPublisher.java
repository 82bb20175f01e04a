package io.camelsmtp.smtp.queue;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends each {@link DeliveryEvent} to the queue's {@code eventsUri}, synchronously and in order per recipient. A
 * failing events route is logged and never stops delivery; put a {@code seda:} endpoint in between to decouple a slow
 * consumer such as a webhook. Listeners in the same JVM (the app's console) get each event too, before the events URI,
 * on the delivering thread: they must only hand it on (to a bounded buffer), never block.
 */
final class EventPublisher {

    private static final Logger LOG = LoggerFactory.getLogger(EventPublisher.class);

    private final CamelContext context;
    private volatile String uri;
    private volatile ProducerTemplate template;
    private final List<Consumer<DeliveryEvent>> listeners = new CopyOnWriteArrayList<>();

    EventPublisher(CamelContext context) {
        this.context = context;
    }

    /** Sets where events go; the first endpoint that names an events URI decides it. */
    synchronized void target(String eventsUri) {
        if (eventsUri == null || eventsUri.isBlank()) {
            return;
        }
        if (uri != null && !uri.equals(eventsUri)) {
            LOG.warn("Events of this queue already go to {}; ignoring eventsUri {}", uri, eventsUri);
            return;
        }
        uri = eventsUri;
        if (template == null) {
            template = context.createProducerTemplate();
        }
    }

    void addListener(Consumer<DeliveryEvent> listener) {
        listeners.add(listener);
    }

    void removeListener(Consumer<DeliveryEvent> listener) {
        listeners.remove(listener);
    }

    void publish(DeliveryEvent event) {
        for (Consumer<DeliveryEvent> l : listeners) {
            try {
                l.accept(event);
            } catch (RuntimeException e) {
                LOG.warn("Delivery event {} for {} not taken by listener {}: {}", event.type(), event.queueId(), l,
                        e.toString());
            }
        }
        ProducerTemplate t = template;
        String target = uri;
        if (t == null || target == null) {
            return;
        }
        try {
            Exchange result = t.send(target, ex -> {
                ex.getMessage().setBody(event);
                ex.getMessage().setHeader(SmtpQueueConstants.EVENT_TYPE, event.type());
                ex.getMessage().setHeader(SmtpQueueConstants.QUEUE_ID, event.queueId());
                ex.getMessage().setHeader(SmtpQueueConstants.EVENT_RECIPIENT, event.recipient());
                ex.getMessage().setHeader(SmtpQueueConstants.EVENT_SITE, event.site());
            });
            if (result.getException() != null) {
                LOG.warn("Delivery event {} for {} not taken by {}: {}", event.type(), event.queueId(), target,
                        result.getException().toString());
            }
        } catch (RuntimeException | Error e) {
            // an Error from the events route must not leave the attempt that emits it unsettled
            LOG.warn("Delivery event {} for {} not sent to {}: {}", event.type(), event.queueId(), target, e.toString());
        }
    }

    synchronized void stop() {
        if (template != null) {
            try {
                template.stop();
            } catch (RuntimeException e) {
                LOG.debug("Stopping the events template: {}", e.toString());
            }
            template = null;
        }
        uri = null;
    }
}

package io.camelsmtp.smtp.queue;

import org.apache.camel.Exchange;
import org.apache.camel.support.DefaultProducer;

/** Stores each Exchange's message in the queue; returns once it is on disk (so smtp-server's 250 means "safe"). */
public class SmtpQueueProducer extends DefaultProducer {

    private MailQueue queue;

    public SmtpQueueProducer(SmtpQueueEndpoint endpoint) {
        super(endpoint);
    }

    @Override
    public SmtpQueueEndpoint getEndpoint() {
        return (SmtpQueueEndpoint) super.getEndpoint();
    }

    @Override
    protected void doStart() throws Exception {
        super.doStart();
        queue = getEndpoint().getComponent().acquire(getEndpoint());
    }

    @Override
    protected void doStop() throws Exception {
        if (queue != null) {
            getEndpoint().getComponent().release(getEndpoint());
            queue = null;
        }
        super.doStop();
    }

    @Override
    public void process(Exchange exchange) throws Exception {
        queue.enqueue(exchange);
    }
}

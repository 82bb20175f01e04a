package io.camelsmtp.smtp.queue;

import io.camelsmtp.smtp.common.flush.DomainFlush;
import org.apache.camel.Category;
import org.apache.camel.Consumer;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.spi.Metadata;
import org.apache.camel.spi.UriEndpoint;
import org.apache.camel.spi.UriParam;
import org.apache.camel.spi.UriPath;
import org.apache.camel.support.DefaultEndpoint;

/**
 * A durable mail queue. As a producer ({@code to}) it stores each message with its envelope on disk and returns only
 * once the message is safe; as a consumer ({@code from}) it delivers every queued message through the route, retries
 * deferred recipients with backoff, bounces failed and expired ones with RFC 3464 notifications, and reports each
 * outcome as an event.
 */
@UriEndpoint(firstVersion = "0.1.0", scheme = "smtp-queue", title = "SMTP Queue", syntax = "smtp-queue:name",
             category = { Category.MAIL }, headersClass = SmtpQueueConstants.class)
public class SmtpQueueEndpoint extends DefaultEndpoint implements DomainFlush {

    @UriPath(description = "Name of the queue; endpoints with the same name share one spool")
    @Metadata(required = true)
    private String name;

    @UriParam(label = "common")
    private String spoolDirectory;
    @UriParam
    private SmtpQueueConfiguration configuration;

    public SmtpQueueEndpoint(String uri, SmtpQueueComponent component, SmtpQueueConfiguration configuration) {
        super(uri, component);
        this.configuration = configuration;
    }

    @Override
    public SmtpQueueComponent getComponent() {
        return (SmtpQueueComponent) super.getComponent();
    }

    @Override
    public Producer createProducer() {
        return new SmtpQueueProducer(this);
    }

    @Override
    public Consumer createConsumer(Processor processor) throws Exception {
        SmtpQueueConsumer consumer = new SmtpQueueConsumer(this, processor);
        configureConsumer(consumer);
        return consumer;
    }

    /**
     * ETRN's queue run (an {@code smtp-server} with {@code etrnQueue} pointing here calls it): the queue of this name
     * retries now its waiting messages for the domain.
     */
    @Override
    public int flushDomain(String domain, boolean subdomains) {
        MailQueue q = getComponent().getQueue(name);
        if (q == null) {
            throw new IllegalStateException("smtp-queue:" + name + " is not open (no route using it has started)");
        }
        return q.flushDomain(domain, subdomains);
    }

    public String getName() {
        return name;
    }

    /** Name of the queue; endpoints with the same name share one spool. */
    public void setName(String name) {
        this.name = name;
    }

    public String getSpoolDirectory() {
        return spoolDirectory;
    }

    /**
     * Directory of the file spool (created when missing; must be writable, else the route fails to start). Default
     * the component's spoolRoot/NAME, that is data/spool/NAME under the working directory.
     */
    public void setSpoolDirectory(String spoolDirectory) {
        this.spoolDirectory = spoolDirectory;
    }

    public SmtpQueueConfiguration getConfiguration() {
        return configuration;
    }

    /** The queue's options (delivery, retries, notifications, events); defaults come from the component. */
    public void setConfiguration(SmtpQueueConfiguration configuration) {
        this.configuration = configuration;
    }
}

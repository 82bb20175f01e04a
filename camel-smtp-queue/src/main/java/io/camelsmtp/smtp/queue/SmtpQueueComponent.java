package io.camelsmtp.smtp.queue;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import org.apache.camel.Endpoint;
import org.apache.camel.spi.Metadata;
import org.apache.camel.spi.annotations.Component;
import org.apache.camel.support.DefaultComponent;

/**
 * The {@code smtp-queue} component: {@code smtp-queue:name}. Endpoints with the same name share one {@link MailQueue}
 * (one spool); it is opened when the first producer or consumer of that name starts and closed when the last stops.
 * Its {@link SmtpQueueConfiguration} holds the defaults of every endpoint ({@code camel.component.smtp-queue.*}).
 */
@Component("smtp-queue")
public class SmtpQueueComponent extends DefaultComponent {

    @Metadata(label = "common", defaultValue = "data/spool")
    private String spoolRoot = "data/spool";
    @Metadata(label = "advanced")
    private SmtpQueueConfiguration configuration = new SmtpQueueConfiguration();

    private final Map<String, MailQueue> queues = new HashMap<>();
    private final Map<String, Integer> users = new HashMap<>();

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) throws Exception {
        String name = remaining.startsWith("//") ? remaining.substring(2) : remaining;
        if (!name.matches("[A-Za-z0-9._-]+")) {
            throw new IllegalArgumentException("smtp-queue needs a queue name of letters, digits, '.', '_' or '-', "
                                               + "e.g. smtp-queue:outbound, in " + uri);
        }
        SmtpQueueEndpoint endpoint = new SmtpQueueEndpoint(uri, this, configuration.copy());
        endpoint.setName(name);
        setProperties(endpoint, parameters);
        return endpoint;
    }

    /** The queue of that name while it is open, else null. For operations from beans and management routes. */
    public synchronized MailQueue getQueue(String name) {
        return queues.get(name);
    }

    /** The names of the queues open now, sorted. */
    public synchronized java.util.SortedSet<String> queueNames() {
        return new java.util.TreeSet<>(queues.keySet());
    }

    synchronized MailQueue acquire(SmtpQueueEndpoint endpoint) throws Exception {
        String name = endpoint.getName();
        Path dir = (endpoint.getSpoolDirectory() != null ? Path.of(endpoint.getSpoolDirectory()) : Path.of(spoolRoot, name))
                .toAbsolutePath().normalize();
        MailQueue q = queues.get(name);
        if (q == null) {
            q = new MailQueue(name, dir, endpoint.getConfiguration().getSegmentSize(), getCamelContext());
            q.open();
            queues.put(name, q);
        } else if (endpoint.getSpoolDirectory() != null && !q.spoolDirectory().equals(dir)) {
            throw new IllegalArgumentException("smtp-queue:" + name + " is already open on spool " + q.spoolDirectory()
                                               + "; " + endpoint.getEndpointUri() + " names " + dir);
        }
        q.events().target(endpoint.getConfiguration().getEventsUri());
        users.merge(name, 1, Integer::sum);
        return q;
    }

    synchronized void release(SmtpQueueEndpoint endpoint) {
        String name = endpoint.getName();
        Integer n = users.get(name);
        if (n == null) {
            return;
        }
        if (n > 1) {
            users.put(name, n - 1);
            return;
        }
        users.remove(name);
        MailQueue q = queues.remove(name);
        if (q != null) {
            q.close();
        }
    }

    public String getSpoolRoot() {
        return spoolRoot;
    }

    /**
     * Directory under which each queue without its own spoolDirectory keeps its spool, as ROOT/NAME (relative paths
     * are resolved against the working directory).
     */
    public void setSpoolRoot(String spoolRoot) {
        this.spoolRoot = spoolRoot;
    }

    public SmtpQueueConfiguration getConfiguration() {
        return configuration;
    }

    /** Defaults for every endpoint of this component; an option in an endpoint's URI overrides its default. */
    public void setConfiguration(SmtpQueueConfiguration configuration) {
        this.configuration = configuration;
    }
}

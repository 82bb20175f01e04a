package io.camelsmtp.smtp.relay;

import java.net.InetAddress;
import java.net.UnknownHostException;

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
 * Delivers each Exchange's message over SMTP, either straight to each recipient domain's mail exchangers
 * ({@code smtp-relay:mx}) or through one smart host ({@code smtp-relay:host:port}), and reports per recipient.
 */
@UriEndpoint(firstVersion = "0.1.0", scheme = "smtp-relay", title = "SMTP Relay", syntax = "smtp-relay:destination",
             category = { Category.MAIL }, producerOnly = true, remote = true, headersClass = SmtpRelayConstants.class)
public class SmtpRelayEndpoint extends DefaultEndpoint {

    @UriPath(description = "mx to deliver to each recipient domain's mail exchangers, or host[:port] of a smart host")
    @Metadata(required = true)
    private String destination;

    @UriParam
    private SmtpRelayConfiguration configuration;

    /** {@code configuration} is the endpoint's own (a copy of the component's); URI options are then set on it. */
    public SmtpRelayEndpoint(String uri, SmtpRelayComponent component, SmtpRelayConfiguration configuration) {
        super(uri, component);
        this.configuration = configuration;
    }

    @Override
    public Producer createProducer() {
        return new SmtpRelayProducer(this);
    }

    @Override
    public Consumer createConsumer(Processor processor) {
        throw new UnsupportedOperationException("smtp-relay only sends mail (it is a producer: use it in to); "
                                                + "to receive mail use smtp-server");
    }

    /** True for {@code smtp-relay:mx}. */
    boolean isMx() {
        return "mx".equalsIgnoreCase(destination);
    }

    String smartHost() {
        int colon = portSeparator();
        String host = colon > 0 ? destination.substring(0, colon) : destination;
        return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    }

    int smartHostPort() {
        int colon = portSeparator();
        return colon > 0 ? Integer.parseInt(destination.substring(colon + 1)) : configuration.getPort();
    }

    /** Index of the colon before a port in {@code host:port} or {@code [v6]:port}, or -1. */
    private int portSeparator() {
        int colon = destination.lastIndexOf(':');
        boolean bareV6 = destination.indexOf(':') != colon && !destination.startsWith("[");
        return colon > 0 && !bareV6 && destination.substring(colon + 1).matches("[0-9]{1,5}") ? colon : -1;
    }

    String effectiveHeloName() {
        String heloName = configuration.getHeloName();
        if (heloName != null && !heloName.isBlank()) {
            return heloName;
        }
        try {
            return InetAddress.getLocalHost().getCanonicalHostName();
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }

    public String getDestination() {
        return destination;
    }

    /** mx to deliver by MX look-up, or host[:port] of a smart host (the port defaults to the port option). */
    public void setDestination(String destination) {
        this.destination = destination;
    }

    public SmtpRelayConfiguration getConfiguration() {
        return configuration;
    }

    /** The endpoint's options: a copy of the component's defaults with the URI options applied. */
    public void setConfiguration(SmtpRelayConfiguration configuration) {
        this.configuration = configuration;
    }
}

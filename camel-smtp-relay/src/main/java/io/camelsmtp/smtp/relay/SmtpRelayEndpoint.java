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
 * ({@code smtp-relay:mx}) or through one smart host ({@code smtp-relay:host:port}), or over LMTP to a mailbox server
 * ({@code smtp-relay:lmtp:host:port}, or {@code smtp-relay:lmtp:/path} for a Unix-domain socket), and reports per
 * recipient.
 */
@UriEndpoint(firstVersion = "0.1.0", scheme = "smtp-relay", title = "SMTP Relay", syntax = "smtp-relay:destination",
             category = { Category.MAIL }, producerOnly = true, remote = true, headersClass = SmtpRelayConstants.class)
public class SmtpRelayEndpoint extends DefaultEndpoint {

    private static final String LMTP = "lmtp:";

    @UriPath(description = "mx to deliver to each recipient domain's mail exchangers, host[:port] of a smart host, or"
                           + " lmtp:host:port or lmtp:/path/of/socket of an LMTP server (RFC 2033: LHLO, one reply per"
                           + " recipient after the data; a path starting with / is a Unix-domain socket)")
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

    /** True for {@code smtp-relay:lmtp:...}: the next hop speaks LMTP. */
    boolean isLmtp() {
        return destination.regionMatches(true, 0, LMTP, 0, LMTP.length());
    }

    /** The path of the LMTP server's Unix-domain socket ({@code smtp-relay:lmtp:/path}), or null. */
    String lmtpSocket() {
        return isLmtp() && target().startsWith("/") ? target() : null;
    }

    /** Why the destination cannot be used, or null. */
    String destinationProblem() {
        if (!isLmtp()) {
            return null;
        }
        if (target().isBlank()) {
            return "smtp-relay:lmtp needs host:port or the path of a Unix-domain socket, e.g. smtp-relay:lmtp:/run/dovecot/lmtp";
        }
        if (lmtpSocket() == null && portSeparator() < 0) {
            return "smtp-relay:lmtp:" + target() + " needs a port (LMTP has none of its own and must not use 25, RFC 2033 §5)";
        }
        return null;
    }

    /** The destination without the {@code lmtp:} prefix. */
    private String target() {
        return isLmtp() ? destination.substring(LMTP.length()) : destination;
    }

    String smartHost() {
        int colon = portSeparator();
        String destination = target();
        String host = colon > 0 ? destination.substring(0, colon) : destination;
        return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    }

    int smartHostPort() {
        int colon = portSeparator();
        String destination = target();
        return colon > 0 ? Integer.parseInt(destination.substring(colon + 1)) : configuration.getPort();
    }

    /** Index of the colon before a port in {@code host:port} or {@code [v6]:port}, or -1. */
    private int portSeparator() {
        String destination = target();
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

    /**
     * mx to deliver by MX look-up, host[:port] of a smart host (the port defaults to the port option), or
     * lmtp:host:port or lmtp:/path/of/socket of an LMTP server.
     */
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

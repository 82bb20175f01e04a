package io.camelsmtp.smtp.server;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;

import javax.net.ssl.SSLContext;

import io.camelsmtp.smtp.server.metrics.ServerMeters;
import io.camelsmtp.smtp.server.protocol.AuthFailures;
import io.camelsmtp.smtp.server.protocol.ClientLimits;
import io.camelsmtp.smtp.server.protocol.ListenerThreads;
import io.camelsmtp.smtp.server.protocol.MailStages;
import io.camelsmtp.smtp.common.Networks;
import io.camelsmtp.smtp.server.protocol.ProtocolSettings;
import io.camelsmtp.smtp.server.protocol.SmtpListener;
import io.camelsmtp.smtp.server.protocol.SmtpProtocol;
import io.camelsmtp.smtp.server.protocol.SpoolDirectory;
import io.camelsmtp.smtp.server.protocol.TlsSockets;
import org.apache.camel.Category;
import org.apache.camel.Consumer;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.spi.Metadata;
import org.apache.camel.spi.UriEndpoint;
import org.apache.camel.spi.UriParam;
import org.apache.camel.spi.UriPath;
import org.apache.camel.support.DefaultEndpoint;
import org.apache.camel.support.jsse.ClientAuthentication;
import org.apache.camel.support.jsse.SSLContextParameters;

/**
 * Listens for SMTP on host:port and turns every accepted message into an Exchange. The 250 after DATA is sent
 * only once the route has completed.
 */
@UriEndpoint(firstVersion = "0.1.0", scheme = "smtp-server", title = "SMTP Server", syntax = "smtp-server:host:port",
             category = { Category.MAIL }, consumerOnly = true, remote = true, headersClass = SmtpServerConstants.class)
public class SmtpServerEndpoint extends DefaultEndpoint {

    @UriPath(defaultValue = "0.0.0.0", description = "Address to listen on")
    private String host = "0.0.0.0";
    @UriPath(description = "Port to listen on; 0 picks a free port")
    @Metadata(required = true)
    private int port;
    // every other option, so that the component can hold defaults for all its endpoints
    @UriParam
    private SmtpServerConfiguration configuration;

    public SmtpServerEndpoint(String uri, SmtpServerComponent component, SmtpServerConfiguration configuration) {
        super(uri, component);
        this.configuration = configuration;
    }

    @Override
    public Producer createProducer() {
        throw new UnsupportedOperationException(
                "smtp-server only receives mail (it is a consumer: use it in from); to send mail use smtp-relay");
    }

    @Override
    public Consumer createConsumer(Processor processor) throws Exception {
        SmtpServerConsumer consumer = new SmtpServerConsumer(this, processor);
        configureConsumer(consumer);
        return consumer;
    }

    /** The listener for these options, whose sessions ask {@code stages} at each SMTP stage; not yet started. */
    SmtpListener newListener(MailStages stages, ListenerThreads threads, ServerMeters meters) throws Exception {
        SmtpServerConfiguration c = configuration;
        AuthFailures authFailures = new AuthFailures(c.getMaxAuthFailuresPerIp(),
                Duration.ofMillis(c.getAuthFailureWindow()), networks("authFailureLimitExemptNetworks", c.getAuthFailureLimitExemptNetworks()));
        AuthFailures etrnRequests = new AuthFailures(c.getMaxEtrnPerMinute(), Duration.ofMinutes(1), Networks.parse(null));
        ClientLimits limits = new ClientLimits(c.getMaxConnections(), c.getMaxConnectionsPerIp(),
                networks("connectionLimitExemptNetworks", c.getConnectionLimitExemptNetworks()), authFailures,
                etrnRequests);
        SmtpProtocol protocol = new SmtpProtocol(protocolSettings(), stages, new SpoolDirectory(c.getSpoolDirectory()),
                c.getSpoolThreshold(), limits, meters);
        return new SmtpListener(protocol, host, port, c.getBacklog(), Duration.ofMillis(c.getIdleTimeout()), threads);
    }

    private static Networks networks(String option, String value) {
        try {
            return Networks.parse(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("smtp-server option " + option + ": " + e.getMessage(), e);
        }
    }

    private ProtocolSettings protocolSettings() throws Exception {
        SmtpServerConfiguration c = configuration;
        TlsSockets tls = null;
        SSLContextParameters ssl = c.getSslContextParameters();
        if (ssl != null) {
            SSLContext context = ssl.createSSLContext(getCamelContext());
            String clientAuth = ssl.getServerParameters() == null ? null : ssl.getServerParameters().getClientAuthentication();
            tls = new TlsSockets(context, ClientAuthentication.REQUIRE.name().equals(clientAuth),
                    ClientAuthentication.WANT.name().equals(clientAuth));
        }
        return new ProtocolSettings(effectiveHostName(), c.getMaxMessageSize(), c.getMaxRecipients(),
                c.getMaxLineLength(), c.isAllowBareLineFeeds(), c.getMaxErrors(), Duration.ofMillis(c.getAuthFailureDelay()),
                Duration.ofMillis(c.getMaxSessionTime()), c.isDsn(), c.isChunking(), tls, c.isImplicitTls(),
                c.isRequireTls(), c.isRequireAuth(), c.isAllowAuthWithoutTls(), c.getAuthenticator(),
                c.isAdvertiseRequireTls(), c.getEtrnQueue() != null && !c.getEtrnQueue().isBlank(), c.isLmtp());
    }

    /** The host name to use: the hostName option, else this machine's name. */
    String effectiveHostName() {
        String name = configuration.getHostName();
        if (name != null && !name.isBlank()) {
            return name;
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }

    public String getHost() {
        return host;
    }

    /** Address to listen on: an IP address or host name; 0.0.0.0 for all IPv4 addresses, :: for all addresses. */
    public void setHost(String host) {
        this.host = host;
    }

    public int getPort() {
        return port;
    }

    /** Port to listen on; 0 picks a free port (logged at start). */
    public void setPort(int port) {
        this.port = port;
    }

    public SmtpServerConfiguration getConfiguration() {
        return configuration;
    }

    /** All options but host and port; starts as a copy of the component's, then the URI's options apply. */
    public void setConfiguration(SmtpServerConfiguration configuration) {
        this.configuration = configuration;
    }
}

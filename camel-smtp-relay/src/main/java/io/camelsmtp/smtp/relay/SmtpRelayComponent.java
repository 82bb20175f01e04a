package io.camelsmtp.smtp.relay;

import java.util.Map;

import org.apache.camel.Endpoint;
import org.apache.camel.SSLContextParametersAware;
import org.apache.camel.spi.Metadata;
import org.apache.camel.spi.annotations.Component;
import org.apache.camel.support.DefaultComponent;

/** The {@code smtp-relay} component: {@code smtp-relay:mx} or {@code smtp-relay:host:port}. */
@Component("smtp-relay")
public class SmtpRelayComponent extends DefaultComponent implements SSLContextParametersAware {

    @Metadata(label = "advanced")
    private SmtpRelayConfiguration configuration = new SmtpRelayConfiguration();
    @Metadata(label = "security", defaultValue = "false")
    private boolean useGlobalSslContextParameters;

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) throws Exception {
        SmtpRelayEndpoint endpoint = new SmtpRelayEndpoint(uri, this,
                configuration != null ? configuration.copy() : new SmtpRelayConfiguration());
        String r = remaining.startsWith("//") ? remaining.substring(2) : remaining;
        if (r.isBlank()) {
            throw new IllegalArgumentException("smtp-relay needs mx or host[:port], e.g. smtp-relay:mx, in " + uri);
        }
        endpoint.setDestination(r);
        setProperties(endpoint, parameters); // URI options override the component's defaults, on the endpoint's copy
        if (endpoint.getConfiguration().getSslContextParameters() == null) {
            endpoint.getConfiguration().setSslContextParameters(retrieveGlobalSslContextParameters());
        }
        return endpoint;
    }

    public SmtpRelayConfiguration getConfiguration() {
        return configuration;
    }

    /**
     * Defaults for every endpoint of this component (e.g. {@code camel.component.smtp-relay.dns-servers}); an option
     * in an endpoint's URI overrides the default for that endpoint.
     */
    public void setConfiguration(SmtpRelayConfiguration configuration) {
        this.configuration = configuration;
    }

    @Override
    public boolean isUseGlobalSslContextParameters() {
        return useGlobalSslContextParameters;
    }

    /**
     * Use the SSLContextParameters configured globally on the CamelContext when neither the endpoint nor the
     * component's configuration sets any.
     */
    @Override
    public void setUseGlobalSslContextParameters(boolean useGlobalSslContextParameters) {
        this.useGlobalSslContextParameters = useGlobalSslContextParameters;
    }
}

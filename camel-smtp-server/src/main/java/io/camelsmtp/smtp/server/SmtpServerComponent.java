package io.camelsmtp.smtp.server;

import java.util.Map;

import org.apache.camel.Endpoint;
import org.apache.camel.SSLContextParametersAware;
import org.apache.camel.spi.Metadata;
import org.apache.camel.spi.annotations.Component;
import org.apache.camel.support.DefaultComponent;

/** The {@code smtp-server} component: {@code smtp-server:host:port[?options]}. */
@Component("smtp-server")
public class SmtpServerComponent extends DefaultComponent implements SSLContextParametersAware {

    @Metadata(label = "advanced")
    private SmtpServerConfiguration configuration = new SmtpServerConfiguration();
    @Metadata(label = "security", defaultValue = "false")
    private boolean useGlobalSslContextParameters;

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) throws Exception {
        // each endpoint works on its own copy of the component's defaults; its URI options then override them
        SmtpServerEndpoint endpoint = new SmtpServerEndpoint(uri, this, getConfiguration().copy());
        String[] hostPort = splitHostPort(remaining, uri);
        endpoint.setHost(hostPort[0]);
        endpoint.setPort(Integer.parseInt(hostPort[1]));
        setProperties(endpoint, parameters);
        if (endpoint.getConfiguration().getSslContextParameters() == null) {
            endpoint.getConfiguration().setSslContextParameters(retrieveGlobalSslContextParameters());
        }
        return endpoint;
    }

    /** {@code host:port}, {@code [v6]:port} or {@code :port}; the host defaults to all addresses. */
    static String[] splitHostPort(String remaining, String uri) {
        String r = remaining.startsWith("//") ? remaining.substring(2) : remaining;
        int colon = r.lastIndexOf(':');
        if (colon < 0 || colon == r.length() - 1 || !r.substring(colon + 1).matches("[0-9]{1,5}")) {
            throw new IllegalArgumentException("smtp-server needs host:port, e.g. smtp-server:0.0.0.0:2525, in " + uri);
        }
        String host = r.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        return new String[] { host.isEmpty() ? "0.0.0.0" : host, r.substring(colon + 1) };
    }

    public SmtpServerConfiguration getConfiguration() {
        return configuration;
    }

    /**
     * Defaults for every endpoint of this component (every option but host and port); an endpoint's own option
     * overrides its default here.
     */
    public void setConfiguration(SmtpServerConfiguration configuration) {
        this.configuration = configuration;
    }

    @Override
    public boolean isUseGlobalSslContextParameters() {
        return useGlobalSslContextParameters;
    }

    /** Use the SSLContextParameters configured globally on the CamelContext when the endpoint sets none. */
    @Override
    public void setUseGlobalSslContextParameters(boolean useGlobalSslContextParameters) {
        this.useGlobalSslContextParameters = useGlobalSslContextParameters;
    }
}

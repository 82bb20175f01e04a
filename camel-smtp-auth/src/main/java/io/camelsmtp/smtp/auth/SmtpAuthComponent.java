package io.camelsmtp.smtp.auth;

import java.util.Map;

import org.apache.camel.Endpoint;
import org.apache.camel.spi.Metadata;
import org.apache.camel.spi.annotations.Component;
import org.apache.camel.support.DefaultComponent;

/** The {@code smtp-auth} component: mail authentication steps ({@code smtp-auth:dkim-sign}, {@code smtp-auth:verify}). */
@Component("smtp-auth")
public class SmtpAuthComponent extends DefaultComponent {

    @Metadata(label = "advanced")
    private SmtpAuthConfiguration configuration = new SmtpAuthConfiguration();
    /** spf's verdicts for verify: smtp-server does not carry a mailPolicy route's headers to the message. */
    private final SpfVerdicts spfVerdicts = new SpfVerdicts(java.time.Clock.systemUTC());

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) throws Exception {
        String op = remaining.startsWith("//") ? remaining.substring(2) : remaining;
        SmtpAuthEndpoint.Operation operation = SmtpAuthEndpoint.Operation.of(op, uri);
        SmtpAuthEndpoint endpoint = new SmtpAuthEndpoint(uri, this,
                configuration != null ? configuration.copy() : new SmtpAuthConfiguration());
        endpoint.setOperation(operation.uriName());
        setProperties(endpoint, parameters); // URI options override the component's defaults, on the endpoint's copy
        return endpoint;
    }

    public SmtpAuthConfiguration getConfiguration() {
        return configuration;
    }

    /**
     * Defaults for every endpoint of this component (e.g. {@code camel.component.smtp-auth.key-directory}); an
     * option in an endpoint's URI overrides the default for that endpoint.
     */
    public void setConfiguration(SmtpAuthConfiguration configuration) {
        this.configuration = configuration;
    }

    SpfVerdicts spfVerdicts() {
        return spfVerdicts;
    }
}

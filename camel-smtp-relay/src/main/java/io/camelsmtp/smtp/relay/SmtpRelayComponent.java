package io.camelsmtp.smtp.relay;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;

import javax.net.ssl.SSLContext;

import io.camelsmtp.smtp.common.DnsServers;
import io.camelsmtp.smtp.relay.tlsrpt.TlsReportCollector;
import io.camelsmtp.smtp.relay.tlsrpt.TlsReportSender;
import io.camelsmtp.smtp.relay.tlsrpt.TlsReportStore;
import io.camelsmtp.smtp.relay.tlsrpt.TlsReporting;
import io.camelsmtp.smtp.relay.tlsrpt.TlsRptLookup;
import io.camelsmtp.smtp.relay.tlsrpt.TlsRptRecord;

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

    private TlsReporting tlsReporting;
    private ScheduledExecutorService tlsReportTimer;
    private ExecutorService tlsReportDns;

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) throws Exception {
        SmtpRelayEndpoint endpoint = new SmtpRelayEndpoint(uri, this,
                configuration != null ? configuration.copy() : new SmtpRelayConfiguration());
        String r = remaining.startsWith("//") ? remaining.substring(2) : remaining;
        if (r.isBlank()) {
            throw new IllegalArgumentException("smtp-relay needs mx or host[:port], e.g. smtp-relay:mx, in " + uri);
        }
        endpoint.setDestination(r);
        if (endpoint.destinationProblem() != null) {
            throw new IllegalArgumentException(endpoint.destinationProblem() + ", in " + uri);
        }
        setProperties(endpoint, parameters); // URI options override the component's defaults, on the endpoint's copy
        if (endpoint.getConfiguration().getSslContextParameters() == null) {
            endpoint.getConfiguration().setSslContextParameters(retrieveGlobalSslContextParameters());
        }
        return endpoint;
    }

    /**
     * With {@code tlsReporting} on in the component's configuration, starts the one TLS reporter of this component
     * (see {@link #getTlsReporting()}).
     */
    @Override
    protected void doStart() throws Exception {
        super.doStart();
        SmtpRelayConfiguration config = configuration;
        if (config == null || !config.isTlsReporting()) {
            return;
        }
        String submitter = config.getTlsReportSubmitter();
        if (submitter == null || TlsRptRecord.mailbox(submitter) == null) {
            throw new IllegalArgumentException("smtp-relay tlsReporting needs tlsReportSubmitter, an address such as"
                                               + " tlsrpt@mail.example.com, not " + submitter);
        }
        String domain = submitter.substring(submitter.lastIndexOf('@') + 1);
        SSLContext tls = config.getSslContextParameters() != null
                ? config.getSslContextParameters().createSSLContext(getCamelContext()) : SSLContext.getDefault();
        Duration timeout = Duration.ofMillis(Math.min(config.getConnectTimeout(), 60_000));
        tlsReportTimer = getCamelContext().getExecutorServiceManager()
                .newSingleThreadScheduledExecutor(this, "SmtpRelayTlsReports");
        tlsReportDns = getCamelContext().getExecutorServiceManager().newCachedThreadPool(this, "SmtpRelayTlsReportDns");
        TlsReporting.Settings settings = new TlsReporting.Settings(
                config.getTlsReportOrganization() != null ? config.getTlsReportOrganization() : domain,
                config.getTlsReportContact() != null ? config.getTlsReportContact() : submitter, submitter,
                config.getTlsReportDirectory() != null ? new TlsReportStore(Path.of(config.getTlsReportDirectory())) : null,
                List.of(Duration.ofMinutes(5), Duration.ofMinutes(30)), Duration.ofHours(1), Duration.ofMinutes(1));
        tlsReporting = new TlsReporting(settings, new TlsReportCollector(),
                new TlsRptLookup(DnsServers.parse(config.getDnsServers()), Duration.ofMillis(config.getDnsTimeout()),
                        tlsReportDns),
                new TlsReportSender(tls, timeout, config.isAllowPrivateAddresses(), getCamelContext(),
                        config.getTlsReportUri(), submitter),
                tlsReportTimer);
        tlsReporting.start();
    }

    @Override
    protected void doStop() throws Exception {
        if (tlsReportTimer != null) {
            getCamelContext().getExecutorServiceManager().shutdownNow(tlsReportTimer); // interrupts a run's retry wait
            tlsReportTimer = null;
        }
        if (tlsReporting != null) {
            tlsReporting.stop(); // saves the counts
            tlsReporting = null;
        }
        if (tlsReportDns != null) {
            getCamelContext().getExecutorServiceManager().shutdownNow(tlsReportDns);
            tlsReportDns = null;
        }
        super.doStop();
    }

    /**
     * The TLS reporter while the component runs with {@code tlsReporting=true}, else null. The delivery path feeds
     * {@code getTlsReporting().collector().record(attempt)}; {@link TlsReporting#sendDue()} sends now.
     */
    public TlsReporting getTlsReporting() {
        return tlsReporting;
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

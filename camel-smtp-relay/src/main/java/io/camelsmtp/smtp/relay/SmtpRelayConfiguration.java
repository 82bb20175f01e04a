package io.camelsmtp.smtp.relay;

import io.camelsmtp.smtp.relay.client.TlsPolicy;
import org.apache.camel.RuntimeCamelException;
import org.apache.camel.spi.UriParam;
import org.apache.camel.spi.UriParams;
import org.apache.camel.support.jsse.SSLContextParameters;

/**
 * The options of {@code smtp-relay} other than the destination. The component holds one as the defaults of all its
 * endpoints ({@code camel.component.smtp-relay.helo-name=...}); each endpoint starts from a {@link #copy()} of it and
 * applies its URI options on top, as camel-mail's {@code MailConfiguration} does.
 */
@UriParams
public class SmtpRelayConfiguration implements Cloneable {

    @UriParam(label = "producer", defaultValue = "25")
    private int port = 25;
    @UriParam(label = "producer")
    private String heloName;
    @UriParam(label = "producer", defaultValue = "opportunistic")
    private TlsPolicy tls = TlsPolicy.opportunistic;
    @UriParam(label = "producer", defaultValue = "5")
    private int maxMxHosts = 5;
    @UriParam(label = "producer", defaultValue = "5")
    private int maxMxAddresses = 5;
    @UriParam(label = "producer", defaultValue = "2")
    private int maxMxSessions = 2;

    @UriParam(label = "producer,dns")
    private String dnsServers;
    @UriParam(label = "producer,dns", defaultValue = "5s", javaType = "java.time.Duration")
    private long dnsTimeout = 5000;
    @UriParam(label = "producer,dns", defaultValue = "false")
    private boolean allowPrivateAddresses;

    @UriParam(label = "producer,timeouts", defaultValue = "30s", javaType = "java.time.Duration")
    private long connectTimeout = 30_000;
    @UriParam(label = "producer,timeouts", defaultValue = "5m", javaType = "java.time.Duration")
    private long commandTimeout = 5 * 60_000L;
    @UriParam(label = "producer,timeouts", defaultValue = "10m", javaType = "java.time.Duration")
    private long dataTimeout = 10 * 60_000L;
    @UriParam(label = "producer,timeouts", defaultValue = "10m", javaType = "java.time.Duration")
    private long maxAttemptTime = 10 * 60_000L;

    @UriParam(label = "producer,advanced", defaultValue = "true")
    private boolean connectionReuse = true;
    @UriParam(label = "producer,advanced", defaultValue = "5s", javaType = "java.time.Duration")
    private long idleConnectionTime = 5000;
    @UriParam(label = "producer,advanced", defaultValue = "20")
    private int maxConnectionsPerHost = 20;

    @UriParam(label = "producer,reporting", defaultValue = "false")
    private boolean tlsReporting;
    @UriParam(label = "producer,reporting")
    private String tlsReportUri;
    @UriParam(label = "producer,reporting")
    private String tlsReportSubmitter;
    @UriParam(label = "producer,reporting")
    private String tlsReportOrganization;
    @UriParam(label = "producer,reporting")
    private String tlsReportContact;
    @UriParam(label = "producer,reporting")
    private String tlsReportDirectory;

    @UriParam(label = "security")
    private SSLContextParameters sslContextParameters;
    @UriParam(label = "security", secret = true)
    private String username;
    @UriParam(label = "security", secret = true)
    private String password;
    @UriParam(label = "security", defaultValue = "false")
    private boolean authOverUnverifiedTls;

    /**
     * A copy for one endpoint, so that its URI options do not change the component's defaults. Shallow: the only
     * mutable value, {@code sslContextParameters}, is shared, as a bean referenced by several endpoints would be.
     */
    public SmtpRelayConfiguration copy() {
        try {
            return (SmtpRelayConfiguration) clone();
        } catch (CloneNotSupportedException e) {
            throw new RuntimeCamelException(e);
        }
    }

    public int getPort() {
        return port;
    }

    /** Port to connect to on each mail exchanger (25), and the smart host's port when the destination names none. */
    public void setPort(int port) {
        this.port = port;
    }

    public String getHeloName() {
        return heloName;
    }

    /** Our name in EHLO/HELO; defaults to this machine's canonical host name. */
    public void setHeloName(String heloName) {
        this.heloName = heloName;
    }

    public TlsPolicy getTls() {
        return tls;
    }

    /**
     * STARTTLS policy: none; opportunistic (when offered, any certificate, plaintext if the handshake fails; credentials
     * only when the certificate happens to verify);
     * required (offered, successful, certificate trusted and matching the host name, else the host is skipped and the
     * recipients deferred).
     */
    public void setTls(TlsPolicy tls) {
        this.tls = tls;
    }

    public int getMaxMxHosts() {
        return maxMxHosts;
    }

    /**
     * Mail exchangers considered per destination domain and attempt, best first; a host's addresses are looked up
     * only when it is its turn. Then the recipients left are deferred.
     */
    public void setMaxMxHosts(int maxMxHosts) {
        this.maxMxHosts = maxMxHosts;
    }

    public int getMaxMxAddresses() {
        return maxMxAddresses;
    }

    /**
     * Addresses tried per destination and attempt, all its mail exchangers together (as Postfix's
     * smtp_mx_address_limit); 0 for no limit. Keeps a domain with many unreachable addresses from holding a delivery.
     */
    public void setMaxMxAddresses(int maxMxAddresses) {
        this.maxMxAddresses = maxMxAddresses;
    }

    public int getMaxMxSessions() {
        return maxMxSessions;
    }

    /**
     * SMTP sessions per destination and attempt (as Postfix's smtp_mx_session_limit): after this many hosts took a
     * transaction (EHLO and TLS done) and deferred, the rest wait for the next attempt; 0 for no limit.
     */
    public void setMaxMxSessions(int maxMxSessions) {
        this.maxMxSessions = maxMxSessions;
    }

    public String getDnsServers() {
        return dnsServers;
    }

    /** Comma-separated DNS resolvers as host:port (e.g. 127.0.0.1:5353), also for a smart host name; defaults to the system resolvers. */
    public void setDnsServers(String dnsServers) {
        this.dnsServers = dnsServers;
    }

    public long getDnsTimeout() {
        return dnsTimeout;
    }

    /** Time-out of one DNS query. */
    public void setDnsTimeout(long dnsTimeout) {
        this.dnsTimeout = dnsTimeout;
    }

    public boolean isAllowPrivateAddresses() {
        return allowPrivateAddresses;
    }

    /**
     * Deliver to mail exchangers on addresses that are not public unicast: loopback, private (RFC 1918, fc00::/7),
     * link-local, CGNAT, multicast, reserved, documentation and benchmarking ranges, and IPv6 forms that carry such
     * an IPv4 address (the full list is in the docs). Off by default, so that a hostile DNS answer cannot make the
     * relay deliver into the internal network.
     */
    public void setAllowPrivateAddresses(boolean allowPrivateAddresses) {
        this.allowPrivateAddresses = allowPrivateAddresses;
    }

    public long getConnectTimeout() {
        return connectTimeout;
    }

    /** TCP connect time-out per address. */
    public void setConnectTimeout(long connectTimeout) {
        this.connectTimeout = connectTimeout;
    }

    public long getCommandTimeout() {
        return commandTimeout;
    }

    /** Wait for the greeting and each command's reply (RFC 5321 section 4.5.3.2: 5 minutes). */
    public void setCommandTimeout(long commandTimeout) {
        this.commandTimeout = commandTimeout;
    }

    public long getDataTimeout() {
        return dataTimeout;
    }

    /** Wait for the reply after the message's final dot (RFC 5321 section 4.5.3.2.6: 10 minutes). */
    public void setDataTimeout(long dataTimeout) {
        this.dataTimeout = dataTimeout;
    }

    public long getMaxAttemptTime() {
        return maxAttemptTime;
    }

    /**
     * Longest attempt on one host, from the connection to QUIT, message included; then the connection is closed and
     * the recipients deferred. Bounds a peer that trickles bytes slowly enough to pass every per-read time-out. Raise
     * it for very large messages over slow links; 0 for no limit.
     */
    public void setMaxAttemptTime(long maxAttemptTime) {
        this.maxAttemptTime = maxAttemptTime;
    }

    public boolean isConnectionReuse() {
        return connectionReuse;
    }

    /** Keep connections open and send the next message to the same host over them (RSET first). */
    public void setConnectionReuse(boolean connectionReuse) {
        this.connectionReuse = connectionReuse;
    }

    public long getIdleConnectionTime() {
        return idleConnectionTime;
    }

    /** How long an unused kept connection stays open. */
    public void setIdleConnectionTime(long idleConnectionTime) {
        this.idleConnectionTime = idleConnectionTime;
    }

    public int getMaxConnectionsPerHost() {
        return maxConnectionsPerHost;
    }

    /** Concurrent connections to one host address; more senders wait up to connectTimeout, then defer. */
    public void setMaxConnectionsPerHost(int maxConnectionsPerHost) {
        this.maxConnectionsPerHost = maxConnectionsPerHost;
    }

    public SSLContextParameters getSslContextParameters() {
        return sslContextParameters;
    }

    /**
     * Trust (and client certificate) for tls=required, and the trust an opportunistic session's certificate must pass
     * before credentials are sent over it; defaults to the JVM's trust store.
     */
    public void setSslContextParameters(SSLContextParameters sslContextParameters) {
        this.sslContextParameters = sslContextParameters;
    }

    public String getUsername() {
        return username;
    }

    /** AUTH user name for the smart host (AUTH PLAIN, else LOGIN). */
    public void setUsername(String username) {
        this.username = username;
    }

    public String getPassword() {
        return password;
    }

    /** AUTH password for the smart host. */
    public void setPassword(String password) {
        this.password = password;
    }

    public boolean isAuthOverUnverifiedTls() {
        return authOverUnverifiedTls;
    }

    /**
     * Send the credentials over TLS whose certificate was not verified (not trusted, or not issued for the host's
     * name). Off by default: anyone who can intercept the connection can then answer the handshake and read the
     * password. Without it, credentials go only over verified TLS (tls=required, or opportunistic TLS whose
     * certificate passed), or in plaintext with tls=none.
     */
    public void setAuthOverUnverifiedTls(boolean authOverUnverifiedTls) {
        this.authOverUnverifiedTls = authOverUnverifiedTls;
    }

    public boolean isTlsReporting() {
        return tlsReporting;
    }

    /**
     * Send TLS reports (RFC 8460): count each TLS session with a destination's MX hosts per policy, and once a day
     * (after midnight UTC) send each domain that publishes an _smtp._tls record the previous day's report. Read from
     * the component's configuration ({@code camel.component.smtp-relay.tls-reporting=true}): one reporter serves all
     * endpoints; needs tlsReportSubmitter. Off by default.
     */
    public void setTlsReporting(boolean tlsReporting) {
        this.tlsReporting = tlsReporting;
    }

    public String getTlsReportUri() {
        return tlsReportUri;
    }

    /**
     * Camel endpoint that mailed reports (rua=mailto:) are handed to, with the envelope headers, e.g.
     * smtp-queue:reports; without it mailto destinations are skipped (https ones are posted directly).
     */
    public void setTlsReportUri(String tlsReportUri) {
        this.tlsReportUri = tlsReportUri;
    }

    public String getTlsReportSubmitter() {
        return tlsReportSubmitter;
    }

    /**
     * Address that mailed TLS reports come from (MAIL FROM and From:), e.g. tlsrpt@mail.example.com; its domain is the
     * report submitter (TLS-Report-Submitter, the report file name). Required with tlsReporting.
     */
    public void setTlsReportSubmitter(String tlsReportSubmitter) {
        this.tlsReportSubmitter = tlsReportSubmitter;
    }

    public String getTlsReportOrganization() {
        return tlsReportOrganization;
    }

    /** The organization-name of TLS reports; defaults to the submitter's domain. */
    public void setTlsReportOrganization(String tlsReportOrganization) {
        this.tlsReportOrganization = tlsReportOrganization;
    }

    public String getTlsReportContact() {
        return tlsReportContact;
    }

    /** The contact-info of TLS reports; defaults to tlsReportSubmitter. */
    public void setTlsReportContact(String tlsReportContact) {
        this.tlsReportContact = tlsReportContact;
    }

    public String getTlsReportDirectory() {
        return tlsReportDirectory;
    }

    /**
     * Directory where the TLS report counts are saved (every minute and at stop) and read back at start, so a restart
     * does not lose a day; without it they are kept in memory only.
     */
    public void setTlsReportDirectory(String tlsReportDirectory) {
        this.tlsReportDirectory = tlsReportDirectory;
    }
}

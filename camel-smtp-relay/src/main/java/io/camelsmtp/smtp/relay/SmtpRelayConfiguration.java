package io.camelsmtp.smtp.relay;

import io.camelsmtp.smtp.relay.client.TlsPolicy;
import io.camelsmtp.smtp.relay.tls.TlsOutcomeListener;
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
    @UriParam(label = "producer,advanced", defaultValue = "true")
    private boolean chunking = true;
    @UriParam(label = "producer,advanced")
    private String localAddress;

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
    @UriParam(label = "security")
    private Boolean dane;
    @UriParam(label = "security")
    private String daneTrustAnchors;
    @UriParam(label = "security")
    private String daneTrustedResolvers;
    @UriParam(label = "security", defaultValue = "false")
    private boolean daneRequired;

    @UriParam(label = "security,mtasts", defaultValue = "true")
    private boolean mtaSts = true;
    @UriParam(label = "security,mtasts", defaultValue = "false")
    private boolean mtaStsRequired;
    @UriParam(label = "security,mtasts")
    private String mtaStsCacheDirectory;
    @UriParam(label = "security,mtasts", defaultValue = "10s", javaType = "java.time.Duration")
    private long mtaStsFetchTimeout = 10_000;
    @UriParam(label = "security,mtasts,advanced", defaultValue = "443")
    private int mtaStsPolicyPort = 443;
    @UriParam(label = "security,advanced")
    private TlsOutcomeListener tlsOutcomeListener;

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

    public String getLocalAddress() {
        return localAddress;
    }

    /**
     * The source addresses of outgoing connections: IPv4 and/or IPv6 address literals of this machine,
     * comma-separated, each used for destinations of its family (Postfix's smtp_bind_address and smtp_bind_address6);
     * several of one family form a pool that new connections take in turn (round robin), kept connections are reused
     * whatever their source; a family without one is left to the system. Set heloName to a name whose DNS points to
     * them. Checked at start: a name, an address given twice, or one this machine cannot bind fails the route. For
     * named pools, use one endpoint per pool.
     */
    public void setLocalAddress(String localAddress) {
        this.localAddress = localAddress;
    }

    public boolean isChunking() {
        return chunking;
    }

    /**
     * Send the content with BDAT (RFC 3030) instead of DATA when the server offers CHUNKING: no dot-stuffing, and
     * nothing sent when the delivery is withdrawn or every recipient refused. Turn off for a server whose BDAT is
     * broken.
     */
    public void setChunking(boolean chunking) {
        this.chunking = chunking;
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

    public Boolean getDane() {
        return dane;
    }

    /**
     * DANE for SMTP (RFC 7672): MX hosts with DNSSEC-signed TLSA records are reached only over TLS whose certificate
     * matches them. Unset: on when daneTrustAnchors or daneTrustedResolvers says how DNSSEC is validated, off
     * otherwise; true without either fails at start; false turns it off.
     */
    public void setDane(Boolean dane) {
        this.dane = dane;
    }

    public String getDaneTrustAnchors() {
        return daneTrustAnchors;
    }

    /**
     * DNSSEC trust anchors for validating here (dnsjava's validator, over dnsServers): a file, or classpath:name, of DS
     * or DNSKEY records in zone-file syntax (a dsset- file, unbound's root.key, or unbound's trust-anchor: lines).
     */
    public void setDaneTrustAnchors(String daneTrustAnchors) {
        this.daneTrustAnchors = daneTrustAnchors;
    }

    public String getDaneTrustedResolvers() {
        return daneTrustedResolvers;
    }

    /**
     * Validating resolvers whose AD bit is believed for DANE, as host:port, comma-separated (e.g. 127.0.0.1:5353, a
     * local unbound); only these are asked for DANE, and the AD bit of any other server is never believed. The path
     * to them must be trustworthy (loopback or a protected network).
     */
    public void setDaneTrustedResolvers(String daneTrustedResolvers) {
        this.daneTrustedResolvers = daneTrustedResolvers;
    }

    public boolean isDaneRequired() {
        return daneRequired;
    }

    /**
     * Deliver only with DANE (Postfix's dane-only): an MX host without usable DNSSEC-validated TLSA records (unsigned
     * address or TLSA records, none published, only unusable ones) is skipped without a connection (451 4.7.5 ...
     * (dane-required)), the next MX tried, the recipients deferred when none is left; never plaintext, never another
     * kind of TLS. Needs DANE on (daneTrustAnchors or daneTrustedResolvers) and smtp-relay:mx; otherwise start-up fails.
     */
    public void setDaneRequired(boolean daneRequired) {
        this.daneRequired = daneRequired;
    }

    public boolean isMtaSts() {
        return mtaSts;
    }

    /**
     * Apply MTA-STS (RFC 8461) to MX deliveries: where a recipient domain publishes a policy in mode enforce, only the
     * mail exchangers it lists are used, each over TLS whose certificate is trusted (sslContextParameters, else the
     * JVM's) and issued for the MX name, never in plaintext; in mode testing delivery goes on and failures are only
     * reported (tlsOutcomeListener). Overrides tls=none and tls=opportunistic for such domains. Smart hosts are not
     * affected.
     */
    public void setMtaSts(boolean mtaSts) {
        this.mtaSts = mtaSts;
    }

    public boolean isMtaStsRequired() {
        return mtaStsRequired;
    }

    /**
     * Deliver only to domains with an MTA-STS policy in mode enforce; the recipients of other domains are deferred
     * (451 4.7.5). For routes that carry mail that must not go out unauthenticated.
     */
    public void setMtaStsRequired(boolean mtaStsRequired) {
        this.mtaStsRequired = mtaStsRequired;
    }

    public String getMtaStsCacheDirectory() {
        return mtaStsCacheDirectory;
    }

    /**
     * Directory where fetched MTA-STS policies are kept (one file per domain, written atomically), so that a
     * restart does not forget them; unset, they are kept in memory only and a restart opens a window in which an
     * attacker who blocks the policy fetch can downgrade delivery. Endpoints may share one directory.
     */
    public void setMtaStsCacheDirectory(String mtaStsCacheDirectory) {
        this.mtaStsCacheDirectory = mtaStsCacheDirectory;
    }

    public long getMtaStsFetchTimeout() {
        return mtaStsFetchTimeout;
    }

    /** Longest fetch of an MTA-STS policy over HTTPS, connection to last byte. */
    public void setMtaStsFetchTimeout(long mtaStsFetchTimeout) {
        this.mtaStsFetchTimeout = mtaStsFetchTimeout;
    }

    public int getMtaStsPolicyPort() {
        return mtaStsPolicyPort;
    }

    /** Port of the MTA-STS policy host (https://mta-sts.domain/); 443, other values for tests. */
    public void setMtaStsPolicyPort(int mtaStsPolicyPort) {
        this.mtaStsPolicyPort = mtaStsPolicyPort;
    }

    public TlsOutcomeListener getTlsOutcomeListener() {
        return tlsOutcomeListener;
    }

    /**
     * Told how TLS went for each new session with a mail exchanger and each failed MTA-STS policy look-up, with RFC
     * 8460 result types (for TLS reporting); none by default.
     */
    public void setTlsOutcomeListener(TlsOutcomeListener tlsOutcomeListener) {
        this.tlsOutcomeListener = tlsOutcomeListener;
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

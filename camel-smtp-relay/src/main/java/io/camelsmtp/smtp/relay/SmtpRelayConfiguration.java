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

    @UriParam(label = "producer,advanced", defaultValue = "true")
    private boolean connectionReuse = true;
    @UriParam(label = "producer,advanced", defaultValue = "5s", javaType = "java.time.Duration")
    private long idleConnectionTime = 5000;
    @UriParam(label = "producer,advanced", defaultValue = "20")
    private int maxConnectionsPerHost = 20;

    @UriParam(label = "security")
    private SSLContextParameters sslContextParameters;
    @UriParam(label = "security", secret = true)
    private String username;
    @UriParam(label = "security", secret = true)
    private String password;

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
     * STARTTLS policy: none; opportunistic (when offered, any certificate, plaintext if the handshake fails);
     * required (offered, successful, certificate trusted and matching the host name, else the host is skipped and the
     * recipients deferred).
     */
    public void setTls(TlsPolicy tls) {
        this.tls = tls;
    }

    public int getMaxMxHosts() {
        return maxMxHosts;
    }

    /** Mail exchangers tried per destination domain before the recipients are deferred. */
    public void setMaxMxHosts(int maxMxHosts) {
        this.maxMxHosts = maxMxHosts;
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
     * Deliver to mail exchangers on loopback, private (RFC 1918, fc00::/7), link-local or CGNAT addresses. Off by
     * default, so that a hostile DNS answer cannot make the relay deliver into the internal network.
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

    /** Trust (and client certificate) for tls=required; defaults to the JVM's trust store. */
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
}

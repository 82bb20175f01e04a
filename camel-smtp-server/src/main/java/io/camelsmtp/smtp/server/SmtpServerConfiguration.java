package io.camelsmtp.smtp.server;

import io.camelsmtp.smtp.server.auth.SmtpAuthenticator;
import org.apache.camel.RuntimeCamelException;
import org.apache.camel.spi.UriParam;
import org.apache.camel.spi.UriParams;
import org.apache.camel.support.jsse.SSLContextParameters;

/**
 * Every {@code smtp-server} option but the listening address: set on the component it is the default of every
 * endpoint ({@code camel.component.smtp-server.max-message-size=...}); an endpoint works on its own copy, where its
 * URI options override.
 */
@UriParams
public class SmtpServerConfiguration implements Cloneable {

    @UriParam(label = "consumer")
    private String hostName;
    @UriParam(label = "consumer", defaultValue = "10485760")
    private int maxMessageSize = 10 * 1024 * 1024;
    @UriParam(label = "consumer")
    private String acceptedDomains;
    @UriParam(label = "consumer")
    private String connectPolicy;
    @UriParam(label = "consumer")
    private String heloPolicy;
    @UriParam(label = "consumer")
    private String mailPolicy;
    @UriParam(label = "consumer")
    private String rcptPolicy;
    @UriParam(label = "consumer,etrn")
    private String etrnQueue;
    @UriParam(label = "consumer,etrn")
    private String etrnPolicy;
    @UriParam(label = "consumer,etrn", defaultValue = "5")
    private int maxEtrnPerMinute = 5;
    @UriParam(label = "consumer", defaultValue = "false")
    private boolean mapMailHeaders;
    @UriParam(label = "consumer", defaultValue = "5m", javaType = "java.time.Duration")
    private long replyTimeout = 5 * 60_000L;
    @UriParam(label = "consumer", defaultValue = "false")
    private boolean dsn;
    @UriParam(label = "consumer", defaultValue = "true")
    private boolean chunking = true;
    @UriParam(label = "consumer,lmtp", defaultValue = "false")
    private boolean lmtp;

    @UriParam(label = "consumer,limits", defaultValue = "1000")
    private int maxRecipients = 1000;
    @UriParam(label = "consumer,limits", defaultValue = "1000")
    private int maxConnections = 1000;
    @UriParam(label = "consumer,limits", defaultValue = "50")
    private int maxConnectionsPerIp = 50;
    @UriParam(label = "consumer,limits", defaultValue = "127.0.0.0/8,::1/128")
    private String connectionLimitExemptNetworks = "127.0.0.0/8,::1/128";
    @UriParam(label = "consumer,limits", defaultValue = "20")
    private int maxErrors = 20;
    @UriParam(label = "consumer,limits", defaultValue = "1000")
    private int maxLineLength = 1000;
    @UriParam(label = "consumer,limits", defaultValue = "false")
    private boolean allowBareLineFeeds;
    @UriParam(label = "consumer,limits", defaultValue = "5m", javaType = "java.time.Duration")
    private long idleTimeout = 5 * 60_000L;
    @UriParam(label = "consumer,limits", defaultValue = "30m", javaType = "java.time.Duration")
    private long maxSessionTime = 30 * 60_000L;

    @UriParam(label = "consumer,advanced", defaultValue = "1024")
    private int backlog = 1024;
    @UriParam(label = "consumer,advanced", defaultValue = "10s", javaType = "java.time.Duration")
    private long shutdownGracePeriod = 10_000L;
    @UriParam(label = "consumer,advanced", defaultValue = "262144")
    private int spoolThreshold = 256 * 1024;
    @UriParam(label = "consumer,advanced")
    private String spoolDirectory;

    @UriParam(label = "security")
    private SSLContextParameters sslContextParameters;
    @UriParam(label = "security", defaultValue = "false")
    private boolean implicitTls;
    @UriParam(label = "security", defaultValue = "false")
    private boolean requireTls;
    @UriParam(label = "security", defaultValue = "true")
    private boolean advertiseRequireTls = true;
    @UriParam(label = "security")
    private SmtpAuthenticator authenticator;
    @UriParam(label = "security", defaultValue = "false")
    private boolean requireAuth;
    @UriParam(label = "security", defaultValue = "false")
    private boolean allowAuthWithoutTls;
    @UriParam(label = "security", defaultValue = "1s", javaType = "java.time.Duration")
    private long authFailureDelay = 1000L;
    @UriParam(label = "security", defaultValue = "10")
    private int maxAuthFailuresPerIp = 10;
    @UriParam(label = "security", defaultValue = "5m", javaType = "java.time.Duration")
    private long authFailureWindow = 5 * 60_000L;
    @UriParam(label = "security")
    private String authFailureLimitExemptNetworks;

    /** A copy for one endpoint; the objects it refers to (TLS parameters, authenticator) are shared, not copied. */
    public SmtpServerConfiguration copy() {
        try {
            return (SmtpServerConfiguration) clone();
        } catch (CloneNotSupportedException e) {
            throw new RuntimeCamelException(e);
        }
    }

    public String getHostName() {
        return hostName;
    }

    /** Our host name in the 220 greeting, the EHLO reply and the Received header. Defaults to this machine's name. */
    public void setHostName(String hostName) {
        this.hostName = hostName;
    }

    public int getMaxMessageSize() {
        return maxMessageSize;
    }

    /**
     * Largest message accepted, in octets; advertised as SIZE, checked against MAIL FROM's SIZE= and enforced while
     * the message streams in (552 5.3.4). Must be positive.
     */
    public void setMaxMessageSize(int maxMessageSize) {
        this.maxMessageSize = maxMessageSize;
    }

    public String getAcceptedDomains() {
        return acceptedDomains;
    }

    /**
     * Comma-separated domains we accept mail for (case-insensitive; an entry starting with a dot also matches
     * subdomains; * accepts any domain). Recipients elsewhere get 554 5.7.1 unless the session authenticated. With
     * neither this nor rcptPolicy set, every unauthenticated recipient is refused: the listener is never an open relay.
     */
    public void setAcceptedDomains(String acceptedDomains) {
        this.acceptedDomains = acceptedDomains;
    }

    public String getConnectPolicy() {
        return connectPolicy;
    }

    /**
     * Endpoint (e.g. direct:connect-check) called synchronously when a client connects, before the greeting. It
     * refuses by throwing SmtpRejectException or setting header CamelSmtpReply to a 4xx/5xx line.
     */
    public void setConnectPolicy(String connectPolicy) {
        this.connectPolicy = connectPolicy;
    }

    public String getHeloPolicy() {
        return heloPolicy;
    }

    /** Endpoint called synchronously on HELO/EHLO, with header CamelSmtpHelo; refuses like connectPolicy. */
    public void setHeloPolicy(String heloPolicy) {
        this.heloPolicy = heloPolicy;
    }

    public String getMailPolicy() {
        return mailPolicy;
    }

    /** Endpoint called synchronously on MAIL FROM, with header CamelSmtpEnvelopeFrom; refuses like connectPolicy. */
    public void setMailPolicy(String mailPolicy) {
        this.mailPolicy = mailPolicy;
    }

    public String getRcptPolicy() {
        return rcptPolicy;
    }

    /**
     * Endpoint called synchronously for each RCPT TO, with header CamelSmtpRecipient holding the recipient tried;
     * refuses like connectPolicy. Returning normally accepts the recipient, so this route is in charge of relay control
     * for the domains it accepts.
     */
    public void setRcptPolicy(String rcptPolicy) {
        this.rcptPolicy = rcptPolicy;
    }

    public String getEtrnQueue() {
        return etrnQueue;
    }

    /**
     * Endpoint of the queue that ETRN (RFC 1985) starts, e.g. smtp-queue:outbound; resolved at start, which fails
     * when it is no queue that can flush a domain. Setting it advertises ETRN in the EHLO reply; etrnPolicy is then
     * required.
     */
    public void setEtrnQueue(String etrnQueue) {
        this.etrnQueue = etrnQueue;
    }

    public String getEtrnPolicy() {
        return etrnPolicy;
    }

    /**
     * Endpoint called synchronously on ETRN, with headers CamelSmtpEtrnNode and CamelSmtpEtrnSubdomains and what is
     * known of the session (address, HELO, AUTH user, TLS). Returning normally allows the queue run; it refuses like
     * connectPolicy (e.g. CamelSmtpReply 459 4.7.1 Node not allowed). Required with etrnQueue.
     */
    public void setEtrnPolicy(String etrnPolicy) {
        this.etrnPolicy = etrnPolicy;
    }

    public int getMaxEtrnPerMinute() {
        return maxEtrnPerMinute;
    }

    /** ETRN commands per client address per minute, all sessions; more get 458 4.7.0. 0: no limit. */
    public void setMaxEtrnPerMinute(int maxEtrnPerMinute) {
        this.maxEtrnPerMinute = maxEtrnPerMinute;
    }

    public boolean isMapMailHeaders() {
        return mapMailHeaders;
    }

    /**
     * Copy the message's Subject, From, To, Cc, Reply-To, Date, Message-ID, In-Reply-To and References into Camel
     * headers of the same names (decoded), for Simple expressions. Off by default: such headers would travel on to
     * HTTP or JMS endpoints like any other header.
     */
    public void setMapMailHeaders(boolean mapMailHeaders) {
        this.mapMailHeaders = mapMailHeaders;
    }

    public long getReplyTimeout() {
        return replyTimeout;
    }

    /**
     * How long the reply after DATA waits for the route to complete (asynchronous routes included). Past it the client
     * gets 451 4.4.7 and will retry, so the route may see the message twice.
     */
    public void setReplyTimeout(long replyTimeout) {
        this.replyTimeout = replyTimeout;
    }

    public boolean isDsn() {
        return dsn;
    }

    /**
     * Advertise DSN (RFC 3461) and accept its RET, ENVID, NOTIFY and ORCPT parameters, passed on as headers. Enable it
     * only when the route honours them (the durable queue does).
     */
    public void setDsn(boolean dsn) {
        this.dsn = dsn;
    }

    public boolean isChunking() {
        return chunking;
    }

    /** Advertise CHUNKING and accept BDAT (RFC 3030). */
    public void setChunking(boolean chunking) {
        this.chunking = chunking;
    }

    public boolean isLmtp() {
        return lmtp;
    }

    /**
     * Speak LMTP (RFC 2033) instead of SMTP, for an MTA handing mail to this route as its last hop (Postfix
     * mailbox_transport = lmtp:inet:host:port): LHLO instead of HELO/EHLO (which get 500 5.5.1), the same extensions,
     * and after the message one reply per accepted recipient, in RCPT order, taken from the route's
     * CamelSmtpRecipientReplies header (recipient to reply); a recipient without its own reply gets the route's reply.
     * Cannot be combined with etrnQueue.
     */
    public void setLmtp(boolean lmtp) {
        this.lmtp = lmtp;
    }

    public int getMaxRecipients() {
        return maxRecipients;
    }

    /** Recipients accepted per message; further RCPT commands get 452 4.5.3. */
    public void setMaxRecipients(int maxRecipients) {
        this.maxRecipients = maxRecipients;
    }

    public int getMaxConnections() {
        return maxConnections;
    }

    /** Concurrent sessions; a connection beyond gets 421 4.7.0 and is closed. */
    public void setMaxConnections(int maxConnections) {
        this.maxConnections = maxConnections;
    }

    public int getMaxConnectionsPerIp() {
        return maxConnectionsPerIp;
    }

    /** Concurrent sessions from one client address; beyond it 421 4.7.0 and close. 0 for no limit. */
    public void setMaxConnectionsPerIp(int maxConnectionsPerIp) {
        this.maxConnectionsPerIp = maxConnectionsPerIp;
    }

    public String getConnectionLimitExemptNetworks() {
        return connectionLimitExemptNetworks;
    }

    /**
     * Client networks (IPv4/IPv6 CIDR, comma-separated) that maxConnectionsPerIp does not apply to, as Postfix exempts
     * $mynetworks: loopback by default, so a local application may open many sessions. Empty to limit every client.
     */
    public void setConnectionLimitExemptNetworks(String connectionLimitExemptNetworks) {
        this.connectionLimitExemptNetworks = connectionLimitExemptNetworks;
    }

    public int getMaxErrors() {
        return maxErrors;
    }

    /** Error replies (4xx/5xx) a session may collect before 421 4.7.0 closes it. 0 for no limit. */
    public void setMaxErrors(int maxErrors) {
        this.maxErrors = maxErrors;
    }

    public int getMaxLineLength() {
        return maxLineLength;
    }

    /**
     * Longest text line in a message, in octets including CRLF (RFC 5321 section 4.5.3.1.6 sets 1000); a longer line
     * gets 550 5.6.0 after the message. 0 for no limit.
     */
    public void setMaxLineLength(int maxLineLength) {
        this.maxLineLength = maxLineLength;
    }

    public boolean isAllowBareLineFeeds() {
        return allowBareLineFeeds;
    }

    /**
     * Accept a bare CR or LF in message content and normalise it to CRLF. By default such a message gets 550 5.6.0:
     * bare line endings are what SMTP smuggling relies on. Only CRLF.CRLF ever ends DATA.
     */
    public void setAllowBareLineFeeds(boolean allowBareLineFeeds) {
        this.allowBareLineFeeds = allowBareLineFeeds;
    }

    public long getIdleTimeout() {
        return idleTimeout;
    }

    /** How long we wait for the client's next command or data (RFC 5321 section 4.5.3.2.7: at least 5 minutes). */
    public void setIdleTimeout(long idleTimeout) {
        this.idleTimeout = idleTimeout;
    }

    public long getMaxSessionTime() {
        return maxSessionTime;
    }

    /** Longest a session may last in all; then 421 4.4.2 and close. 0 for no limit. */
    public void setMaxSessionTime(long maxSessionTime) {
        this.maxSessionTime = maxSessionTime;
    }

    public int getBacklog() {
        return backlog;
    }

    /** Listen backlog: connections the kernel queues before we accept them. */
    public void setBacklog(int backlog) {
        this.backlog = backlog;
    }

    public long getShutdownGracePeriod() {
        return shutdownGracePeriod;
    }

    /**
     * On stop or suspend the port closes at once and idle sessions get 421 4.3.2; sessions inside a command (such as
     * DATA) get this long to finish before they are closed.
     */
    public void setShutdownGracePeriod(long shutdownGracePeriod) {
        this.shutdownGracePeriod = shutdownGracePeriod;
    }

    public int getSpoolThreshold() {
        return spoolThreshold;
    }

    /** Messages up to this many octets are held in memory; larger ones are spooled to a file in spoolDirectory. */
    public void setSpoolThreshold(int spoolThreshold) {
        this.spoolThreshold = spoolThreshold;
    }

    public String getSpoolDirectory() {
        return spoolDirectory;
    }

    /**
     * Directory for messages above spoolThreshold while the route runs: owned by the JVM's user and not writable by
     * group or others, else the route does not start. Default: a private camel-smtp-random in java.io.tmpdir.
     */
    public void setSpoolDirectory(String spoolDirectory) {
        this.spoolDirectory = spoolDirectory;
    }

    public SSLContextParameters getSslContextParameters() {
        return sslContextParameters;
    }

    /** TLS configuration: enables STARTTLS, or TLS from the first byte with implicitTls. */
    public void setSslContextParameters(SSLContextParameters sslContextParameters) {
        this.sslContextParameters = sslContextParameters;
    }

    public boolean isImplicitTls() {
        return implicitTls;
    }

    /** TLS from the first byte (submissions on port 465, RFC 8314) instead of STARTTLS. */
    public void setImplicitTls(boolean implicitTls) {
        this.implicitTls = implicitTls;
    }

    public boolean isRequireTls() {
        return requireTls;
    }

    /** Refuse MAIL FROM with 530 5.7.0 until the session runs TLS. */
    public void setRequireTls(boolean requireTls) {
        this.requireTls = requireTls;
    }

    public boolean isAdvertiseRequireTls() {
        return advertiseRequireTls;
    }

    /**
     * Offer REQUIRETLS (RFC 8689) in the EHLO reply of TLS sessions and accept it on MAIL FROM there, recorded as the
     * CamelSmtpRequireTlsOption header; never offered or accepted in plaintext. Not requireTls, which makes clients
     * STARTTLS.
     */
    public void setAdvertiseRequireTls(boolean advertiseRequireTls) {
        this.advertiseRequireTls = advertiseRequireTls;
    }

    public SmtpAuthenticator getAuthenticator() {
        return authenticator;
    }

    /** Checks AUTH PLAIN and LOGIN credentials; AUTH is offered only when set. */
    public void setAuthenticator(SmtpAuthenticator authenticator) {
        this.authenticator = authenticator;
    }

    public boolean isRequireAuth() {
        return requireAuth;
    }

    /** Refuse MAIL FROM with 530 5.7.0 until the client authenticated (a submission port, 587). */
    public void setRequireAuth(boolean requireAuth) {
        this.requireAuth = requireAuth;
    }

    public boolean isAllowAuthWithoutTls() {
        return allowAuthWithoutTls;
    }

    /** Offer AUTH on a plaintext session, where passwords cross the network in the clear. */
    public void setAllowAuthWithoutTls(boolean allowAuthWithoutTls) {
        this.allowAuthWithoutTls = allowAuthWithoutTls;
    }

    public long getAuthFailureDelay() {
        return authFailureDelay;
    }

    /** Pause before answering a failed AUTH with 535 5.7.8, to slow down password guessing. */
    public void setAuthFailureDelay(long authFailureDelay) {
        this.authFailureDelay = authFailureDelay;
    }

    public int getMaxAuthFailuresPerIp() {
        return maxAuthFailuresPerIp;
    }

    /** Failed AUTH per client address within authFailureWindow, all sessions; then 421 4.7.0 at connect. 0: none. */
    public void setMaxAuthFailuresPerIp(int maxAuthFailuresPerIp) {
        this.maxAuthFailuresPerIp = maxAuthFailuresPerIp;
    }

    public long getAuthFailureWindow() {
        return authFailureWindow;
    }

    /** The time from an address's first failed AUTH over which maxAuthFailuresPerIp counts. */
    public void setAuthFailureWindow(long authFailureWindow) {
        this.authFailureWindow = authFailureWindow;
    }

    public String getAuthFailureLimitExemptNetworks() {
        return authFailureLimitExemptNetworks;
    }

    /** Client networks (IPv4/IPv6 CIDR, comma-separated) exempt from maxAuthFailuresPerIp; none by default. */
    public void setAuthFailureLimitExemptNetworks(String authFailureLimitExemptNetworks) {
        this.authFailureLimitExemptNetworks = authFailureLimitExemptNetworks;
    }
}

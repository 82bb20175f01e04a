package io.camelsmtp.smtp.relay.client;

import java.time.Duration;

import javax.net.ssl.SSLContext;
import javax.net.ssl.X509TrustManager;

/**
 * How the client behaves towards receiving servers.
 *
 * @param heloName               our name in EHLO/HELO
 * @param port                   port on each MX host (25) or the smart host's port
 * @param tls                    STARTTLS policy
 * @param verifyingTls           context that checks certificates, for {@link TlsPolicy#required}
 * @param serverTrust            the same trust, to find out whether an opportunistic session's certificate would
 *                               have passed (credentials go only over verified TLS)
 * @param username               AUTH user for a smart host, or null
 * @param password               AUTH password, or null
 * @param authOverUnverifiedTls  send credentials over TLS whose certificate was not verified
 * @param connectTimeout         TCP connect
 * @param commandTimeout         greeting and each command (RFC 5321 §4.5.3.2: 5 minutes)
 * @param dataTimeout            reply after the final dot (RFC 5321 §4.5.3.2.6: 10 minutes)
 * @param maxAttemptTime         one attempt on one host, greeting to QUIT; zero for no limit
 * @param maxMxHosts             mail exchangers tried per destination
 * @param maxMxAddresses         addresses tried per destination, all hosts together; zero for no limit
 * @param maxMxSessions          sessions (EHLO and TLS done) per destination; zero for no limit
 * @param connectionReuse        keep connections open for the next message to the same host
 * @param idleConnectionTime     how long an unused connection is kept
 * @param maxConnectionsPerHost  concurrent connections to one host address
 * @param lmtp                   speak LMTP (RFC 2033): LHLO, and one reply per accepted recipient after the data
 * @param unixSocket             path of the Unix-domain socket to connect to instead of TCP, or null
 * @param chunking               send the content with BDAT (RFC 3030) when the server offers CHUNKING
 * @param source                 the addresses connections are sent from ({@code localAddress})
 */
public record ClientSettings(String heloName, int port, TlsPolicy tls, SSLContext verifyingTls,
        X509TrustManager serverTrust, String username, String password, boolean authOverUnverifiedTls,
        Duration connectTimeout, Duration commandTimeout, Duration dataTimeout, Duration maxAttemptTime, int maxMxHosts,
        int maxMxAddresses, int maxMxSessions, boolean connectionReuse, Duration idleConnectionTime,
        int maxConnectionsPerHost, boolean lmtp, String unixSocket, boolean chunking,
        SourceAddresses source) {
}

package io.camelsmtp.smtp.relay.client;

import java.time.Duration;

import javax.net.ssl.SSLContext;
/**
 * How the client behaves towards receiving servers.
 *
 * @param heloName               our name in EHLO/HELO
 * @param port                   port on each MX host (25) or the smart host's port
 * @param tls                    STARTTLS policy
 * @param verifyingTls           context that checks certificates, for {@link TlsPolicy#required}
 * @param username               AUTH user for a smart host, or null
 * @param password               AUTH password, or null
 * @param connectTimeout         TCP connect
 * @param commandTimeout         greeting and each command (RFC 5321 §4.5.3.2: 5 minutes)
 * @param dataTimeout            reply after the final dot (RFC 5321 §4.5.3.2.6: 10 minutes)
 * @param maxMxHosts             mail exchangers tried per destination
 * @param connectionReuse        keep connections open for the next message to the same host
 * @param idleConnectionTime     how long an unused connection is kept
 * @param maxConnectionsPerHost  concurrent connections to one host address
 */
public record ClientSettings(String heloName, int port, TlsPolicy tls, SSLContext verifyingTls, String username,
        String password, Duration connectTimeout, Duration commandTimeout, Duration dataTimeout, int maxMxHosts,
        boolean connectionReuse, Duration idleConnectionTime, int maxConnectionsPerHost) {
}

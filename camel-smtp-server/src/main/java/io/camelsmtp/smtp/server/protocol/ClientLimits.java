package io.camelsmtp.smtp.server.protocol;

import io.camelsmtp.smtp.common.Networks;

/**
 * How much one listener grants its clients: sessions in all and per client address, and failed AUTH per address.
 *
 * @param maxConnections      sessions at once; more get {@code 421 4.7.0}
 * @param maxConnectionsPerIp sessions at once from one address; 0 for no limit
 * @param perIpExempt         addresses that {@code maxConnectionsPerIp} does not apply to
 * @param authFailures        failed AUTH per address across sessions
 * @param etrnRequests        ETRN commands per address across sessions, counted in the same bounded per-address
 *                            windows as failed AUTH ({@link AuthFailures}: a window opens at an address's first ETRN)
 */
public record ClientLimits(int maxConnections, int maxConnectionsPerIp, Networks perIpExempt, AuthFailures authFailures,
        AuthFailures etrnRequests) {
}

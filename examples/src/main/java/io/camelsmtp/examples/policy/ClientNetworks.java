package io.camelsmtp.examples.policy;

import io.camelsmtp.smtp.common.Networks;

/**
 * The client networks trusted to relay mail through us, like Postfix's {@code mynetworks}: a list of IPv4 and IPv6
 * addresses and CIDR blocks, separated by commas or spaces ({@code 127.0.0.0/8, [::1]/128, 192.0.2.7,
 * 2001:db8::/32}). A recipient-policy route asks it about the client's address:
 * {@code method: { ref: relayNetworks, method: "contains(${header.CamelSmtpRemoteAddress})" }}.
 * Entries must be address literals: a host name would need DNS at start-up and is refused. An IPv4-mapped IPv6
 * client address ({@code ::ffff:192.0.2.7}) is matched as the IPv4 address it carries.
 */
public class ClientNetworks {

    private volatile Networks networks = Networks.parse(null);

    /** The trusted networks; an empty list trusts no client. A bad entry is refused, naming it. */
    public void setNetworks(String list) {
        this.networks = Networks.parse(list);
    }

    public String getNetworks() {
        return networks.toString();
    }

    /** Whether the client address (as {@code CamelSmtpRemoteAddress} gives it) is in one of the networks. */
    public boolean contains(String address) {
        return networks.contains(address);
    }
}

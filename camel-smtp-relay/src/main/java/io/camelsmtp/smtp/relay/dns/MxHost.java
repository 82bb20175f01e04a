package io.camelsmtp.smtp.relay.dns;

import java.net.InetAddress;
import java.util.List;

/** One mail exchanger of a destination: its name, MX preference and the addresses to try, in order. */
public record MxHost(String name, int preference, List<InetAddress> addresses) {
}

package io.camelsmtp.smtp.relay.dane;

import org.xbill.DNS.Name;

/** DNS whose answers say whether DNSSEC vouches for them; {@link DnssecResolver} is the one implementation. */
public interface SecureDns {

    /** The answer for {@code name}/{@code type}, CNAMEs followed; never throws for DNS trouble (see the status). */
    SecureAnswer query(Name name, int type);
}

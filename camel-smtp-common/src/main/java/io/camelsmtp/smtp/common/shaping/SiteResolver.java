package io.camelsmtp.smtp.common.shaping;

import java.util.List;

/**
 * Finds the mail exchangers of a domain, so that domains served by the same hosts share one site (and one budget):
 * gmail.com and every domain hosted by Google are one site. The relay provides one that asks DNS with its own
 * resolver settings; the queue asks it off its scheduler thread and caches the answer.
 */
public interface SiteResolver {

    /**
     * The MX host names of {@code domain} in lower case without the final dot; the domain itself when it has no MX
     * record (its address record is the implicit MX); empty for a null MX. Throws when the answer is not known now
     * (a DNS failure or time-out): the domain is then its own site until it is asked again.
     */
    List<String> mxHosts(String domain) throws Exception;
}

package io.camelsmtp.smtp.auth.dnsbl;

import java.util.List;

/**
 * The outcome of one client's check.
 *
 * @param result  {@code listed} (at least one zone lists it), {@code clean} (every zone answered, none lists it), or
 *                {@code temperror} (none lists it, but at least one zone failed: time-out, SERVFAIL, an answer
 *                outside 127/8 or a "query refused" code)
 * @param listed  the zones that list the client, in the order of the zones option
 * @param codes   the listing answers as {@code zone=127.0.0.x}
 * @param reason  the first listing zone's TXT reason, sanitised ({@link ReplyText}), or null
 * @param failed  the zones that failed, with why, as {@code zone: why}
 */
public record DnsblResult(String result, List<String> listed, List<String> codes, String reason, List<String> failed) {

    public boolean isListed() {
        return !listed.isEmpty();
    }
}

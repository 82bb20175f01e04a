package io.camelsmtp.smtp.relay.dane;

import java.util.List;

import org.xbill.DNS.Name;
import org.xbill.DNS.Record;

/**
 * The answer to one question, CNAMEs followed: the records of the asked type at the end of the chain (empty for
 * NODATA and NXDOMAIN), the names the chain went through, and how secure the whole chain was (the weakest link).
 *
 * @param target the name the records are at (the question's name when there was no CNAME)
 * @param why    for BOGUS and INDETERMINATE: what went wrong, for logs and replies
 */
public record SecureAnswer(Security security, List<Record> records, Name target, List<Name> aliases, boolean nxdomain,
        String why) {

    public SecureAnswer {
        records = List.copyOf(records);
        aliases = List.copyOf(aliases);
    }

    /** Whether the answer is one DANE may rest on: secure, positive or not. */
    public boolean secure() {
        return security == Security.SECURE;
    }

    /** Whether no trustworthy answer was had (bogus or indeterminate): DANE then refuses the host. */
    public boolean failed() {
        return security == Security.BOGUS || security == Security.INDETERMINATE;
    }
}

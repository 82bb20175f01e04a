package io.camelsmtp.examples.policy;

import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;

import io.camelsmtp.smtp.common.SmtpEnvelopeHeaders;
import org.apache.camel.Exchange;
import org.apache.camel.Handler;
import org.apache.camel.Message;

/**
 * Binds MAIL FROM to the authenticated user on a submission port, like Postfix's
 * {@code reject_sender_login_mismatch}: a user may send only as an address it owns, so that a stolen or shared
 * password cannot send as the boss. The mapping (what {@code smtpd_sender_login_maps} would list) is a rule:
 * <ul>
 * <li>user {@code alice} owns {@code alice@d} for each domain {@code d} in {@link #setDomains domains};</li>
 * <li>a user name that is itself an address ({@code alice@example.org}) owns that address, and no other;</li>
 * <li>nobody owns the null sender {@code <>}: mail a user submits is never a bounce.</li>
 * </ul>
 * Local parts and domains compare case-insensitively. As a {@code mailPolicy} step it leaves an owned sender alone and
 * sets {@code CamelSmtpReply} to {@code 553 5.7.1 <addr>: Sender address rejected: not owned by user alice} for any
 * other, which smtp-server sends as the reply to MAIL FROM. Copy and change the rule for aliases or shared mailboxes.
 */
public class SenderLogins {

    /** The header smtp-server puts the AUTH user in (smtp-server's {@code CamelSmtpAuthenticatedUser}). */
    static final String AUTHENTICATED_USER = "CamelSmtpAuthenticatedUser";
    private static final String REPLY = "CamelSmtpReply";

    private volatile Set<String> domains = Set.of();

    /** The domains whose {@code <user>@<domain>} addresses the users own, comma-separated: {@code example.org}. */
    public void setDomains(String domains) {
        Set<String> set = new LinkedHashSet<>();
        for (String d : domains.split(",")) {
            String domain = d.strip().toLowerCase(Locale.ROOT);
            if (!domain.isEmpty()) {
                set.add(domain);
            }
        }
        this.domains = Collections.unmodifiableSet(set);
    }

    public String getDomains() {
        return String.join(",", domains);
    }

    /** Whether {@code user} may use {@code sender} as MAIL FROM; false for a missing user and for the null sender. */
    public boolean owns(String user, String sender) {
        if (user == null || user.isEmpty() || sender == null || sender.isEmpty()) {
            return false;
        }
        String login = user.toLowerCase(Locale.ROOT);
        String address = sender.toLowerCase(Locale.ROOT);
        if (login.indexOf('@') >= 0) {
            return login.equals(address);
        }
        int at = address.lastIndexOf('@');
        return at > 0 && address.substring(0, at).equals(login) && domains.contains(address.substring(at + 1));
    }

    /** The {@code mailPolicy} step: refuses a sender the authenticated user does not own with 553 5.7.1. */
    @Handler
    public void check(Exchange exchange) {
        Message in = exchange.getMessage();
        String user = in.getHeader(AUTHENTICATED_USER, String.class);
        String sender = in.getHeader(SmtpEnvelopeHeaders.ENVELOPE_FROM, String.class);
        if (!owns(user, sender)) {
            in.setHeader(REPLY, "553 5.7.1 <" + (sender == null ? "" : sender) + ">: Sender address rejected: "
                                + (user == null ? "not logged in" : "not owned by user " + user));
        }
    }
}

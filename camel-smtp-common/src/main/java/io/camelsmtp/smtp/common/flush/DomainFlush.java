package io.camelsmtp.smtp.common.flush;

/**
 * A queue that can start delivery now of the mail it holds for one destination domain: what ETRN (RFC 1985) asks of
 * the queue behind a listener. {@code smtp-queue:NAME} endpoints implement it; {@code smtp-server} finds the
 * implementation through its {@code etrnQueue} option, so the listener never knows the queue's classes.
 */
public interface DomainFlush {

    /**
     * Makes every waiting message that has a recipient still pending at {@code domain} due now (its next attempt is
     * moved to the present; held messages and messages already being delivered are left alone). With
     * {@code subdomains}, recipients at any domain under {@code domain} count too ({@code ETRN @example.org}: the
     * domain itself and {@code *.example.org}). A message is delivered whole: its recipients at other domains are tried
     * in the same attempt. Matching is case-insensitive, on the domain as the recipient address spells it.
     *
     * @param  domain                a host name in ASCII, without a trailing dot
     * @return                       how many messages were made due; 0 when none was waiting for the domain
     * @throws IllegalStateException when the queue is not delivering now (no consumer runs it): nothing was started
     */
    int flushDomain(String domain, boolean subdomains);
}

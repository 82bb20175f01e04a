/**
 * DNS block lists (RFC 5782): the query name of a client address, the zones and the return codes that mean
 * "listed", the parallel look-up with one time-out, and the list's TXT reason made safe for an SMTP reply. Failure
 * model: a list that does not answer, answers wrongly or refuses the query never blocks a client; it is logged once
 * and reported.
 */
package io.camelsmtp.smtp.auth.dnsbl;

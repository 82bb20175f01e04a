/**
 * DMARC (RFC 7489), written here because no maintained Java library does it: {@link
 * io.camelsmtp.smtp.auth.dmarc.DmarcRecord} parses a policy record (strictly: a record that does not parse is no
 * policy), {@link io.camelsmtp.smtp.auth.dmarc.OrganizationalDomain} finds the organisational domain with the
 * Public Suffix List Guava carries, {@link io.camelsmtp.smtp.auth.dmarc.DmarcEvaluator} discovers the policy of the
 * From domain(s), checks SPF and DKIM alignment and applies {@code pct}. Nothing a record or a message holds makes it
 * throw; DNS failures are {@code temperror}.
 */
package io.camelsmtp.smtp.auth.dmarc;

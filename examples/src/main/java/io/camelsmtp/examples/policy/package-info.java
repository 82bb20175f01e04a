/**
 * Policy beans, asked by the routes before mail is accepted or passed on:
 * {@link io.camelsmtp.examples.policy.ClientNetworks} (which clients may relay, like Postfix's {@code mynetworks}),
 * {@link io.camelsmtp.examples.policy.SenderLogins} (which MAIL FROM an authenticated user may use, like Postfix's
 * {@code reject_sender_login_mismatch}),
 * {@link io.camelsmtp.examples.policy.EnvelopeRewrite} (a bare {@code postmaster} gets a domain) and
 * {@link io.camelsmtp.examples.policy.ContentInspector} (executables, spam score, quarantine).
 * <p>
 * Policy is what every site sets differently, which is why it is here as small beans a route names and a user copies
 * and changes, and not options of the components.
 */
package io.camelsmtp.examples.policy;

/**
 * Local delivery beans, the last step of a route that keeps mail on this host:
 * {@link io.camelsmtp.examples.delivery.FsyncMailbox} (one folder, {@code <queue id>.eml}),
 * {@link io.camelsmtp.examples.delivery.UserMailboxes} (a folder per local user) and
 * {@link io.camelsmtp.examples.delivery.MaildirDelivery} (Maildir for an IMAP server), all through
 * {@link io.camelsmtp.examples.delivery.DurableFiles}.
 * <p>
 * Together because they share one promise, which Camel's file component does not keep: a message is fsynced, renamed
 * into place and its directory fsynced before the route completes, so the SMTP client's 250 means it survives a
 * crash; and what they create is private to the process's user (folders {@code rwx------}, files {@code rw-------}),
 * whatever the umask. They live with the app, not in a component, as examples to copy and change.
 */
package io.camelsmtp.examples.delivery;

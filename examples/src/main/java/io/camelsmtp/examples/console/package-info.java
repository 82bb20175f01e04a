/**
 * The queue console of the app, on its admin port: the static page, script and style ({@link
 * io.camelsmtp.examples.console.ConsoleFiles}, the only paths served without the admin token), the live delivery
 * events as server-sent events ({@link io.camelsmtp.examples.console.EventStreams}, bounded per stream and in number),
 * and the sampler behind the last-hour chart ({@link io.camelsmtp.examples.console.QueueSampler}). The console's
 * other data are the admin routes of {@code admin/queue-admin.camel.yaml}; the guard in front of all of them is
 * {@code io.camelsmtp.examples.app.HttpGuard}. See docs/operations.md, "Console".
 */
package io.camelsmtp.examples.console;

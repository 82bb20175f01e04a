/**
 * The runnable app: {@link io.camelsmtp.examples.app.MailRouter} (Camel Main with the YAML DSL, {@code --routes}, exit
 * status; the jar's main class), {@link io.camelsmtp.examples.app.StartupSummary} and
 * {@link io.camelsmtp.examples.app.StartupFailure} (what an operator sees at start-up: what listens where, or the
 * route file and line at fault), {@link io.camelsmtp.examples.app.AdminHttpServer} and
 * {@link io.camelsmtp.examples.app.QueueAdmin} (the queue's HTTP operations on loopback), behind
 * {@link io.camelsmtp.examples.app.HttpGuard} (Host check, bearer token, JSON-only changes) with the tokens of
 * {@link io.camelsmtp.examples.app.AccessToken}; {@link io.camelsmtp.examples.app.MtaStsPolicyServer} (our own MTA-STS
 * policy, public, on a listener of its own).
 * <p>
 * Kept apart from the beans the routes name because these classes are the app, not policy to copy: a user changes
 * routes and beans, and runs this. Camel Main scans this package (the main class's) and the ones below it for Java
 * {@code RouteBuilder}s, so it holds none, and neither do the tests in it: routes come from YAML files only.
 */
package io.camelsmtp.examples.app;

package io.camelsmtp.smtp.server.auth;

/**
 * Checks the credentials of an SMTP AUTH exchange (PLAIN or LOGIN). Implement it and bind it in the registry, then
 * name it with the {@code authenticator} option, e.g. {@code authenticator=#bean:users}.
 */
@FunctionalInterface
public interface SmtpAuthenticator {

    /**
     * @return true when the credentials are valid; false makes the client see {@code 535 5.7.8} after the configured
     *         delay
     * @throws Exception when the check itself failed (a directory down, say): the client sees {@code 454 4.7.0} and may
     *                   try again
     */
    boolean authenticate(String username, String password) throws Exception;
}

package io.camelsmtp.smtp.auth;

import java.util.List;

import io.camelsmtp.smtp.auth.dkim.SigningKey;

/**
 * Keys for {@code smtp-auth:dkim-sign} from the application (a vault, a database): bound as a bean and named in the
 * {@code keyResolver} option.
 */
@FunctionalInterface
public interface DkimKeyResolver {

    /**
     * The keys to sign a message for {@code domain} with, one signature each (for example an RSA and an Ed25519 key);
     * empty when the domain has none (the message is then refused, not sent unsigned).
     *
     * @param selector the selector(s) asked for (the {@code selector} option or header, comma-separated), or null
     */
    List<SigningKey> keys(String domain, String selector) throws Exception;
}

package io.camelsmtp.smtp.server.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.concurrent.ConcurrentHashMap;
import java.util.Map;

/**
 * An {@link SmtpAuthenticator} over a fixed map of user names to passwords, for examples and tests. Passwords are
 * compared in constant time; production setups should bind an authenticator backed by their directory instead.
 */
public class MapAuthenticator implements SmtpAuthenticator {

    private final Map<String, String> users = new ConcurrentHashMap<>();

    public MapAuthenticator() {
    }

    public MapAuthenticator(Map<String, String> users) {
        setUsers(users);
    }

    /** Replaces the users: keys are user names, values their passwords. */
    public void setUsers(Map<String, String> users) {
        this.users.clear();
        this.users.putAll(users);
    }

    /** The live map (Camel's property binding fills it entry by entry, e.g. from a YAML {@code beans:} block). */
    public Map<String, String> getUsers() {
        return users;
    }

    @Override
    public boolean authenticate(String username, String password) {
        String expected = users.get(username);
        byte[] given = password == null ? new byte[0] : password.getBytes(StandardCharsets.UTF_8);
        byte[] wanted = expected == null ? new byte[0] : expected.getBytes(StandardCharsets.UTF_8);
        return MessageDigest.isEqual(given, wanted) && expected != null;
    }
}

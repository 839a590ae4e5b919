package dev.callcontrol.local.sim;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Who may call the simulator's REST API: HTTP basic credentials of the account (its SID and auth
 * token) or of an API key acting for it (its SID and secret) [rule rest.auth.api-key].
 */
final class RestCredentials {
    private final String accountSid;
    private final String authToken;
    private final Map<String, String> apiKeys = new ConcurrentHashMap<>();

    RestCredentials(String accountSid, String authToken) {
        this.accountSid = accountSid;
        this.authToken = authToken;
    }

    /** Accepts an API key's SID and secret from now on. */
    void acceptApiKey(String keySid, String keySecret) {
        if (keySid == null || !keySid.matches("^SK[0-9a-fA-F]{32}$") || keySecret == null || keySecret.isEmpty()) {
            throw new IllegalArgumentException("an API key is an SK SID and a secret");
        }
        apiKeys.put(keySid, keySecret);
    }

    /** Whether an {@code Authorization} header carries the account's credentials or an accepted key's. */
    boolean authenticated(String authorization) {
        String given = decoded(authorization);
        if (given == null) {
            return false;
        }
        String username = userOf(given);
        String password = username.equals(accountSid) ? authToken : apiKeys.get(username);
        if (password == null) {
            return false;
        }
        String expected = username + ":" + password;
        return MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8), expected.getBytes(StandardCharsets.UTF_8));
    }

    /** Who a request authenticates as: the username of its basic credentials (never the password), or null. */
    static String username(String authorization) {
        String given = decoded(authorization);
        return given == null ? null : userOf(given);
    }

    private static String userOf(String decoded) {
        int colon = decoded.indexOf(':');
        return colon < 0 ? decoded : decoded.substring(0, colon);
    }

    private static String decoded(String authorization) {
        if (authorization == null || !authorization.startsWith("Basic ")) {
            return null;
        }
        try {
            return new String(Base64.getDecoder().decode(authorization.substring(6).trim()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}

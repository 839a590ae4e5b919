package dev.callcontrol.twilio;

import com.fasterxml.jackson.databind.JsonNode;
import dev.callcontrol.config.Config;
import dev.callcontrol.config.ConfigurationException;
import dev.callcontrol.config.Setting;
import dev.callcontrol.http.Json;

import java.util.ArrayList;
import java.util.List;

/**
 * The Twilio secrets a function holds: the auth token (signatures), during a rotation Twilio's
 * secondary auth token (signatures), and the API key's secret (REST requests). Never logged:
 * {@link #toString} names which are present, not their values.
 */
public record TwilioSecrets(String authToken, String secondaryAuthToken, String apiKeySecret) {
    public TwilioSecrets {
        if (authToken == null || authToken.isEmpty()) {
            throw new ConfigurationException("Missing required setting " + Setting.TWILIO_AUTH_TOKEN.name() + ": " + Setting.TWILIO_AUTH_TOKEN.description());
        }
        secondaryAuthToken = secondaryAuthToken == null ? "" : secondaryAuthToken;
        apiKeySecret = apiKeySecret == null ? "" : apiKeySecret;
    }

    /** From the environment: the local runtime, tests, and a deployment without {@code TWILIO_SECRET_ID}. */
    public static TwilioSecrets fromEnvironment(Config config) {
        return new TwilioSecrets(config.authToken(), config.secondaryAuthToken(), config.apiKeySecret());
    }

    /**
     * From a secret's string: a JSON object with {@code TWILIO_AUTH_TOKEN} and, as needed,
     * {@code TWILIO_SECONDARY_AUTH_TOKEN} and {@code TWILIO_API_KEY_SECRET}, each a string. An
     * error names the secret and the key, never a value.
     */
    public static TwilioSecrets fromJson(String secretString, String secretId) {
        JsonNode json;
        try {
            json = secretString == null ? null : Json.MAPPER.readTree(secretString);
        } catch (java.io.IOException e) {
            json = null;
        }
        if (json == null || !json.isObject()) {
            throw new ConfigurationException("The secret " + secretId + " must be a JSON object with " + Setting.TWILIO_AUTH_TOKEN.name()
                    + " (and " + Setting.TWILIO_API_KEY_SECRET.name() + ", " + Setting.TWILIO_SECONDARY_AUTH_TOKEN.name() + " as needed)");
        }
        return new TwilioSecrets(text(json, Setting.TWILIO_AUTH_TOKEN, secretId), text(json, Setting.TWILIO_SECONDARY_AUTH_TOKEN, secretId),
                text(json, Setting.TWILIO_API_KEY_SECRET, secretId));
    }

    private static String text(JsonNode json, Setting key, String secretId) {
        JsonNode value = json.get(key.name());
        if (value == null || value.isNull()) {
            return "";
        }
        if (!value.isTextual()) {
            throw new ConfigurationException("The secret " + secretId + " holds " + key.name() + " as something other than a string");
        }
        return value.asText().trim();
    }

    /** The tokens a webhook may be signed with: the auth token, then the secondary when there is one. */
    public List<String> signingTokens() {
        List<String> tokens = new ArrayList<>(2);
        tokens.add(authToken);
        if (!secondaryAuthToken.isEmpty() && !secondaryAuthToken.equals(authToken)) {
            tokens.add(secondaryAuthToken);
        }
        return List.copyOf(tokens);
    }

    @Override
    public String toString() {
        return "TwilioSecrets[authToken=<redacted>, secondaryAuthToken=" + (secondaryAuthToken.isEmpty() ? "none" : "<redacted>")
                + ", apiKeySecret=" + (apiKeySecret.isEmpty() ? "none" : "<redacted>") + "]";
    }
}

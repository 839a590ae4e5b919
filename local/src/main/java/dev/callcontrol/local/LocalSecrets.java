package dev.callcontrol.local;

import dev.callcontrol.config.Setting;
import dev.callcontrol.http.Json;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Where the local functions find their Twilio secrets ({@value #VARIABLE}). {@code environment}
 * (the default): in their environment, as {@code TWILIO_AUTH_TOKEN} and the rest, the quickest
 * start. {@code secrets-manager}: as deployed, with the template's {@code TWILIO_SECRET_ID} and the
 * secrets in no function's configuration; the runtime serves that secret from a loopback Secrets
 * Manager ({@link FakeSecretsManager}) that holds the values the environment gives, so every
 * function reads it at start as a deployed container does (issue 19, finding 7). It follows the
 * template: a function whose template environment names no secret keeps its values in its
 * environment, as a deployment would resolve them into its configuration.
 */
final class LocalSecrets implements AutoCloseable {
    static final String VARIABLE = "LOCAL_SECRETS";
    /** What a secret holds: the values a deployed function's configuration leaves empty. */
    static final List<Setting> SECRET_SETTINGS = List.of(Setting.TWILIO_AUTH_TOKEN, Setting.TWILIO_SECONDARY_AUTH_TOKEN,
            Setting.TWILIO_API_KEY_SECRET);
    private static final String ENDPOINT_VARIABLE = "AWS_ENDPOINT_URL_SECRETS_MANAGER";

    /** Null: the secrets are in the environment. */
    private final FakeSecretsManager manager;

    private LocalSecrets(FakeSecretsManager manager) {
        this.manager = manager;
    }

    static LocalSecrets of(Map<String, String> processEnvironment) throws IOException {
        String mode = processEnvironment.getOrDefault(VARIABLE, "environment").trim();
        return switch (mode) {
            case "", "environment" -> new LocalSecrets(null);
            case "secrets-manager" -> new LocalSecrets(FakeSecretsManager.start());
            default -> throw new IllegalArgumentException(VARIABLE + " must be environment or secrets-manager, not '" + mode + "'");
        };
    }

    /**
     * Makes a function's local environment hold its secrets as this mode wants them. {@code environment}
     * already holds the local secrets and the caller's overrides; {@code templateSecretId} is the
     * {@code TWILIO_SECRET_ID} the template gives the function.
     */
    void place(Map<String, String> environment, String templateSecretId) {
        if (manager == null || templateSecretId == null || templateSecretId.isBlank()) {
            // The environment's way, or a template that names no secret: the values stay where the template puts them.
            environment.put(Setting.TWILIO_SECRET_ID.name(), "");
            return;
        }
        String secretId = templateSecretId;
        Map<String, String> secret = new LinkedHashMap<>();
        for (Setting setting : SECRET_SETTINGS) {
            String value = environment.get(setting.name());
            if (value != null && !value.isBlank()) {
                secret.put(setting.name(), value);
            }
            environment.put(setting.name(), "");
        }
        manager.put(secretId, Json.write(secret));
        environment.put(Setting.TWILIO_SECRET_ID.name(), secretId);
        environment.put(ENDPOINT_VARIABLE, manager.endpoint().toString());
    }

    /** The loopback Secrets Manager, in {@code secrets-manager} mode. */
    Optional<FakeSecretsManager> secretsManager() {
        return Optional.ofNullable(manager);
    }

    /** For the banner: where the secrets are. */
    String describe() {
        return manager == null ? "in each function's environment (" + VARIABLE + "=environment)"
                : "read at start from a loopback Secrets Manager at " + manager.endpoint() + " (" + VARIABLE + "=secrets-manager)";
    }

    @Override
    public void close() {
        if (manager != null) {
            manager.close();
        }
    }
}

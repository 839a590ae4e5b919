package dev.callcontrol.twilio;

import dev.callcontrol.config.Config;
import dev.callcontrol.config.ConfigurationException;
import org.crac.Core;
import org.crac.Resource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.EnvironmentVariableCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Where a function's Twilio secrets come from, read once per container. With
 * {@code TWILIO_SECRET_ID} set (deployments) they are read from that Secrets Manager secret when the
 * function is built, so the auth token is in no function's configuration; without it (the local
 * runtime, tests) they are the environment's {@code TWILIO_AUTH_TOKEN}, {@code TWILIO_SECONDARY_AUTH_TOKEN}
 * and {@code TWILIO_API_KEY_SECRET}. Every function of a container shares one read.
 *
 * <p>SnapStart: the secret is read during the snapshot's initialisation, like any other container
 * start, and read again after every restore (a CRaC {@code afterRestore} hook), so a restored
 * container holds the secret's value at its restore, not at the version's publication. A secret
 * that cannot be read after a restore leaves the values read before the snapshot in place, and the
 * failure is logged.
 *
 * <p>Rotation: a webhook whose signature matches none of the tokens held makes the container read
 * the secret again, at most once per {@link #RELOAD_INTERVAL}, and check the signature once more
 * ({@link #reloadIfStale}). A token put into the secret before Twilio signs with it is therefore
 * accepted by every container from the first webhook Twilio signs with it, with no deployment; a
 * forged signature costs at most one read of the secret per container and interval. And a container
 * reads the secret again when what it holds is {@link #MAX_AGE} old ({@link #refreshIfOld}, before a
 * signature is checked), so a token taken out of the secret stops counting within ten minutes.
 */
public final class TwilioSecretStore {
    private static final Logger LOG = LoggerFactory.getLogger(TwilioSecretStore.class);
    /** The least time between two reads of the secret that a failed signature asks for. */
    public static final Duration RELOAD_INTERVAL = Duration.ofSeconds(60);
    /** The longest a container goes on using what it read from the secret without reading it again. */
    public static final Duration MAX_AGE = Duration.ofMinutes(10);
    /** The most one read of the secret may take, all attempts included; each attempt gets a second. */
    static final Duration CALL_TIMEOUT = Duration.ofSeconds(3);
    static final Duration ATTEMPT_TIMEOUT = Duration.ofSeconds(1);

    private static final Map<String, TwilioSecretStore> SHARED = new ConcurrentHashMap<>();
    /** Strong references: CRaC contexts hold their resources weakly. */
    private static final List<Resource> RESTORE_HOOKS = new CopyOnWriteArrayList<>();

    /** Reads the secrets; throws when they cannot be read. */
    @FunctionalInterface
    public interface Loader {
        TwilioSecrets load();
    }

    private final Loader loader;
    private final boolean reloadable;
    private final Clock clock;
    private final Object reloading = new Object();
    private volatile TwilioSecrets current;
    private volatile Instant loadedAt;

    private TwilioSecretStore(Loader loader, boolean reloadable, Clock clock) {
        this.loader = loader;
        this.reloadable = reloadable;
        this.clock = clock;
        this.current = loader.load();
        this.loadedAt = clock.instant();
    }

    /**
     * The container's store for this configuration: the secret {@code TWILIO_SECRET_ID} names, read
     * now (once per container: functions built later share it), or the environment's values.
     */
    public static TwilioSecretStore of(Config config) {
        String secretId = config.twilioSecretId();
        if (secretId.isEmpty()) {
            return fixed(TwilioSecrets.fromEnvironment(config));
        }
        String endpoint = config.raw("AWS_ENDPOINT_URL_SECRETS_MANAGER");
        return SHARED.computeIfAbsent(secretId + " " + endpoint, key -> {
            TwilioSecretStore store = loading(new SecretsManagerLoader(secretId,
                    endpoint == null || endpoint.isBlank() ? null : URI.create(endpoint), config.raw("AWS_REGION"),
                    config.raw("AWS_ACCESS_KEY_ID") != null), Clock.systemUTC());
            store.reloadAfterRestore();
            return store;
        });
    }

    /** Values that never change (the environment's). */
    public static TwilioSecretStore fixed(TwilioSecrets secrets) {
        return new TwilioSecretStore(() -> secrets, false, Clock.systemUTC());
    }

    /** Secrets read now with {@code loader}, and again when {@link #reload} or {@link #reloadIfStale} asks. */
    public static TwilioSecretStore loading(Loader loader, Clock clock) {
        return new TwilioSecretStore(loader, true, clock);
    }

    public TwilioSecrets current() {
        return current;
    }

    /** The tokens a webhook may be signed with now. */
    public List<String> signingTokens() {
        return current.signingTokens();
    }

    /** Reads the secret again; on failure keeps what it holds and throws. */
    public void reload() {
        if (!reloadable) {
            return;
        }
        synchronized (reloading) {
            TwilioSecrets read = loader.load();
            loadedAt = clock.instant();
            current = read;
        }
    }

    /**
     * Reads the secret again unless it was read less than {@link #RELOAD_INTERVAL} ago: a signature
     * matched none of the tokens held. Answers whether the tokens changed; a failed read changes
     * nothing and is logged.
     */
    public boolean reloadIfStale() {
        return reloadIfOlderThan(RELOAD_INTERVAL);
    }

    /**
     * Reads the secret again if it was read {@link #MAX_AGE} ago or longer, so that a token taken out
     * of the secret (the old one, after a rotation) stops counting within that time, also in a
     * container whose webhooks all still match a token it holds. Answers whether the tokens changed.
     */
    public boolean refreshIfOld() {
        return reloadIfOlderThan(MAX_AGE);
    }

    private boolean reloadIfOlderThan(Duration age) {
        if (!reloadable) {
            return false;
        }
        synchronized (reloading) {
            if (clock.instant().isBefore(loadedAt.plus(age))) {
                return false;
            }
            List<String> before = current.signingTokens();
            try {
                reload();
            } catch (RuntimeException e) {
                loadedAt = clock.instant();
                LOG.warn("Could not read the Twilio secret again; keeping the tokens held: {}", e.getMessage());
                return false;
            }
            boolean changed = !before.equals(current.signingTokens());
            LOG.info("Read the Twilio secret again; the tokens {}", changed ? "changed" : "are unchanged");
            return changed;
        }
    }

    private void reloadAfterRestore() {
        Resource hook = new Resource() {
            @Override
            public void beforeCheckpoint(org.crac.Context<? extends Resource> context) {
                // Nothing: the values read at initialisation stay until the restore reads them again.
            }

            @Override
            public void afterRestore(org.crac.Context<? extends Resource> context) {
                try {
                    reload();
                    LOG.info("Read the Twilio secret after the restore");
                } catch (RuntimeException e) {
                    LOG.warn("Could not read the Twilio secret after the restore; keeping the values read before the snapshot: {}", e.getMessage());
                }
            }
        };
        RESTORE_HOOKS.add(hook);
        Core.getGlobalContext().register(hook);
    }

    /** Reads one Secrets Manager secret with the SDK's url-connection client. */
    public static final class SecretsManagerLoader implements Loader {
        private final String secretId;
        private final SecretsManagerClient client;

        /** @param endpoint {@code null} for the regional endpoint */
        public SecretsManagerLoader(String secretId, URI endpoint, String region, boolean environmentHasCredentials) {
            this.secretId = secretId;
            var builder = SecretsManagerClient.builder()
                    .httpClient(UrlConnectionHttpClient.builder().connectionTimeout(ATTEMPT_TIMEOUT).socketTimeout(ATTEMPT_TIMEOUT).build())
                    .overrideConfiguration(o -> o.apiCallTimeout(CALL_TIMEOUT).apiCallAttemptTimeout(ATTEMPT_TIMEOUT))
                    .region(Region.of(region == null || region.isBlank() ? "us-east-1" : region));
            AwsCredentialsProvider credentials = environmentHasCredentials ? EnvironmentVariableCredentialsProvider.create() : null;
            if (endpoint != null) {
                builder.endpointOverride(endpoint);
                if (credentials == null) {
                    credentials = StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local"));
                }
            }
            if (credentials != null) {
                builder.credentialsProvider(credentials);
            }
            this.client = builder.build();
        }

        @Override
        public TwilioSecrets load() {
            String value;
            try {
                value = client.getSecretValue(r -> r.secretId(secretId)).secretString();
            } catch (SdkException e) {
                throw new ConfigurationException("Could not read the Twilio secret " + secretId + " (TWILIO_SECRET_ID): " + e.getMessage());
            }
            return TwilioSecrets.fromJson(value, secretId);
        }
    }
}

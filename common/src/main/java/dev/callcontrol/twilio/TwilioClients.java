package dev.callcontrol.twilio;

import com.twilio.http.TwilioRestClient;
import dev.callcontrol.config.Config;

import java.time.Duration;

/**
 * Builds the Twilio REST client: Twilio's own hosts, or {@code TWILIO_API_BASE_URL} when set, over
 * the JDK's HTTP stack ({@link UrlConnectionTwilioClient}), which sends every request once;
 * {@link FaultPolicy} decides on retries. These timeouts are each attempt's ceilings; an attempt gets
 * less when the invocation has less to spare ({@link dev.callcontrol.http.Deadline#requestMillis}).
 */
public final class TwilioClients {
    /** Time to open a connection to Twilio: time for one lost SYN to be sent again (after 1 s). */
    public static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);
    /** Time to wait for Twilio's answer; its REST API answers in well under a second. */
    public static final Duration RESPONSE_TIMEOUT = Duration.ofSeconds(5);
    /** The most one attempt takes, connecting and answering together. */
    public static final Duration ATTEMPT_CEILING = CONNECT_TIMEOUT.plus(RESPONSE_TIMEOUT);

    private TwilioClients() {
    }

    /**
     * What a client is built from, read (and checked) from the configuration when a function is
     * built, so a misconfigured function fails at its start even when it builds its client later.
     * The client authenticates as {@code username} with {@code password}: an API key's SID and
     * secret when {@code TWILIO_API_KEY_SID} is set (deployments; the auth token then only checks
     * signatures), otherwise the account SID and auth token (the local runtime's default).
     */
    public record Settings(String accountSid, String username, String password, String baseUrl) {
        /** With the account SID and auth token. */
        public Settings(String accountSid, String authToken, String baseUrl) {
            this(accountSid, accountSid, authToken, baseUrl);
        }

        public static Settings of(Config config) {
            return of(config, TwilioSecretStore.of(config).current());
        }

        public static Settings of(Config config, TwilioSecrets secrets) {
            String keySid = config.apiKeySid();
            if (keySid.isEmpty()) {
                return new Settings(config.accountSid(), secrets.authToken(), config.twilioApiBaseUrl());
            }
            if (secrets.apiKeySecret().isEmpty()) {
                throw new dev.callcontrol.config.ConfigurationException("TWILIO_API_KEY_SID is set but its secret, TWILIO_API_KEY_SECRET, is not"
                        + (config.twilioSecretId().isEmpty() ? "" : " in the secret " + config.twilioSecretId()));
            }
            return new Settings(config.accountSid(), keySid, secrets.apiKeySecret(), config.twilioApiBaseUrl());
        }

        /** Whether REST requests authenticate with an API key rather than the auth token. */
        public boolean apiKey() {
            return !username.equals(accountSid);
        }

        /** Without the password (auth token or key secret), which is never logged. */
        @Override
        public String toString() {
            return "Settings[accountSid=" + accountSid + ", username=" + username + ", password=<redacted>, baseUrl=" + baseUrl + "]";
        }
    }

    public static TwilioRestClient restClient(Config config) {
        return restClient(Settings.of(config));
    }

    public static TwilioRestClient restClient(Settings settings) {
        // twilio-java's builder takes the key SID and secret as username and password, with the account they act for.
        return new TwilioRestClient.Builder(settings.username(), settings.password())
                .accountSid(settings.accountSid())
                .httpClient(new UrlConnectionTwilioClient(settings.baseUrl(), CONNECT_TIMEOUT, RESPONSE_TIMEOUT))
                .build();
    }
}

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
     */
    public record Settings(String accountSid, String authToken, String baseUrl) {
        public static Settings of(Config config) {
            return new Settings(config.accountSid(), config.authToken(), config.twilioApiBaseUrl());
        }

        /** Without the auth token, which is never logged. */
        @Override
        public String toString() {
            return "Settings[accountSid=" + accountSid + ", authToken=<redacted>, baseUrl=" + baseUrl + "]";
        }
    }

    public static TwilioRestClient restClient(Config config) {
        return restClient(Settings.of(config));
    }

    public static TwilioRestClient restClient(Settings settings) {
        return new TwilioRestClient.Builder(settings.accountSid(), settings.authToken())
                .httpClient(new UrlConnectionTwilioClient(settings.baseUrl(), CONNECT_TIMEOUT, RESPONSE_TIMEOUT))
                .build();
    }
}
